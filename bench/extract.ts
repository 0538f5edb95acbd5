// The baseline for a hit: `tar -x` of the very archive the cache service stored for the key, from local
// disk, with the command @actions/cache runs. On Linux with GNU tar the library (lib/internal/tar.js,
// getTarArgs + getDecompressionProgram) runs, without a shell:
//   tar -xf <archive> -P -C <GITHUB_WORKSPACE> --use-compress-program unzstd [--long=30]
// (`--long=30` only for archives it made with long-distance matching, which depends on the zstd version).
// The command is taken from the action's own `[command]` log line of a hit, with the downloaded temp file
// swapped for the stored one, and checked against that shape so a change in the library is noticed.
import type { CacheServer } from '../test-support/cache-server/server.js'
import { CacheStore } from '../test-support/cache-server/store.js'

/** The finalized archive stored under `key` (store layout: entries/<id>.archive). */
export function storedArchive(server: CacheServer, key: string): string {
  const entries = server.entries().filter((e) => e.key === key && e.finalized)
  const entry = entries[0]
  if (entry === undefined || entries.length > 1) {
    throw new Error(`expected one stored entry for ${key}, found ${String(entries.length)}`)
  }
  return new CacheStore(server.dir).archivePath(entry.id)
}

/** The library's extract command from a hit's log, reading `archive` instead of its download. */
export function extractCommand(hitLog: string, archive: string, workspace: string): string[] {
  const line = hitLog
    .split(/\r?\n/)
    .find((l) => l.startsWith('[command]') && l.includes(' -xf '))
    ?.slice('[command]'.length)
  if (line === undefined) throw new Error('no `[command]... tar -xf` line in the hit log')
  if (/["'\\]/.test(line)) throw new Error(`quoted arguments in the tar command are not handled: ${line}`)
  const argv = line.trim().split(/\s+/)
  const expected = /^\S*tar -xf \S+ -P -C (\S+) --use-compress-program (unzstd|zstd -d)( --long=\d+)?$/
  const m = expected.exec(argv.join(' '))
  if (m === null) throw new Error(`the library's extract command has an unexpected shape: ${line}`)
  if (m[1] !== workspace) throw new Error(`the archive is extracted into ${String(m[1])}, not ${workspace}`)
  argv[argv.indexOf('-xf') + 1] = archive
  return argv
}
