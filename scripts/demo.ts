// `bash scripts/demo.sh`: the action's main job on this machine. It starts the embedded cache service,
// runs the bundled action as a runner step twice (a miss that builds and saves, then a fresh runner that
// hits), and runs a next step from the exported PATH.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { startCacheServer } from '../test-support/cache-server/server.js'
import { localIndexUrl, pyenvPython } from '../test-support/pythons.js'
import { nextStep, REPO_ROOT, runStep, type StepResult } from '../test-support/runner.js'
import { tempDir } from '../test-support/e2e.js'

const python = pyenvPython('3.11')
const server = await startCacheServer({ dir: tempDir('demo-cache') })
const root = tempDir('demo-job')
const workspace = path.join(root, 'workspace')
fs.mkdirSync(workspace, { recursive: true })
fs.copyFileSync(
  path.join(REPO_ROOT, 'examples', 'demo', 'requirements.txt'),
  path.join(workspace, 'requirements.txt'),
)

const env = {
  ...server.envV2(),
  PATH: `${path.dirname(python)}${path.delimiter}${process.env['PATH'] ?? ''}`,
  // This machine's pip config lists the unreachable public index first; the demo names the local one.
  PIP_INDEX_URL: localIndexUrl(python),
}

function show(title: string, step: StepResult): void {
  console.log(
    `\n=== ${title}: exit ${String(step.code)}, ${(step.durationMs / 1000).toFixed(2)} s (whole process)`,
  )
  for (const line of step.stdout.split('\n')) {
    if (/took|^Cache |^No cache|^Venv ready|^::warning|^::error/.test(line)) console.log(`  ${line}`)
  }
  for (const [name, value] of Object.entries(step.outputs)) console.log(`  output ${name} = ${value}`)
  if (step.code !== 0) {
    console.log(step.stdout, step.stderr)
    process.exitCode = 1
  }
}

try {
  console.log(
    `Workspace: ${workspace}\nRequirements: ${fs.readFileSync(path.join(workspace, 'requirements.txt'), 'utf8').trim().replaceAll('\n', ', ')}`,
  )
  const miss = await runStep({ root, env })
  show('Run 1 (empty cache: builds and saves)', miss)

  fs.rmSync(path.join(workspace, '.venv'), { recursive: true, force: true })
  const hit = await runStep({ root, env })
  show('Run 2 (fresh runner, venv directory gone: restores)', hit)

  const next = await nextStep(hit, [
    'python',
    '-c',
    'import sys, requests, pytest, rich; print("next step python:", sys.executable); print("requests", requests.__version__, "pytest", pytest.__version__)',
  ])
  console.log(
    `\n=== Next step (PATH and VIRTUAL_ENV applied): python -c ...\n${next.stdout.trim()}${next.stderr.trim()}`,
  )
  if (next.code !== 0) process.exitCode = 1
  console.log(`\nMiss ${(miss.durationMs / 1000).toFixed(2)} s, hit ${(hit.durationMs / 1000).toFixed(2)} s.`)
} finally {
  await server.close()
  fs.rmSync(root, { recursive: true, force: true })
}
