// PEP 508 requirement strings as far as the cache key needs them: the name, extras, version, URL and marker
// of a requirement, and one spelling for each so that formatting never changes the key. Not a full parser:
// anything it is not sure of is left as written. Pure.
import { normalizeName } from './requirements.js'

export interface Requirement {
  readonly name: string
  readonly extras: readonly string[]
  /** Version specifiers as written, '' for none. */
  readonly version: string
  readonly url: string | undefined
  readonly marker: string | undefined
  /** Everything before the marker, trimmed. */
  readonly base: string
}

const NAME = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[([^\]]*)\])?\s*/
const IDENTIFIER = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/
const CLAUSE = /^\s*(?:===|==|!=|<=|>=|~=|<|>)\s*[A-Za-z0-9_.*+!-]+\s*$/

/**
 * The parts of a PEP 508 requirement, or undefined for anything this reader is not sure of. Not a full
 * parser: it only needs to find the name, the extras and the marker, and to know when it cannot.
 */
export function parseRequirement(spec: string): Requirement | undefined {
  const head = NAME.exec(spec)
  const name = head?.[1]
  if (head === null || name === undefined) return undefined
  const extras = head[2]?.trim() ? head[2].split(',').map((e) => e.trim()) : []
  if (!extras.every((e) => IDENTIFIER.test(e))) return undefined
  const rest = spec.slice(head[0].length)
  let version = ''
  let url: string | undefined
  let markerAt: number
  if (rest.startsWith('@')) {
    // PEP 508: the URL runs to the next whitespace; a marker needs whitespace before its `;`.
    const match = /^@\s*(\S+)(\s*)/.exec(rest)
    if (match?.[1] === undefined) return undefined
    url = match[1]
    const after = rest.slice(match[0].length)
    if (after !== '' && (!after.startsWith(';') || match[2] === '')) return undefined
    markerAt = after === '' ? spec.length : head[0].length + match[0].length
  } else {
    const semicolon = rest.indexOf(';')
    version = (semicolon < 0 ? rest : rest.slice(0, semicolon)).trim()
    if (!isSpecifier(version)) return undefined
    markerAt = semicolon < 0 ? spec.length : head[0].length + semicolon
  }
  const marker = markerAt < spec.length ? spec.slice(markerAt + 1).trim() : undefined
  if (marker === '') return undefined
  return { name, extras, version, url, marker, base: spec.slice(0, markerAt).trim() }
}

function isSpecifier(text: string): boolean {
  if (text === '') return true
  const inner = /^\((.*)\)$/.exec(text)?.[1] ?? text
  return inner.split(',').every((clause) => CLAUSE.test(clause))
}

/**
 * A requirement in one spelling, for the cache key: the name and extras normalized (PEP 503, PEP 685),
 * the extras sorted, whitespace dropped from version specifiers, markers in one spacing with double quotes.
 * Anything it is not sure of is kept as written: a false "changed" costs a rebuild, a false "same" would
 * hand over a stale venv. Versions, URLs and the strings in markers are never altered.
 */
export function normalizeRequirement(spec: string): string {
  const parts = parseRequirement(spec)
  if (parts === undefined) return spec.trim()
  const marker = parts.marker === undefined ? undefined : normalizeMarker(parts.marker)
  if (marker === null) return spec.trim()
  const extras = [...new Set(parts.extras.map(normalizeName))].sort()
  const head = normalizeName(parts.name) + (extras.length > 0 ? `[${extras.join(',')}]` : '')
  if (parts.url !== undefined) return `${head} @ ${parts.url}${marker === undefined ? '' : ` ; ${marker}`}`
  return `${head}${parts.version.replace(/\s+/g, '')}${marker === undefined ? '' : `; ${marker}`}`
}

const MARKER_TOKEN = /\s*(?:("[^"]*"|'[^']*')|(===|==|!=|<=|>=|~=|<|>|\(|\)|[A-Za-z_][A-Za-z0-9_.]*))/y

/** A marker in one spelling, or null when it holds anything but strings, names, operators and parentheses. */
function normalizeMarker(marker: string): string | null {
  const tokens: string[] = []
  const text = marker.trim()
  for (let at = 0; at < text.length;) {
    MARKER_TOKEN.lastIndex = at
    const match = MARKER_TOKEN.exec(text)
    if (match === null) return null
    at = MARKER_TOKEN.lastIndex
    const [, quoted, other] = match
    if (quoted !== undefined) {
      // 'x' and "x" are the same string; a string holding a double quote keeps its single quotes.
      tokens.push(quoted.startsWith("'") && !quoted.includes('"') ? `"${quoted.slice(1, -1)}"` : quoted)
    } else if (other !== undefined) {
      tokens.push(other)
    }
  }
  return tokens.reduce((out, token, i) => {
    const space = i > 0 && tokens[i - 1] !== '(' && token !== ')'
    return out + (space ? ' ' : '') + token
  }, '')
}

/** The sorted set of markers with one more; the set's order is free, and a sorted one compares. */
export function addMarker(markers: readonly string[], marker: string): string[] {
  return [...new Set([...markers, normalizeMarker(marker) ?? marker.trim()])].sort()
}
