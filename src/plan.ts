// Turns inputs and gathered facts into the plan every later phase follows: where the venv goes, its
// layout, what to install and the cache key. Pure: the facts come in as data.
import type { RunnerContext } from './context.js'
import { UsageError } from './errors.js'
import type { Inputs } from './inputs.js'
import { cacheKeys } from './key.js'
import {
  archOf,
  canonicalPath,
  imageIdentity,
  isDriveRelative,
  pathFor,
  venvLayout,
  type Layout,
  type Os,
} from './platform.js'
import type { PythonFacts } from './probe.js'
import type { RequirementFiles } from './requirements.js'

export interface Plan {
  readonly venvDir: string
  readonly layout: Layout
  /** Directory pip runs in, and relative paths' base. */
  readonly baseDir: string
  readonly basePython: PythonFacts
  readonly requirements: RequirementFiles
  readonly packages: readonly string[]
  readonly pipArgs: readonly string[]
  readonly key: string
  /** The key without its dependency digest: older entries under it may be synced. */
  readonly keyPrefix: string
  readonly cache: boolean
}

export function baseDirectory(ctx: RunnerContext, inputs: Inputs): string {
  return pathFor(ctx.os).resolve(
    ctx.workspace,
    checkedPath(ctx.os, 'working-directory', inputs.workingDirectory ?? '.'),
  )
}

/** Refuses `C:venv`: its meaning depends on drive C:'s current directory, which no step controls. */
function checkedPath(os: Os, input: string, value: string): string {
  if (isDriveRelative(os, value)) {
    throw new UsageError(
      `Input '${input}': '${value}' is relative to the current directory of drive ${value.slice(0, 2)}. ` +
        `Give a path relative to the workspace, or a full path such as ${value.slice(0, 2)}\\${value.slice(2)}.`,
    )
  }
  return value
}

export function venvDirectory(ctx: RunnerContext, inputs: Inputs): string {
  const p = pathFor(ctx.os)
  const venvDir = p.resolve(baseDirectory(ctx, inputs), checkedPath(ctx.os, 'path', inputs.path))
  const forbidden: [string, string][] = [
    [p.parse(venvDir).root, 'the filesystem root'],
    [ctx.home, 'the home directory'],
    [ctx.workspace, 'the workspace root'],
  ]
  for (const [dir, what] of forbidden) {
    if (canonicalPath(ctx.os, venvDir) === canonicalPath(ctx.os, dir)) {
      throw new UsageError(
        `Input 'path' resolves to ${what} (${venvDir}), which the action would empty. Give a subdirectory such as .venv.`,
      )
    }
  }
  return venvDir
}

export function makePlan(
  ctx: RunnerContext,
  inputs: Inputs,
  basePython: PythonFacts,
  requirements: RequirementFiles,
  indexSettings: readonly string[],
): Plan {
  const venvDir = venvDirectory(ctx, inputs)
  const keys = cacheKeys({
    os: ctx.os,
    image: imageIdentity(ctx.os, ctx),
    arch: archOf(basePython.machine, basePython.bits),
    implementation: basePython.implementation,
    pythonVersion: basePython.version,
    pythonBuild: basePython.build,
    pythonPath: canonicalPath(ctx.os, basePython.executable),
    libc: basePython.libc,
    venvPath: canonicalPath(ctx.os, venvDir),
    pipVersion: basePython.ensurepip ?? '',
    pipArgs: inputs.pipArgs,
    pipSettings: indexSettings,
    suffix: inputs.cacheSuffix,
    // pip resolves all packages together, so their order does not matter.
    dependencies: JSON.stringify({ requirements: requirements.hash, packages: [...inputs.packages].sort() }),
  })
  return {
    venvDir,
    layout: venvLayout(ctx.os, venvDir, basePython.executable),
    baseDir: baseDirectory(ctx, inputs),
    basePython,
    requirements,
    packages: inputs.packages,
    pipArgs: inputs.pipArgs,
    ...keys,
    cache: inputs.cache,
  }
}
