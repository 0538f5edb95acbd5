// Jest's global teardown: removes the bundle this run's global set-up built (see jest-global-setup.js).
import * as fs from 'node:fs'
import * as path from 'node:path'
import process from 'node:process'
import { BUNDLES } from './jest-global-setup.js'

export default function globalTeardown() {
  fs.rmSync(path.join(BUNDLES, String(process.pid)), { recursive: true, force: true })
}
