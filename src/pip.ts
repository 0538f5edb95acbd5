// Installs the requirements into the venv with the venv's own pip, as argv (never a shell), and turns a
// failure into a message that names what asked for the package.
import * as exec from '@actions/exec'
import { UsageError } from './errors.js'
import type { Plan } from './plan.js'

export function hasWork(plan: Plan): boolean {
  return plan.requirements.roots.length > 0 || plan.packages.length > 0
}

export function installArgs(plan: Plan): string[] {
  return [
    '-m',
    'pip',
    'install',
    ...plan.requirements.roots.flatMap((file) => ['-r', file]),
    ...plan.packages,
    ...plan.pipArgs,
  ]
}

// Settings that only silence pip's questions and self-update nag; they change nothing that gets installed.
const QUIET_ENV = { PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_NO_INPUT: '1' }

export async function install(plan: Plan): Promise<void> {
  let stderr = ''
  const code = await exec.exec(plan.layout.python, installArgs(plan), {
    cwd: plan.baseDir,
    env: { ...stringEnv(process.env), ...QUIET_ENV },
    ignoreReturnCode: true,
    listeners: { stderr: (data: Buffer) => (stderr += data.toString()) },
  })
  if (code !== 0) throw new UsageError(failureMessage(plan, code, stderr))
}

/** pip's own ERROR lines (they name the requirement file and line), plus which input named a package. */
export function failureMessage(plan: Plan, code: number, stderr: string): string {
  const errors = stderr
    .split(/\r?\n/)
    .filter((l) => l.startsWith('ERROR:'))
    .join('\n')
  const lower = errors.toLowerCase()
  const fromInput = plan.packages.filter((spec) => {
    const name = /^[A-Za-z0-9._-]+/.exec(spec)?.[0]
    return name !== undefined && lower.includes(name.toLowerCase())
  })
  const origin =
    fromInput.length > 0 ? `\nRequested by the 'packages' input: ${fromInput.join(', ')}.` : ''
  return `pip install failed (exit code ${code}).\n${errors || stderr.trim().split(/\r?\n/).slice(-5).join('\n')}${origin}`
}

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v
  return out
}
