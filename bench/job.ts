// A runner's directories for one benchmark subject: a job root whose workspace holds the requirement file.
// Every run reuses the same absolute venv path (the cache key covers it) and starts with it absent, as on a
// fresh runner.
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'

/** A new directory under the system temp dir (not e2e.ts's tempDir: that module is for jest and may import it). */
export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `setup-venv-${prefix}-`))
}

export interface Job {
  readonly root: string
  readonly workspace: string
  readonly venv: string
}

export function newJob(name: string, files: Readonly<Record<string, string>>): Job {
  const root = tempDir(`bench-${name}`)
  const workspace = path.join(root, 'workspace')
  fs.mkdirSync(workspace, { recursive: true })
  for (const [rel, text] of Object.entries(files)) fs.writeFileSync(path.join(workspace, rel), text)
  return { root, workspace, venv: path.join(workspace, '.venv') }
}

/** The state of a fresh runner: no venv directory. */
export function removeVenv(job: Job): void {
  fs.rmSync(job.venv, { recursive: true, force: true })
}

export function removeJob(job: Job): void {
  fs.rmSync(job.root, { recursive: true, force: true })
}
