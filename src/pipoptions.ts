// The options `pip install` accepts, what each can do to the venv, and a reading of `pip-args` the way pip's
// optparse reads it, so that `--targ dir`, `-qt dir` or `--target=dir` are seen for what they are.

/**
 * - `outside`: puts packages somewhere other than the venv the action caches;
 * - `file`: names local files whose content decides what is installed (to be hashed, not just named);
 * - `outcome`: can change what ends up in the venv, or whether pip installs at all;
 * - `neutral`: decides only how pip reaches an index, reports or caches, never what it installs.
 */
export type Category = 'outside' | 'file' | 'outcome' | 'neutral'

// Every option of pip 26.2.1's install parser (general options included), spelled as
// scripts/pip-options.py prints them: short spellings, then long ones, the first long one being the name;
// a trailing `=` marks an option that takes a value. Run that script with a newer pip and compare.
const TABLE: Readonly<Record<Category, readonly string[]>> = {
  outside: [
    '-t --target=',
    '--prefix=',
    '--root=',
    '--user',
    // pip re-runs itself under that interpreter and installs into its environment (from PIP_PYTHON or
    // [global]; after `install` on the command line pip refuses it, which is no better).
    '--python=',
  ],
  file: [
    '-r --requirement=',
    '-c --constraint=',
    '--build-constraint=',
    '--requirements-from-script=',
    '-e --editable=',
    '-f --find-links=',
    // `[path:]group`: a dependency group of pyproject.toml (./pyproject.toml without a path).
    '--group=',
  ],
  outcome: [
    // Where packages come from. --trusted-host is here, not with the network settings: without it pip
    // ignores an http:// index by design (a warning, not a failure), so it decides which sources count.
    '-i --index-url --pypi-url=',
    '--extra-index-url=',
    '--no-index',
    '--trusted-host=',
    '--uploaded-prior-to=',
    '--refresh-package=',
    // Which versions and distributions.
    '--pre',
    '--all-releases=',
    '--only-final=',
    '--no-binary=',
    '--only-binary=',
    '--prefer-binary',
    '--python-version=',
    '--platform=',
    '--abi=',
    '--implementation=',
    '--ignore-requires-python',
    // Which packages, if any: --dry-run, --help and --version make pip install nothing at all.
    '--no-deps --no-dependencies',
    '--only-deps --only-dependencies',
    '-U --upgrade',
    '--upgrade-strategy=',
    '--force-reinstall',
    '-I --ignore-installed',
    '--dry-run',
    '-h --help',
    '-V --version',
    // How they are built and laid out: --src is where editable VCS checkouts go (the venv's src/ by
    // default), and --exists-action decides what happens to a checkout that is already there.
    '--no-build-isolation',
    '-C --config-settings=',
    '--use-pep517',
    '--compile',
    '--no-compile',
    '--src --source --source-dir --source-directory=',
    '--exists-action=',
    // Checks that decide whether the install succeeds: a cache hit would skip them, so they count.
    '--require-hashes',
    '--no-require-hashes',
    '--check-build-dependencies',
    // Switches in pip's behaviour; --isolated makes pip ignore PIP_* variables and the user's config.
    '--use-feature=',
    '--use-deprecated=',
    '--isolated',
  ],
  neutral: [
    // Output and logging.
    '-v --verbose',
    '-q --quiet',
    '--progress-bar=',
    '--log --log-file --local-log=',
    '--no-color',
    '--debug',
    '--report=',
    '--no-warn-script-location',
    '--no-warn-conflicts',
    '--no-python-version-warning',
    '--disable-pip-version-check',
    // Reaching the index: an index pip cannot reach fails the install or is skipped with a warning, like
    // any network failure, which no key can capture.
    '--timeout --default-timeout=',
    '--retries=',
    '--resume-retries=',
    '--proxy=',
    '--no-proxy-env',
    '--cert=',
    '--client-cert=',
    '--keyring-provider=',
    '--no-input',
    // Caches and scratch space: the same files come out of them.
    '--cache-dir=',
    '--no-cache-dir',
    '--no-clean',
    // Checks that hold in the action's venv anyway: it is a venv, writable, not externally managed, and
    // not a user install (so --no-user on the command line changes nothing; see pipconfig.ts for
    // no-user in config).
    '--require-virtualenv --require-venv',
    '--break-system-packages',
    '--root-user-action=',
    '--no-user',
  ],
}

interface PipOption {
  readonly name: string
  readonly takesValue: boolean
  readonly category: Category
}

const CATEGORIES: readonly Category[] = ['outside', 'file', 'outcome', 'neutral']
/** Every spelling, `--target` and `-t` alike, to its option. */
const SPELLINGS = new Map<string, PipOption>()
for (const category of CATEGORIES) {
  for (const entry of TABLE[category]) {
    const spellings = entry.replace(/=$/, '').split(' ')
    const name = spellings.find((s) => s.startsWith('--'))?.slice(2) ?? ''
    const option = { name, takesValue: entry.endsWith('='), category }
    for (const spelling of spellings) SPELLINGS.set(spelling, option)
  }
}
const LONG_SPELLINGS = [...SPELLINGS.keys()].filter((s) => s.startsWith('--')).sort()

/** The category of an option by its name (`target`); a name pip 26.2.1 does not know counts as 'outcome'. */
export function optionCategory(name: string): Category {
  return SPELLINGS.get(`--${name}`)?.category ?? 'outcome'
}

