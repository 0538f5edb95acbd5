// Finds the base interpreter the venv is built from and checks it can build one.
import * as fs from 'node:fs'
import * as io from '@actions/io'
import { UsageError } from './errors.js'
import { defaultPythonCommands, looksLikePath, pathFor, type Os } from './platform.js'
import { probePython, type PythonFacts } from './probe.js'

export const MIN_PYTHON: readonly [number, number] = [3, 8]

/** The executable to run for the `python` input: a path as given, or a command found on PATH. */
export async function locatePython(os: Os, requested: string | undefined, cwd: string): Promise<string> {
  if (requested !== undefined && looksLikePath(os, requested)) {
    const resolved = pathFor(os).resolve(cwd, requested)
    if (!fs.existsSync(resolved)) {
      throw new UsageError(
        `Input 'python': no file at '${resolved}'. Give an existing interpreter path or a command.`,
      )
    }
    return resolved
  }
  const commands = requested !== undefined ? [requested] : defaultPythonCommands(os)
  for (const command of commands) {
    const found = await io.which(command, false)
    if (found !== '') return found
  }
  throw new UsageError(
    `Input 'python': ${commands.map((c) => `'${c}'`).join(' or ')} not found on PATH. ` +
      `Add a setup-python step before this one, or give the interpreter's path.`,
  )
}

export async function probeBasePython(executable: string): Promise<PythonFacts> {
  const facts = await probePython(executable)
  const [major, minor] = facts.versionInfo
  if (major < MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor < MIN_PYTHON[1])) {
    throw new UsageError(
      `Input 'python': ${executable} is Python ${facts.version}; setup-venv needs ${MIN_PYTHON.join('.')} or newer.`,
    )
  }
  if (!facts.hasVenv || facts.ensurepip === null) {
    const pkg = `python${major}.${minor}-venv`
    throw new UsageError(
      `Input 'python': ${executable} (Python ${facts.version}) has no working 'venv'/'ensurepip' module. ` +
        `On Debian or Ubuntu install it with 'sudo apt-get install ${pkg}', or use actions/setup-python.`,
    )
  }
  return facts
}
