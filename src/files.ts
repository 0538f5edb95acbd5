// Walks a directory tree without following symbolic links, and removes the directories a removal emptied. (fs.readdir's `recursive` option is not used:
// Node 24 descends into symlinked directories, such as a venv's lib64 -> lib, and Node 20 does not.)
// Asynchronous, directories read in parallel on libuv's thread pool.
import * as fs from 'node:fs'
import * as path from 'node:path'

export interface TreeEntry {
  /** Path relative to the walked root, with the platform's separator. */
  readonly rel: string
  readonly full: string
  readonly dirent: fs.Dirent
}

/** Every entry below `root`, in no particular order. */
export async function walk(root: string): Promise<TreeEntry[]> {
  const entries: TreeEntry[] = []
  const visit = async (rel: string): Promise<void> => {
    const below: Promise<void>[] = []
    for (const dirent of await fs.promises.readdir(path.join(root, rel), { withFileTypes: true })) {
      const childRel = rel === '' ? dirent.name : path.join(rel, dirent.name)
      entries.push({ rel: childRel, full: path.join(root, childRel), dirent })
      if (dirent.isDirectory()) below.push(visit(childRel))
    }
    await Promise.all(below)
  }
  await visit('')
  return entries
}

/** Removes each of `dirs` that is empty, deepest first, so that one emptied by removing its children goes too. */
export async function removeEmptyDirs(dirs: Iterable<string>): Promise<void> {
  for (const dir of [...dirs].sort((a, b) => b.length - a.length)) {
    try {
      await fs.promises.rmdir(dir)
    } catch {
      // Not empty, or not there: kept.
    }
  }
}
