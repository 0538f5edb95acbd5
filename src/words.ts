// Splits `pip-args` into argv the way a shell splits words, without ever running a shell. Backslash escapes
// only a quote, a space or another backslash, so that Windows paths such as C:\wheels survive as written.
import { UsageError } from './errors.js'

export function splitWords(text: string, inputName: string): string[] {
  const words: string[] = []
  let word = ''
  let inWord = false
  let quote: '"' | "'" | undefined
  for (let i = 0; i < text.length; i++) {
    const ch = text.charAt(i)
    const next = text.charAt(i + 1)
    if (quote === "'") {
      if (ch === "'") quote = undefined
      else word += ch
    } else if (
      ch === '\\' &&
      (next === '\\' || next === '"' || (quote === undefined && /[\s']/.test(next)))
    ) {
      word += next
      inWord = true
      i++
    } else if (quote === '"') {
      if (ch === '"') quote = undefined
      else word += ch
    } else if (ch === '"' || ch === "'") {
      quote = ch
      inWord = true
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word)
      word = ''
      inWord = false
    } else {
      word += ch
      inWord = true
    }
  }
  if (quote !== undefined) {
    throw new UsageError(
      `Input '${inputName}' has an unclosed ${quote} quote. Close it, or escape it with a backslash.`,
    )
  }
  if (inWord) words.push(word)
  return words
}
