// The settings pip takes from its config files and PIP_* variables, read the way pip reads them: refused
// when they would install outside the venv, listed for the cache key when they can change what is
// installed. Credentials are stripped before anything leaves this module for the key.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { UsageError } from './errors.js'
import { fileUrlPath, isUrl } from './localref.js'
import { optionCategory, optionName, type Category } from './pipoptions.js'

export interface PipSetting {
  /** Where it was read, for messages: `env PIP_TARGET`, or `/etc/pip.conf:7`. */
  readonly source: string
  /**
   * Where it was read, for the key: `env`, or the file and section (`/etc/pip.conf [install]`). No line
   * number: editing another line of the file does not change it.
   */
  readonly origin: string
  /**
   * The option's name (`no-deps` for PIP_NO_DEPENDENCIES). A key pip does not know is kept as written,
   * lower case with dashes: pip ignores it, but a newer pip may not, so it counts as 'outcome'.
   */
  readonly name: string
  readonly value: string
  readonly category: Category
}

/** A local file or directory that pip-args or a setting names, for its content to enter the key. */
export interface LocalPath {
  readonly source: string
  /** `constraint`, `requirement`, `find-links`, `build-constraint`, `requirements-from-script`, `editable`, `group` */
  readonly name: string
  /** Absolute: resolved against the directory pip runs in, or the path of a `file:` URL. */
  readonly path: string
}

// pip reads [global] and the command's own section; [DEFAULT] is configparser's: its keys appear in every
// section of the file, so they count when the file has one of the two.
const SECTIONS = ['global', 'install']
// What pip's strtobool takes for true.
const TRUE_WORDS = ['y', 'yes', 't', 'true', 'on', '1']

/** `https://user:token@host/simple` -> `https://host/simple`; anything that is not a URL is returned as is. */
export function stripCredentials(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/i, '$1')
}

/** The user-info part of every URL in `text`, to mask in the log. */
export function credentialsIn(text: string): string[] {
  const found: string[] = []
  for (const match of text.matchAll(/[a-z][a-z0-9+.-]*:\/\/([^/@\s]+)@/gi)) {
    const userinfo = match[1]
    if (userinfo === undefined) continue
    const password = userinfo.includes(':') ? userinfo.slice(userinfo.indexOf(':') + 1) : userinfo
    found.push(userinfo, decodeURIComponent(password))
  }
  return found
}

/**
 * Every setting of pip's config files (`files` in order, then PIP_CONFIG_FILE) and PIP_* variables (by
 * name), for `pip install`. Throws a UsageError for one that would install outside the venv.
 *
 * An empty value is no setting: pip drops empty values before applying any, so PIP_TARGET='' unsets
 * nothing in a file but is not a target either. Over-reading is on the safe side: the user's files are
 * read even when PIP_CONFIG_FILE names an existing file (pip then skips them), and on every OS a
 * lower-case pip_* variable counts (Windows' environment is case-insensitive).
 */
export function readPipSettings(
  files: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): PipSetting[] {
  const configFile = env['PIP_CONFIG_FILE']
  // pip reads no config file at all when PIP_CONFIG_FILE is the null device.
  const noFiles = configFile === '/dev/null' || configFile?.toLowerCase() === 'nul'
  const readFiles = noFiles ? [] : configFile ? [...files, configFile] : files
  const settings = [...readFiles.flatMap(fileSettings), ...envSettings(env)]
  for (const setting of settings) {
    if (installsOutside(setting)) throw new UsageError(outsideMessage(setting))
  }
  return settings
}

/**
 * The settings that can change what is installed, as `origin name=value` lines for the key, credentials
 * stripped. Every source is listed rather than resolved to pip's winner: a change in any of them then
 * changes the key, which at worst costs one needless rebuild.
 */
export function keySettings(settings: readonly PipSetting[]): string[] {
  return settings
    .filter((s) => s.category !== 'neutral')
    .map(
      (s) => `${s.origin} ${s.name}=${s.value.split(/\s+/).filter(Boolean).map(stripCredentials).join(' ')}`,
    )
}

/**
 * The local files and directories the 'file' settings name: constraint and requirement files, find-links
 * directories or files (URLs other than `file:` are not local), and so on, resolved against `cwd`. pip
 * splits the value of an option that may be repeated at whitespace.
 */
export function localPaths(settings: readonly PipSetting[], cwd: string): LocalPath[] {
  const found: LocalPath[] = []
  for (const s of settings) {
    if (s.category !== 'file') continue
    for (const value of s.name === 'group' ? [s.value] : s.value.split(/\s+/).filter(Boolean)) {
      const path = localPathOf(s.name, value, cwd)
      if (path !== undefined) found.push({ source: s.source, name: s.name, path })
    }
  }
  return found
}

