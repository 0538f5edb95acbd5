// The action measured: a copy of dist/ taken when the run starts, so a rebuild of dist/ during a long run
// (others work in this tree) cannot mix two bundles into one set of samples.
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { DEFAULT_ENTRY } from '../test-support/runner.js'
import { tempDir } from './job.js'

export interface Bundle {
  /** The copied dist/index.js, run by every timed step. */
  readonly entry: string
  /** sha256 of that file, first 12 hex digits. */
  readonly digest: string
  remove(): void
}

export function snapshotBundle(): Bundle {
  const dir = tempDir('bench-dist')
  // The whole directory: dist/package.json makes index.js an ES module.
  fs.cpSync(path.dirname(DEFAULT_ENTRY), dir, { recursive: true })
  const entry = path.join(dir, path.basename(DEFAULT_ENTRY))
  return {
    entry,
    digest: createHash('sha256').update(fs.readFileSync(entry)).digest('hex').slice(0, 12),
    remove: () => {
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}
