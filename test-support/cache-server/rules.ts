// Cache semantics shared by both protocols, kept free of I/O so they read like GitHub's documentation.
import type { EntryInfo } from './store.js'

export const MAX_KEY_LENGTH = 512
export const MAX_KEYS = 10

/** Why GitHub would refuse this key, or undefined when it is acceptable. */
export function keyProblem(key: string): string | undefined {
  if (key === '') return 'Key Validation Error: key cannot be empty.'
  if (key.length > MAX_KEY_LENGTH) {
    return `Key Validation Error: ${key} cannot be larger than ${MAX_KEY_LENGTH} characters.`
  }
  if (key.includes(',')) return `Key Validation Error: ${key} cannot contain commas.`
  return undefined
}

function newestFirst(a: EntryInfo, b: EntryInfo): number {
  return b.createdAt.localeCompare(a.createdAt) || b.id - a.id
}

/**
 * The first key must match exactly; failing that, every key (the first one included) is tried in
 * order as a prefix, and within one key the newest entry wins. Only finalized entries of exactly
 * this version are candidates.
 */
export function findMatch(entries: readonly EntryInfo[], keys: readonly string[], version: string) {
  const candidates = entries.filter((e) => e.finalized && e.version === version).sort(newestFirst)
  const primary = keys[0]
  if (primary === undefined) return undefined
  const exact = candidates.find((e) => e.key === primary)
  if (exact) return exact
  for (const prefix of keys) {
    const hit = candidates.find((e) => e.key.startsWith(prefix))
    if (hit) return hit
  }
  return undefined
}
