// Turns inputs and gathered facts into the plan every later phase follows: where the venv goes, its
// layout, what to install and the cache key. Pure: the facts come in as data.
import type { RunnerContext } from './context.js'
import { UsageError } from './errors.js'
import type { Inputs } from './inputs.js'
import { keySettings, settingIsTrue, type PipSetting } from './pipconfig.js'
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
import { compareVersions } from './version.js'
import type { Dependencies } from './sources.js'

export interface Plan {
  readonly venvDir: string
  readonly layout: Layout
  /** Directory pip runs in, and relative paths' base. */
  readonly baseDir: string
  readonly basePython: PythonFacts
  readonly dependencies: Dependencies
  readonly pipArgs: readonly string[]
  /** An exact pip version to install into the new venv; undefined for the one `python -m venv` gives. */
  readonly pipVersion: string | undefined
  /**
   * pip's settings ask it to install anew what is there (force-reinstall or ignore-installed in PIP_* or a
   * config file, in any source): a fresh build then reinstalls seeded packages it is asked for.
   */
  readonly pipReinstalls: boolean
  readonly key: string
  /** The key without its dependency digest: older entries under it may be synced. */
  readonly keyPrefix: string
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
  dependencies: Dependencies,
  pipSettings: readonly PipSetting[],
): Plan {
  const venvDir = venvDirectory(ctx, inputs)
  const pipVersion = inputs.pipVersion === 'bundled' ? undefined : inputs.pipVersion
  checkLockReadable(dependencies.lock, pipVersion ?? basePython.ensurepip ?? '', pipVersion !== undefined)
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
    pipVersion: pipVersion ?? basePython.ensurepip ?? '',
    pipArgs: inputs.pipArgs,
    pipSettings: keySettings(pipSettings),
    suffix: inputs.cacheSuffix,
    dependencies: dependencies.keyText,
  })
  return {
    venvDir,
    layout: venvLayout(ctx.os, venvDir, basePython.executable),
    baseDir: baseDirectory(ctx, inputs),
    basePython,
    dependencies,
    pipArgs: inputs.pipArgs,
    pipVersion,
    pipReinstalls: settingIsTrue(pipSettings, ['force-reinstall', 'ignore-installed']),
    ...keys,
  }
}

/** pip reads a PEP 751 lock (`-r pylock.toml`) from 26.1 on: an older pip is refused before anything changes. */
function checkLockReadable(lock: string | undefined, pip: string, asked: boolean): void {
  if (lock === undefined || compareVersions(pip.split('.').map(Number), [26, 1]) >= 0) return
  throw new UsageError(
    `${lock} is a PEP 751 lock, which pip reads from version 26.1 on, and the venv's pip is ${pip}` +
      `${asked ? " (input 'pip-version')" : ' (the bundled one)'}. Set 'pip-version' to 26.1 or later, e.g. pip-version: 26.2.1.`,
  )
}