/**
 * The option's name for an exact long spelling without its dashes (`default-timeout` -> `timeout`), as pip
 * matches the keys of its config files and PIP_* variables; undefined for a spelling it does not know.
 */
export function optionName(longSpelling: string): string | undefined {
  return SPELLINGS.get(`--${longSpelling}`)?.name
}

export interface ParsedOption {
  /** The option's name, e.g. `target` for `--targ`, `-t` or `-qt`. */
  readonly name: string
  /** As written: `--targ`, `-t`. */
  readonly spelling: string
  /** The value of an option that takes one (undefined when pip-args ends before it); undefined for a flag. */
  readonly value: string | undefined
  /** The words of `args` it came from: `['-qt', 'dir']`. */
  readonly words: readonly string[]
}

export interface ArgProblem {
  /** Each is an error for pip, which stops before installing anything. */
  readonly kind: 'ambiguous' | 'unknown' | 'missing-value' | 'unexpected-value'
  readonly spelling: string
  readonly words: readonly string[]
  /** For 'ambiguous': the long spellings it is a prefix of, sorted, as pip lists them. */
  readonly candidates: readonly string[]
}

export interface ParsedArgs {
  readonly options: readonly ParsedOption[]
  /** Requirement specifiers, paths and URLs, and every word after `--`. */
  readonly positional: readonly string[]
  readonly problems: readonly ArgProblem[]
}

/**
 * Reads `args` as optparse does for `pip install`: a long option may be shortened to any prefix that is an
 * exact spelling or the start of only one, its value follows `=` or is the next word (whatever it looks
 * like); short flags cluster, and the first short option that takes a value takes the rest of the word or
 * the next one; `--` ends the options. An unknown or ambiguous option is taken for a flag (pip would stop
 * there), so that no word after it escapes being read as an option.
 */
export function parsePipArgs(args: readonly string[]): ParsedArgs {
  const options: ParsedOption[] = []
  const positional: string[] = []
  const problems: ArgProblem[] = []
  let i = 0
  const problem = (kind: ArgProblem['kind'], spelling: string, words: string[], candidates: string[] = []) =>
    problems.push({ kind, spelling, words, candidates })
  /** The option and its value, taking the next word when `inline` (the rest of the word) is undefined. */
  const withValue = (name: string, spelling: string, word: string, inline: string | undefined): void => {
    const next = args[i]
    if (inline !== undefined) options.push({ name, spelling, value: inline, words: [word] })
    else if (next !== undefined) {
      options.push({ name, spelling, value: next, words: [word, next] })
      i++
    } else {
      options.push({ name, spelling, value: undefined, words: [word] })
      problem('missing-value', spelling, [word])
    }
  }
  while (i < args.length) {
    const word = args[i++] ?? ''
    if (word === '--') {
      positional.push(...args.slice(i))
      break
    }
    if (word.startsWith('--')) {
      const eq = word.indexOf('=')
      const spelling = eq === -1 ? word : word.slice(0, eq)
      const inline = eq === -1 ? undefined : word.slice(eq + 1)
      const candidates = SPELLINGS.has(spelling)
        ? [spelling]
        : LONG_SPELLINGS.filter((s) => s.startsWith(spelling))
      const option = candidates.length === 1 ? SPELLINGS.get(candidates[0] ?? '') : undefined
      if (option === undefined) {
        if (candidates.length === 0) problem('unknown', spelling, [word])
        else problem('ambiguous', spelling, [word], candidates)
      } else if (option.takesValue) {
        withValue(option.name, spelling, word, inline)
      } else {
        options.push({ name: option.name, spelling, value: undefined, words: [word] })
        if (inline !== undefined) problem('unexpected-value', spelling, [word])
      }
    } else if (word.startsWith('-') && word.length > 1) {
      for (let j = 1; j < word.length; j++) {
        const spelling = `-${word.charAt(j)}`
        const option = SPELLINGS.get(spelling)
        if (option === undefined) problem('unknown', spelling, [word])
        else if (!option.takesValue)
          options.push({ name: option.name, spelling, value: undefined, words: [word] })
        else {
          withValue(option.name, spelling, word, j + 1 < word.length ? word.slice(j + 1) : undefined)
          break
        }
      }
    } else {
      positional.push(word)
    }
  }
  return { options, positional, problems }
}

/**
 * Why `args` (the words of input `inputName`) would install outside the venv, or undefined. An option is
 * refused whatever its value, even an empty one: it was written on purpose, and removing it costs nothing.
 */
export function outsideVenvProblem(args: readonly string[], inputName: string): string | undefined {
  const parsed = parsePipArgs(args)
  const fix = 'Remove it: packages belong in the venv that is cached.'
  const option = parsed.options.find((o) => optionCategory(o.name) === 'outside')
  if (option !== undefined) {
    const readAs = option.spelling === `--${option.name}` ? '' : ` (pip reads it as --${option.name})`
    return `Input '${inputName}' has '${option.words.join(' ')}'${readAs}, which installs outside the venv. ${fix}`
  }
  for (const p of parsed.problems) {
    const outside = p.candidates.filter((c) => SPELLINGS.get(c)?.category === 'outside')
    if (outside.length > 0) {
      return (
        `Input '${inputName}' has '${p.spelling}', which could be any of ${p.candidates.join(', ')} ` +
        `(pip refuses it as ambiguous); ${outside.join(', ')} installs outside the venv. Spell out the ` +
        `option you mean: packages belong in the venv that is cached.`
      )
    }
  }
  return undefined
}
