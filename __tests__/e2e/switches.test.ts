// What a user controls and sees, end to end: save-cache, restore-cache and fail-on-cache-miss (the cache
// calls each allows, the status, the summary), and the one outcome line outside the log groups.
import * as path from 'node:path'
import {
  annotationsOf,
  cacheOps,
  newRunner,
  runAction,
  SMALL_REQUIREMENTS,
  venvInUse,
  workingVenv,
  type Job,
} from '../../test-support/e2e.js'
import { useIndexAndServer } from '../../test-support/e2e-jest.js'
import { lacksPython, testIf } from '../../test-support/needs.js'
import type { StepResult } from '../../test-support/runner.js'

const it = testIf(lacksPython('3.11'))
/** How the outcome line writes a duration: `532 ms`, `1.2 s`. */
const DURATION = '(\\d+ ms|\\d+\\.\\d s)'
const local = useIndexAndServer()

async function step(job: Job, inputs: Record<string, string>): Promise<StepResult> {
  local.server.clearRequests()
  return runAction(job, { env: local.env(), inputs })
}

/** The lines the log shows outside any group (GitHub shows groups collapsed). */
function ungrouped(stdout: string): string[] {
  const out: string[] = []
  let depth = 0
  for (const line of stdout.split('\n')) {
    if (line.startsWith('::group::')) depth++
    else if (line.startsWith('::endgroup::')) depth--
    else if (depth === 0 && line.trim() !== '' && !line.startsWith('::')) out.push(line)
  }
  return out
}

it("save-cache: false (as an expression gives it on a pull request's branch) builds and saves nothing", async () => {
  const job = newRunner(SMALL_REQUIREMENTS)
  const result = await step(job, { 'save-cache': 'false' })
  expect(result.code).toBe(0)
  expect(result.outputs['cache-status']).toBe('miss')
  expect(cacheOps(local.server)).toEqual(['lookup'])
  expect(result.stdout).toContain("Nothing is saved ('save-cache: false').")
  expect(result.summary).toContain('<td>Cache</td><td>miss</td>')
  expect(await venvInUse(result)).toEqual(workingVenv(path.join(job.workspace, '.venv')))
})

it('restore-cache: false always builds, and saves', async () => {
  const job = newRunner(SMALL_REQUIREMENTS)
  const first = await step(job, {})
  expect(first.outputs['cache-status']).toBe('miss')
  const again = await step(job, { 'restore-cache': 'false' })
  expect(again.code).toBe(0)
  expect(again.outputs['cache-status']).toBe('miss')
  expect(again.stdout).toContain('Create took')
  // No lookup before the build; the save finds the key taken and says so.
  expect(cacheOps(local.server)[0]).toBe('reserve')
  expect(again.stdout).toContain(
    `Cache not saved: an entry with key ${again.outputs['cache-key'] ?? ''} already exists`,
  )
})

it('both off: disabled, no cache call at all', async () => {
  const job = newRunner(SMALL_REQUIREMENTS)
  const result = await step(job, { 'restore-cache': 'false', 'save-cache': 'false' })
  expect(result.outputs['cache-status']).toBe('disabled')
  expect(local.server.requests).toEqual([])
  expect(result.stdout).toContain(
    "Cache disabled by the inputs 'restore-cache: false' and 'save-cache: false'.",
  )
})

it('fail-on-cache-miss: a miss fails before building, naming the key; a hit passes', async () => {
  const job = newRunner({ 'requirements.txt': 'sv-lib==1.0\n' })
  const miss = await step(job, { 'fail-on-cache-miss': 'true' })
  expect(miss.code).toBe(1)
  const key = /^Cache key: (\S+)$/m.exec(miss.stdout)?.[1] ?? 'no key in the log'
  expect(annotationsOf(miss, 'error')).toEqual([
    `No usable cache entry for key ${key}, and 'fail-on-cache-miss' is true: the venv is not built here. ` +
      "Run the job that builds and saves it first, or set 'fail-on-cache-miss: false'.",
  ])
  expect(miss.stdout).not.toContain('Create took')
  // Not even from an older entry: a sync is a build.
  expect(miss.stdout).not.toContain('nearest')
  await step(job, {})
  const hit = await step(job, { 'fail-on-cache-miss': 'true' })
  expect(hit.code).toBe(0)
  expect(hit.outputs['cache-status']).toBe('hit')
})

it('fail-on-cache-miss with nothing to restore is refused before anything is done', async () => {
  const job = newRunner(SMALL_REQUIREMENTS)
  const result = await step(job, { 'fail-on-cache-miss': 'true', 'restore-cache': 'false' })
  expect(result.code).toBe(1)
  expect(annotationsOf(result, 'error')[0]).toMatch(
    /^Input 'fail-on-cache-miss' is true, but nothing is restored in this run \(Nothing is restored \('restore-cache: false'\)/,
  )
  expect(local.server.requests).toEqual([])
})

it('one outcome line outside the groups, last; the summary says what the venv holds', async () => {
  const job = newRunner(SMALL_REQUIREMENTS)
  const miss = await step(job, {})
  const key = miss.outputs['cache-key'] ?? ''
  const built = ungrouped(miss.stdout)
  expect(built.at(-1)).toMatch(
    new RegExp(
      `^Venv ready: built in ${DURATION} \\(saved, archive \\d+(\\.\\d)? MiB\\) - 4 packages, venv \\d+(\\.\\d)? MiB, Python 3\\.11\\.\\d+, key ${key}$`,
    ),
  )
  const hit = await step(job, {})
  expect(ungrouped(hit.stdout)).toEqual([
    expect.stringMatching(
      new RegExp(
        `^Venv ready: hit in ${DURATION} \\(archive \\d+(\\.\\d)? MiB\\) - 4 packages, venv \\d+(\\.\\d)? MiB, Python 3\\.11\\.\\d+, key ${key}$`,
      ),
    ),
  ])
  // What the venv holds, on a hit too: every package asked for by name, with its version.
  expect(hit.stdout).toContain('The venv holds 4 packages: pip 23.2.1, setuptools 65.5.0, sv_tool 2.0.')
  expect(hit.summary).toContain(
    '<td>Holds</td><td>4 packages: pip 23.2.1, setuptools 65.5.0, sv_tool 2.0</td>',
  )
  expect(hit.summary).toContain('<td>Dependencies</td><td>requirements.txt</td>')
})
