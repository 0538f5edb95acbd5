// The project and the local projects the dependencies name. The cache never holds them: they are
// installed after the venv is restored or built (and saved), so an edit of their source is always seen.
// That needs no package index on a hit: their dependencies and build backends are cached with the venv,
// and pip runs with --no-deps, --no-build-isolation and --no-index.
import { runCommand } from './command.js'
import { UsageError } from './errors.js'
import { pipEnv } from './pip.js'
import type { Plan } from './plan.js'
import type { LocalProject } from './sources.js'

/** pip's words for the projects: `-e dir` for editable ones, `dir` for a regular install. */
export function projectArgs(projects: readonly LocalProject[]): string[] {
  return projects.flatMap((p) => (p.editable ? ['-e', p.dir] : [p.dir]))
}

export async function installProjects(
  plan: Pick<Plan, 'dependencies' | 'layout' | 'baseDir'>,
): Promise<void> {
  const { projects } = plan.dependencies
  if (projects.length === 0) return
  const { code, stderr } = await runCommand(
    [
      plan.layout.pipPython,
      '-m',
      'pip',
      'install',
      '--no-deps',
      '--no-build-isolation',
      '--no-index',
      ...projectArgs(projects),
    ],
    { cwd: plan.baseDir, env: pipEnv() },
  )
  if (code !== 0) {
    const errors = stderr.split(/\r?\n/).filter((l) => /^(ERROR|\s+\S)/.test(l))
    throw new UsageError(
      [
        `Installing ${projects.map((p) => `${p.dir} (${p.origin})`).join(', ')} failed (exit code ${code}).`,
        ...errors.slice(0, 20),
      ].join('\n'),
    )
  }
}

/**
 * Asks each project's build backend what else it needs to build (PEP 517's get_requires_for_build_*: old
 * setuptools needs `wheel` for an editable install, for instance), in the venv where it will build: pip
 * asks the same in an isolated build, which --no-build-isolation skips. Prints a marker, then JSON (a
 * setup.py may print). Arguments: JSON list of {dir, backend, backendPath, editable}.
 */
const BACKEND_REQUIRES_SCRIPT = `
import importlib, json, os, sys
found = []
for p in json.loads(sys.argv[1]):
    os.chdir(p['dir'])
    sys.path[:0] = [os.path.join(p['dir'], d) for d in p['backendPath']]
    module, _, attrs = p['backend'].partition(':')
    backend = importlib.import_module(module)
    for attr in filter(None, attrs.split('.')):
        backend = getattr(backend, attr)
    name = 'get_requires_for_build_editable' if p['editable'] else 'get_requires_for_build_wheel'
    hook = getattr(backend, name, None)
    if hook is not None:
        found.extend(hook(None))
sys.stdout.write('\\nsetup-venv-requires\\n' + json.dumps(found))
`

/** What the projects' backends ask for beyond [build-system] requires; installed into the venv with them. */
export async function backendRequires(plan: Pick<Plan, 'dependencies' | 'layout'>): Promise<string[]> {
  const projects = plan.dependencies.projects.filter((p) => p.backend !== undefined)
  if (projects.length === 0) return []
  const args = projects.map((p) => ({
    dir: p.dir,
    backend: p.backend?.name,
    backendPath: p.backend?.path ?? [],
    editable: p.editable,
  }))
  const { code, stdout, stderr } = await runCommand(
    [plan.layout.python, '-c', BACKEND_REQUIRES_SCRIPT, JSON.stringify(args)],
    { silent: true, env: pipEnv() },
  )
  const at = stdout.lastIndexOf('\nsetup-venv-requires\n')
  if (code !== 0 || at < 0) {
    throw new UsageError(
      `Asking the build backend of ${projects.map((p) => p.dir).join(', ')} what it needs failed (exit code ${code}):\n` +
        stderr.trim().split(/\r?\n/).slice(-10).join('\n'),
    )
  }
  return JSON.parse(stdout.slice(at + '\nsetup-venv-requires\n'.length)) as string[]
}
