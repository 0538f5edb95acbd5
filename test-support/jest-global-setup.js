// Jest's global set-up: the end-to-end tests run the bundle of the sources as they are now, so an edit of
// src/ is never tested against a stale dist/. It is built by the function `npm run bundle` uses (the same
// esbuild settings, source map and licenses), into a directory of this jest run's own under .tmp/bundle/
// (another run in the same checkout may be bundling at the same moment); runner.ts's default entry point
// is its index.js. dist/ itself is checked against the sources by .ci/run.
import * as fs from 'node:fs'
import * as path from 'node:path'
import process from 'node:process'
import { bundle, ROOT } from '../scripts/bundler.js'

/** Where each jest run bundles, in a directory named by its process id. */
export const BUNDLES = path.join(ROOT, '.tmp', 'bundle')

/** The variable test-support/runner.ts reads its default entry point from. */
export const ENTRY_VAR = 'SETUP_VENV_TEST_ENTRY'

export default async function globalSetup() {
  removeLeftovers()
  const dir = path.join(BUNDLES, String(process.pid))
  await bundle(dir)
  // Test workers start after this, with this process's environment.
  process.env[ENTRY_VAR] = path.join(dir, 'index.js')
}

/** Bundles of runs that ended without their teardown (killed, say): those whose process is gone. */
function removeLeftovers() {
  if (!fs.existsSync(BUNDLES)) return
  for (const name of fs.readdirSync(BUNDLES)) {
    if (!/^\d+$/.test(name) || alive(Number(name))) continue
    fs.rmSync(path.join(BUNDLES, name), { recursive: true, force: true })
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return error.code === 'EPERM'
  }
}