/**
 * The local path one value of a 'file' option names, resolved against `cwd`, or undefined for a URL that
 * is not a `file:` one. A group's value is `[path:]group`, ./pyproject.toml without a path.
 */
export function localPathOf(name: string, value: string, cwd: string): string | undefined {
  const entry =
    name === 'group'
      ? value.includes(':')
        ? value.slice(0, value.lastIndexOf(':'))
        : 'pyproject.toml'
      : value
  if (/^file:/i.test(entry)) return fileUrlPath(entry, cwd)
  return isUrl(entry) ? undefined : path.resolve(cwd, entry) // http(s), git+https...: not local
}

/** Whether any of `settings` sets one of the flags `names` (pip's strtobool; an empty value does not). */
export function settingIsTrue(settings: readonly PipSetting[], names: readonly string[]): boolean {
  return settings.some((s) => names.includes(s.name) && TRUE_WORDS.includes(s.value.trim().toLowerCase()))
}

function installsOutside(s: PipSetting): boolean {
  // pip stores a config value for a flag as strtobool(value), without negating it for --no-user: there
  // `1` asks for a user install just as user=1 does.
  if (s.name === 'user' || s.name === 'no-user') return TRUE_WORDS.includes(s.value.toLowerCase())
  return s.category === 'outside'
}

function outsideMessage(s: PipSetting): string {
  const note = s.name === 'no-user' ? ' (pip takes no-user=1 from config as --user)' : ''
  if (s.origin === 'env') {
    const variable = s.source.slice('env '.length)
    return (
      `${variable} makes pip install outside the venv${note}, which the action caches: unset it for this ` +
      `step (env: ${variable}: '').`
    )
  }
  return (
    `'${s.name}' in ${s.source} makes pip install outside the venv${note}, which the action caches: remove it ` +
    `from ${s.source}, or have pip read no config file in this step (env: PIP_CONFIG_FILE: /dev/null, or ` +
    `nul on Windows).`
  )
}

function setting(source: string, origin: string, key: string, value: string): PipSetting {
  // pip's config keys are exact long spellings, with `_` for `-` and an optional leading `--`.
  const written = key.toLowerCase().replaceAll('_', '-').replace(/^--/, '')
  const name = optionName(written) ?? written
  return { source, origin, name, value, category: optionCategory(name) }
}

function envSettings(env: Readonly<Record<string, string | undefined>>): PipSetting[] {
  const settings: PipSetting[] = []
  for (const variable of Object.keys(env).sort()) {
    const value = env[variable]
    // PIP_CONFIG_FILE names a file read above; pip ignores PIP_VERSION and PIP_HELP.
    if (!/^PIP_/i.test(variable) || /^PIP_(CONFIG_FILE|VERSION|HELP)$/i.test(variable)) continue
    if (value !== undefined && value !== '') {
      settings.push(setting(`env ${variable}`, 'env', variable.slice(4), value))
    }
  }
  return settings
}

function fileSettings(file: string): PipSetting[] {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch {
    return [] // pip skips a config file it cannot find
  }
  const { entries, sections } = iniEntries(text)
  const withDefault = SECTIONS.some((s) => sections.has(s))
  return entries
    .filter(
      (e) => e.value !== '' && (SECTIONS.includes(e.section) || (e.section === 'DEFAULT' && withDefault)),
    )
    .map((e) => setting(`${file}:${e.line}`, `${file} [${e.section}]`, e.key, e.value))
}

interface IniEntry {
  readonly section: string
  readonly key: string
  value: string
  /** 1-based, of the key */
  readonly line: number
}

/**
 * Entries as Python's configparser reads them for pip: `key = value` or `key: value`, whole-line `#` and
 * `;` comments (a `#` later in a line is part of the value), a line indented deeper than its key continues
 * the value. Section names are case-sensitive and not trimmed.
 */
function iniEntries(text: string): { entries: IniEntry[]; sections: Set<string> } {
  const entries: IniEntry[] = []
  const sections = new Set<string>()
  let section: string | undefined
  let current: { entry: IniEntry; indent: number } | undefined
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim()
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return
    const indent = raw.length - raw.trimStart().length
    if (current !== undefined && indent > current.indent) {
      current.entry.value += `\n${line}`
      return
    }
    current = undefined
    const header = /^\[(.+)\]/.exec(line)
    if (header?.[1] !== undefined) {
      section = header[1]
      sections.add(section)
      return
    }
    const pair = /^(.*?)\s*[=:]\s*(.*)$/.exec(line)
    if (pair?.[1] === undefined || pair[2] === undefined || section === undefined) return // pip would fail
    current = { entry: { section, key: pair[1], value: pair[2], line: index + 1 }, indent }
    entries.push(current.entry)
  })
  return { entries, sections }
}
