// Sizes on disk: a venv's files (as tar sees them: regular files' bytes, symlinks not followed).
import * as fs from 'node:fs'
import * as path from 'node:path'

export interface TreeSize {
  readonly bytes: number
  readonly files: number
}

export function treeSize(dir: string): TreeSize {
  let bytes = 0
  let files = 0
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue
    bytes += fs.lstatSync(path.join(entry.parentPath, entry.name)).size
    files++
  }
  return { bytes, files }
}
