// An unexpected error (a bug, not a message for the user) fails the step with its stack, and that stack
// names the source files, not the minified bundle: src/stack.ts maps each frame through the bundle's
// source map. Provoked with no hook in the sources, by a runner the code does not expect: a `python` whose
// answer to the probe starts like the JSON the probe prints but is not JSON (src/probe.ts parses the last
// line that starts with `{`). It needs no interpreter and no cache service, so it runs on any machine.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { annotationsOf, newRunner, NODES, runAction } from '../../test-support/e2e.js'
import { REPO_ROOT } from '../../test-support/runner.js'

/** `path:line:column` of the first place in src/`file` that holds `text`. */
function sourceAt(file: string, text: string): string {
  const full = path.join(REPO_ROOT, 'src', file)
  const lines = fs.readFileSync(full, 'utf8').split('\n')
  const line = lines.findIndex((l) => l.includes(text))
  if (line < 0) throw new Error(`${text} is not in src/${file}`)
  return `${full}:${line + 1}:${(lines[line] ?? '').indexOf(text) + 1}`
}

/** The path:line:column a stack frame names: in parentheses after a function's name, or alone. */
function location(frame: string): string {
  return /\(([^()]*)\)$/.exec(frame)?.[1] ?? frame.replace(/^ {4}at (?:async )?/, '')
}

test.each(Object.keys(NODES) as (keyof typeof NODES)[])(
  'under %s: the error annotation holds the stack, every frame of the action in a src/*.ts file',
  async (node) => {
    const job = newRunner({})
    const python = path.join(job.root, 'python')
    fs.writeFileSync(python, '#!/bin/sh\necho "{ not json"\n', { mode: 0o755 })
    const step = await runAction(job, { node: NODES[node], inputs: { python } })
    expect(step.code).toBe(1)
    const [message, ...more] = annotationsOf(step, 'error')
    expect(more).toEqual([])
    const [header = '', ...frames] = (message ?? '').split('\n')
    expect(header).toMatch(/^SyntaxError: /)
    // The throw and its caller, exactly: JSON.parse, called by probePython (V8 points at `parse`).
    expect(frames.slice(0, 2)).toEqual([
      '    at JSON.parse (<anonymous>)',
      `    at probePython (${sourceAt('probe.ts', 'parse(line)')})`,
    ])
    // Every frame below it is in the sources (the entry point src/main.ts included) or in Node's own code
    // (its task queue may sit between two awaits), none in the bundle.
    const sources = `${path.join(REPO_ROOT, 'src')}${path.sep}`
    const places = frames.slice(1).map(location)
    const inSources = (p: string) => p.startsWith(sources) && /\.ts:\d+:\d+$/.test(p)
    expect(places.filter((p) => !inSources(p) && !p.startsWith('node:'))).toEqual([])
    expect(frames.map((f) => /^ {4}at (?:async )?([\w.]+) \(/.exec(f)?.[1])).toEqual(
      expect.arrayContaining(['probeBasePython', 'planVenv', 'setupVenv', 'run']),
    )
    expect(message).not.toContain('index.js')
  },
)
