// Walks a directory tree without following symbolic links. (fs.readdirSync's `recursive` option is not
// used: Node 24 descends into symlinked directories, such as a venv's lib64 -> lib, and Node 20 does not.)
import * as fs from 'node:fs'
import * as path from 'node:path'

export interface TreeEntry {
  /** Path relative to the walked root, with the platform's separator. */
  readonly rel: string
  readonly full: string
  readonly dirent: fs.Dirent
}

export function* walk(root: string, rel = ''): Generator<TreeEntry> {
  for (const dirent of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
    const childRel = rel === '' ? dirent.name : path.join(rel, dirent.name)
    yield { rel: childRel, full: path.join(root, childRel), dirent }
    if (dirent.isDirectory()) yield* walk(root, childRel)
  }
}
