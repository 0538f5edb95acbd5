// Content digests for what a requirement names outside the requirement files: a local archive, and a local
// --find-links location, whose listing decides which version pip picks for an unpinned requirement. Remote
// locations are not read: their content is the index's promise, as with any index.
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'

// One buffer for every read: the digests are taken one after another, synchronously.
const chunk = Buffer.allocUnsafe(1 << 20)

/** SHA-256 of a file, read in chunks: a wheel may be larger than a Buffer can hold (2 GiB). */
export function fileDigest(file: string): string {
  const hash = createHash('sha256')
  const fd = fs.openSync(file, 'r')
  try {
    for (let n = fs.readSync(fd, chunk); n > 0; n = fs.readSync(fd, chunk)) hash.update(chunk.subarray(0, n))
  } finally {
    fs.closeSync(fd)
  }
  return hash.digest('hex')
}

/**
 * A local --find-links location as the key sees it: for a directory, every file pip could pick from it
 * (its top level, as pip looks) with a content digest; for a file (an HTML page of links), its digest;
 * `missing` when nothing is there (pip then ignores it, and so does the venv).
 */
export function findLinksFingerprint(location: string): string {
  let stat: fs.Stats
  try {
    stat = fs.statSync(location)
  } catch {
    return `${location} missing`
  }
  if (!stat.isDirectory()) return `${location} ${fileDigest(location)}`
  const entries = fs
    .readdirSync(location, { withFileTypes: true })
    .filter((e) => e.isFile() || (e.isSymbolicLink() && isFile(path.join(location, e.name))))
    .map((e) => `${e.name}=${fileDigest(path.join(location, e.name))}`)
    .sort()
  return `${location} ${entries.join(' ')}`
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile()
  } catch {
    return false
  }
}
