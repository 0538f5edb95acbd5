// Installs the requirements into the venv with the venv's own pip, as argv (never a shell), and turns a
// failure into a message that names what asked for the package.
import { runCommand } from './command.js'
import { UsageError } from './errors.js'
import type { Plan } from './plan.js'
import { linesAsking, requirementName } from './requirements.js'
import { pipCommand, type Seeded } from './seed.js'

export function hasWork(plan: Plan): boolean {
  return plan.requirements.roots.length > 0 || plan.packages.length > 0
}

/** Whether the action byte-compiles after pip: unless the user asked pip for no bytecode at all. */
export function compileAfterInstall(plan: Plan): boolean {
  return !plan.pipArgs.includes('--no-compile')
}

export function installArgs(plan: Plan): string[] {
  return [
    'install',
    // Compiling is done afterwards on all cores; a user's own --compile, later on the line, still wins.
    '--no-compile',
    ...plan.requirements.roots.flatMap((file) => ['-r', file]),
    ...plan.packages,
    ...plan.pipArgs,
  ]
}

/**
 * The environment pip runs in: the step's own, plus settings that only silence pip's questions and
 * self-update check; they change nothing that gets installed.
 */
export function pipEnv(): Record<string, string> {
  return { ...stringEnv(process.env), PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_NO_INPUT: '1' }
}

export async function install(plan: Plan, seeded: Seeded | undefined): Promise<void> {
  const { code, stderr } = await runCommand(
    [...pipCommand(plan.layout, seeded?.runner), ...installArgs(plan)],
    {
      cwd: plan.baseDir,
      env: pipEnv(),
    },
  )
  if (code !== 0) throw new UsageError(failureMessage(plan, code, stderr))
}

/**
 * pip's own ERROR lines, then where each project they name was asked for: pip names the requirement
 * file for some failures but not for "no matching distribution", so the action looks it up.
 */
export function failureMessage(plan: Plan, code: number, stderr: string): string {
  const lines = stderr.split(/\r?\n/)
  // pip's ERROR lines with the indented lines that follow them (a hash report's package, file and line).
  const errors: string[] = []
  let inError = false
  for (const line of lines) {
    if (line.startsWith('ERROR:')) inError = true
    else if (!inError || !/^\s+\S/.test(line)) {
      inError = false
      continue
    }
    errors.push(line)
  }
  const named = new Set<string>()
  const add = (spec: string | undefined): void => {
    const name = spec === undefined ? undefined : requirementName(spec)
    if (name !== undefined) named.add(name)
  }
  for (const error of errors) {
    for (const m of error.matchAll(/(?:requirement|distribution found for) ([A-Za-z0-9][A-Za-z0-9._-]*)/g))
      add(m[1])
    const conflict = /^ERROR: Cannot install (.+?) because /.exec(error)?.[1]
    for (const spec of conflict?.split(/, | and /) ?? []) add(spec)
    add(/^\s+(\S+) from \S+/.exec(error)?.[1])
  }
  const origins = [...named].flatMap((name) => {
    const where = linesAsking(plan.requirements, plan.baseDir, name)
    if (plan.packages.some((spec) => requirementName(spec) === name)) where.push("the 'packages' input")
    return where.length > 0 ? [`'${name}' is asked for in ${where.join(', ')}.`] : []
  })
  const shown = errors.length > 0 ? errors : lines.filter((l) => l.trim() !== '').slice(-5)
  return [`pip install failed (exit code ${code}).`, ...shown, ...origins].join('\n')
}

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v
  return out
}
