// `npm run bench`: the action against the work it saves. For each pinned requirement set, rounds of
// hit vs `tar -x` of the same archive and miss vs a plain `python -m venv` + `pip install -r`; the medium
// set's miss vs a plain build on a hosted runner's Python (its pip upgraded past the bundled one); and the
// fixed cost of a hit; when asked, one pin bumped in medium and heavy: a synced miss against a full one
// (bump.ts). Writes bench/results/latest.md and latest.svg and prints the report.
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { hostedPython } from '../test-support/hosted-python.js'
import { localIndexUrl, pyenvPython } from '../test-support/pythons.js'
import { REPO_ROOT } from '../test-support/runner.js'
import { parseArgs, USAGE, type Options } from './args.js'
import { snapshotBundle, type Bundle } from './bundle.js'
import { benchBump } from './bump.js'
import { benchEnv } from './env.js'
import { machineFacts } from './machine.js'
import { PLAIN_COMMAND } from './measure.js'
import { markdownReport } from './report-md.js'
import type { BenchResult, BumpResult, HostedResult, SetResult } from './results.js'
import { BUMPS, loadSet } from './sets.js'
import { benchFixedCost, benchHosted, benchSet } from './suite.js'
import { svgChart } from './svg.js'

const RESULTS_DIR = path.join(REPO_ROOT, 'bench', 'results')
/** Every sample as JSON, for a closer look; not committed (.gitignore). */
const RAW_JSON = path.join(REPO_ROOT, 'bench', 'out', 'latest.json')

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2))
  if (options.help) {
    console.log(USAGE)
    return
  }
  const bundle = snapshotBundle()
  try {
    await bench(options, bundle)
  } finally {
    bundle.remove()
  }
}

async function bench(options: Options, bundle: Bundle): Promise<void> {
  const started = performance.now()
  const startedAt = new Date().toISOString()
  const python = pyenvPython('3.11')
  const env = benchEnv(bundle.entry, python, localIndexUrl(python))
  const machine = machineFacts(python, bundle.digest)
  const log = (line: string) => {
    console.error(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`)
  }
  const subjects = [
    ...options.sets,
    ...(options.hosted ? ["medium on a hosted runner's Python"] : []),
    ...options.bumps.map((name) => `one bump in ${name}`),
  ]
  log(`setup-venv benchmark: ${String(options.rounds)} rounds of ${subjects.join(', ')} and the fixed cost`)
  const dirty = machine.dirty.length > 0 ? ', with uncommitted changes in src/ or dist/' : ''
  log(`measuring a copy of dist/index.js (sha256 ${bundle.digest}) at ${machine.commit}${dirty}`)
  log(`Python ${python}, PIP_INDEX_URL=${env.indexUrl}`)

  const fixed = await benchFixedCost(env, options.rounds, log)
  const sets: SetResult[] = []
  for (const name of options.sets) sets.push(await benchSet(loadSet(name), env, options.rounds, log))
  let hosted: HostedResult | undefined
  if (options.hosted) {
    log("making a hosted runner's Python from it (kept under the temp directory for later runs)")
    const made = hostedPython('3.11', env.indexUrl)
    if (made.pip === made.bundledPip) throw new Error(`The local index has no pip newer than ${made.pip}`)
    const hostedEnv = benchEnv(bundle.entry, made.python, env.indexUrl)
    hosted = await benchHosted(loadSet('medium'), env, { ...made, env: hostedEnv }, options.rounds, log)
  }
  const bumps: BumpResult[] = []
  for (const name of options.bumps)
    bumps.push(await benchBump(loadSet(name), BUMPS[name], env, options.rounds, log))

  const result: BenchResult = {
    machine,
    started: startedAt,
    rounds: options.rounds,
    totalMs: performance.now() - started,
    loadAtEnd: os.loadavg(),
    plainCommand: PLAIN_COMMAND,
    sets,
    hosted,
    bumps,
    fixed,
  }
  fs.mkdirSync(RESULTS_DIR, { recursive: true })
  const md = path.join(RESULTS_DIR, 'latest.md')
  const svg = path.join(RESULTS_DIR, 'latest.svg')
  fs.writeFileSync(svg, svgChart(result))
  fs.writeFileSync(md, markdownReport(result, path.basename(svg)))
  fs.mkdirSync(path.dirname(RAW_JSON), { recursive: true })
  fs.writeFileSync(RAW_JSON, `${JSON.stringify(result, null, 2)}\n`)
  console.log(fs.readFileSync(md, 'utf8'))
  const rel = (file: string) => path.relative(REPO_ROOT, file)
  console.log(`Written: ${rel(md)}, ${rel(svg)} (the chart) and ${rel(RAW_JSON)} (every sample)`)
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error))
  process.exitCode = 1
})
