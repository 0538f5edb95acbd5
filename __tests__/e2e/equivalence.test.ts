// The action's fast build (pip seeded from ensurepip's wheels, --no-compile, one compile pass on all
// cores) must produce the venv a plain `python -m venv && pip install -r` produces at the same path.
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { buildTestIndex, newRunner, runAction, stepEnv } from '../../test-support/e2e.js'
import { pyenvPython } from '../../test-support/pythons.js'

/** Every file and link of a venv with a content hash; the action's stamp left out. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>()
  const visit = (rel: string): void => {
    for (const d of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = path.join(rel, d.name)
      const full = path.join(dir, r)
      if (r === '.setup-venv.json') continue
      if (d.isSymbolicLink()) out.set(r, `-> ${fs.readlinkSync(full)}`)
      else if (d.isDirectory()) visit(r)
      else out.set(r, createHash('sha256').update(fs.readFileSync(full)).digest('hex'))
    }
  }
  visit('')
  return out
}

// Known, harmless differences: pip lists the .pyc files it compiled in RECORD (its uninstall removes
// them either way), and pyvenv.cfg records the `python -m venv` command line (with --without-pip).
const EXPECTED_DIFFERENCE = /(\.dist-info\/RECORD|^pyvenv\.cfg)$/

test.each(['3.11', '3.8', '3.13'])(
  'Python %s: same files, bytecode and freeze as a plain venv + pip',
  async (version) => {
    const index = buildTestIndex()
    const job = newRunner({ 'requirements.txt': 'sv-tool\n' })
    const env = stepEnv(undefined, 'v2', index.url, version)
    const step = await runAction(job, { env, inputs: { cache: 'false', python: pyenvPython(version) } })
    expect(step.code).toBe(0)
    expect(step.stdout).toMatch(
      /Creating the venv and seeding (setuptools==\S+, )?pip==\S+ from ensurepip's bundled wheels/,
    )
    expect(step.stdout).toContain('Compile took')
    const venv = path.join(job.workspace, '.venv')
    const freeze = (): string =>
      execFileSync(path.join(venv, 'bin', 'pip'), ['freeze', '--all'], { env }).toString()
    const actionFreeze = freeze()
    const actionFiles = snapshot(venv)
    fs.rmSync(venv, { recursive: true })

    const cwd = job.workspace
    execFileSync(pyenvPython(version), ['-m', 'venv', venv], { env, cwd })
    execFileSync(path.join(venv, 'bin', 'pip'), ['install', '-q', '-r', 'requirements.txt'], { env, cwd })
    const plainFiles = snapshot(venv)

    expect(freeze()).toBe(actionFreeze)
    expect(actionFreeze).toMatch(/^pip==/m)
    expect([...actionFiles.keys()].sort()).toEqual([...plainFiles.keys()].sort())
    expect([...actionFiles.keys()].filter((f) => f.endsWith('.pyc')).length).toBeGreaterThan(300)
    const differing = [...plainFiles].filter(([f, hash]) => actionFiles.get(f) !== hash).map(([f]) => f)
    expect(differing.filter((f) => !EXPECTED_DIFFERENCE.test(f) && !f.endsWith('.pyc'))).toEqual([])
  },
)
