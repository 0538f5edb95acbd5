// The package index configuration pip will use, for the cache key: a venv built from another index may
// hold other files. Credentials are stripped before anything leaves this module.
import * as fs from 'node:fs'

const INDEX_SETTINGS = ['index-url', 'extra-index-url', 'find-links', 'no-index'] as const
const SECTIONS = ['global', 'install']

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
 * Index settings from pip's config files (in `files` order) and PIP_* variables, as `source name=value`
 * lines with credentials stripped. Every source is listed rather than resolved to pip's winner: a change in
 * any of them then changes the key, which at worst costs one needless rebuild.
 */
export function indexSettings(
  files: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): string[] {
  const settings: string[] = []
  const configFile = env['PIP_CONFIG_FILE']
  // pip reads no config file at all when PIP_CONFIG_FILE is the null device.
  const readFiles = configFile === '/dev/null' || configFile?.toLowerCase() === 'nul' ? [] : [...files]
  if (configFile !== undefined && configFile !== '' && readFiles.length > 0) readFiles.push(configFile)
  for (const file of readFiles) {
    let text: string
    try {
      text = fs.readFileSync(file, 'utf8')
    } catch {
      continue
    }
    for (const [name, value] of iniIndexSettings(text)) settings.push(`${file} ${name}=${stripAll(value)}`)
  }
  for (const name of INDEX_SETTINGS) {
    const value = env[`PIP_${name.toUpperCase().replaceAll('-', '_')}`]
    if (value !== undefined && value !== '') settings.push(`env ${name}=${stripAll(value)}`)
  }
  return settings
}

function stripAll(value: string): string {
  return value
    .split(/\s+/)
    .filter((v) => v !== '')
    .map(stripCredentials)
    .join(' ')
}

function iniIndexSettings(text: string): [string, string][] {
  const found: [string, string][] = []
  let section = ''
  let last: [string, string] | undefined
  for (const raw of text.split(/\r?\n/)) {
    if (/^\s*[#;]/.test(raw) || raw.trim() === '') continue
    if (/^\s/.test(raw) && last !== undefined) {
      last[1] += ` ${raw.trim()}` // a continuation line of a multi-line value
      continue
    }
    last = undefined
    const header = /^\[(.+)\]\s*$/.exec(raw)
    if (header?.[1] !== undefined) {
      section = header[1].trim()
      continue
    }
    const pair = /^([^=:]+)[=:](.*)$/.exec(raw)
    const name = pair?.[1]?.trim().toLowerCase().replaceAll('_', '-')
    if (pair?.[2] === undefined || name === undefined) continue
    if (SECTIONS.includes(section) && (INDEX_SETTINGS as readonly string[]).includes(name)) {
      last = [`${section}.${name}`, pair[2].trim()]
      found.push(last)
    }
  }
  return found
}
