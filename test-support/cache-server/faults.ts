// Fault injection for the local cache service. Each switch names the protocol step it breaks, so one
// setting affects v1 (REST) and v2 (twirp + blob) alike wherever the step exists in both.

export const FAULT_CHOICES = {
  lookup: ['status500', 'status429'],
  download: ['status500', 'truncate', 'stall', 'garbage', 'corrupt'],
  reserve: ['status500'],
  upload: ['status500'],
  commit: ['status500'],
} as const

type Choice<K extends keyof typeof FAULT_CHOICES> = (typeof FAULT_CHOICES)[K][number]

export interface Faults {
  /** v1 `GET cache`, v2 `GetCacheEntryDownloadURL`. status429 carries `Retry-After: 1`. */
  lookup?: Choice<'lookup'>
  /**
   * GET of the archive URL (both protocols hand out the same kind of URL). `corrupt` sends the full length:
   * the archive's first half, then zeros, so the download succeeds and extraction fails partway.
   */
  download?: Choice<'download'>
  /** v1 `POST caches`, v2 `CreateCacheEntry`. */
  reserve?: Choice<'reserve'>
  /** v1 `PATCH caches/{id}`, v2 every blob PUT (single shot, block, block list). */
  upload?: Choice<'upload'>
  /** v1 `POST caches/{id}`, v2 `FinalizeCacheEntryUpload`. */
  commit?: Choice<'commit'>
  /** Hold every commit/finalize this long before handling it, so concurrent jobs can race. */
  commitDelayMs?: number
}

/** Env var read by the CLI: comma-separated `name=value` specs, same syntax as `--fault`. */
export const FAULTS_ENV = 'SETUP_VENV_CACHE_FAULTS'

function isChoice<K extends keyof typeof FAULT_CHOICES>(name: K, value: string): value is Choice<K> {
  return (FAULT_CHOICES[name] as readonly string[]).includes(value)
}

function isFaultName(name: string): name is keyof typeof FAULT_CHOICES {
  return Object.hasOwn(FAULT_CHOICES, name)
}

/** Parses `lookup=status500`, `commitDelayMs=2000`, ...; throws on anything unknown so typos fail loudly. */
export function parseFaults(specs: readonly string[]): Faults {
  const faults: Faults = {}
  for (const spec of specs.flatMap((s) => s.split(',')).map((s) => s.trim())) {
    if (spec === '') continue
    const eq = spec.indexOf('=')
    const name = eq < 0 ? spec : spec.slice(0, eq)
    const value = eq < 0 ? '' : spec.slice(eq + 1)
    if (name === 'commitDelayMs') {
      const ms = Number(value)
      if (!Number.isInteger(ms) || ms < 0)
        throw new Error(`fault commitDelayMs needs a whole number of ms, got '${value}'`)
      faults.commitDelayMs = ms
    } else if (isFaultName(name) && isChoice(name, value)) {
      Object.assign(faults, { [name]: value })
    } else {
      throw new Error(`unknown fault '${spec}'; known: ${describeFaults()}`)
    }
  }
  return faults
}

export function describeFaults(): string {
  const lines = Object.entries(FAULT_CHOICES).map(([name, values]) => `${name}=${values.join('|')}`)
  return [...lines, 'commitDelayMs=<ms>'].join(', ')
}
