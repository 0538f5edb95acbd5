// Runs a program as an argv array: the executable and each argument reach the process as separate values,
// whatever characters they hold, and no shell ever sees them. (@actions/exec splits its first argument
// on spaces, so an interpreter under `C:\actions runner\...` was run as `C:\actions`.)
import { spawn } from 'node:child_process'

export type Argv = readonly [string, ...string[]]

export interface CommandOptions {
  readonly cwd?: string
  readonly env?: Readonly<Record<string, string>>
  /** Neither the command line nor its output goes to the log (it is still returned). */
  readonly silent?: boolean
  /** Written to the process's standard input, which is then closed (at once when there is none). */
  readonly input?: string | Buffer
}

export interface CommandResult {
  /** Exit code; -1 when the process was killed by a signal. */
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Thrown when the program cannot be started at all (missing, not executable). */
export class StartError extends Error {
  override readonly name = 'StartError'
}

export function runCommand(argv: Argv, options: CommandOptions = {}): Promise<CommandResult> {
  const [file, ...args] = argv
  if (options.silent !== true) process.stdout.write(`[command]${displayCommand(argv)}\n`)
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env,
      windowsHide: true,
    })
    const stdout: Buffer[] = []
    const stderr: Buffer[] = []
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      into.push(chunk)
      // pip's progress and errors go to the log as they come, as a runner shows a step's output.
      if (options.silent !== true) process.stdout.write(chunk)
    }
    child.stdout.on('data', collect(stdout))
    child.stderr.on('data', collect(stderr))
    child.on('error', (error) => {
      reject(new StartError(`cannot start ${file}: ${error.message}`))
    })
    child.on('close', (code) => {
      resolve({
        code: code ?? -1,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      })
    })
    // A program that exits without reading all of its input makes the write fail (EPIPE): its exit code
    // tells what happened, and an unhandled stream error would end the whole action instead.
    child.stdin.on('error', () => undefined)
    // Closed at once without input: a program that reads its stdin must not wait for the runner's.
    child.stdin.end(options.input)
  })
}

/** Runs `argv` and throws, with its output, unless it exits with 0. */
export async function runChecked(argv: Argv, options: CommandOptions = {}): Promise<CommandResult> {
  const result = await runCommand(argv, options)
  if (result.code !== 0) {
    const output = options.silent === true ? `\n${`${result.stdout}${result.stderr}`.trim()}` : ''
    throw new Error(`${displayCommand(argv)} failed with exit code ${result.code}${output}`)
  }
  return result
}

/**
 * The command line for the log, each word quoted when it holds a space or a quote, and a script given with
 * `-c` (a word of several lines) shown as `<script>`. Display only.
 */
export function displayCommand(argv: readonly string[]): string {
  return argv
    .map((word) => (word.includes('\n') ? '<script>' : word))
    .map((word) => (word === '' || /[\s"']/.test(word) ? `"${word.replace(/"/g, '\\"')}"` : word))
    .join(' ')
}
