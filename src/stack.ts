// Stacks name src/ files: a frame in the bundle (dist/index.js, minified) is shown at its place in the
// sources (src/run.ts:123:5), through the bundle's source map (dist/index.js.map).
//
// Node's own source map support does not serve here: process.setSourceMapsEnabled maps only modules loaded
// after it was called, never the bundle that calls it, and a loader that calls it before importing the
// bundle makes Node read and parse the 1 MB map on every start (measured side by side: about 25 ms of CPU
// and 8 MiB more per run). Here the map is read the first time a stack with a frame in the bundle is
// formatted: in a run that goes well, never.
import * as fs from 'node:fs'
import { SourceMap, type SourceMapPayload } from 'node:module'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * From now on, stacks show frames of the module at `moduleUrl` (the bundle: its import.meta.url) at their
 * place in the sources, when `<module>.map` exists and maps them; every other frame, and the rest of the
 * stack, is left as Node writes it.
 */
export function mapStacks(moduleUrl: string): void {
  const mapFile = `${fileURLToPath(moduleUrl)}.map`
  let map: SourceMap | null | undefined
  /** The source map, read once; null when it is missing or unreadable (the stack then stays as it is). */
  const sourceMap = (): SourceMap | null => {
    if (map === undefined) {
      try {
        map = new SourceMap(JSON.parse(fs.readFileSync(mapFile, 'utf8')) as SourceMapPayload)
      } catch {
        map = null
      }
    }
    return map
  }
  /** Where `site` is in the sources, or undefined when it is not in the module or not in its map. */
  const place = (site: NodeJS.CallSite): { from: string; to: string } | undefined => {
    const line = site.getLineNumber()
    const column = site.getColumnNumber()
    if (site.getFileName() !== moduleUrl || line === null || column === null) return undefined
    const found = sourceMap()?.findEntry(line - 1, column - 1)
    if (found === undefined || !('originalSource' in found)) return undefined
    const source = path.resolve(path.dirname(mapFile), found.originalSource)
    return {
      from: `${moduleUrl}:${line}:${column}`,
      to: `${source}:${found.originalLine + 1}:${found.originalColumn + 1}`,
    }
  }
  // Node's own formatter writes the text (a Node without one leaves it to V8: defaultFormat does as V8 does);
  // only the places of the bundle's frames are then rewritten in it.
  // eslint-disable-next-line @typescript-eslint/unbound-method -- Node's formatter uses no `this`
  const format = (Error.prepareStackTrace as Format | undefined) ?? defaultFormat
  Error.prepareStackTrace = (error, sites) => {
    const lines = String(format(error, sites)).split('\n')
    // The stack ends with one line per frame, in the order of `sites`; the message above them is left alone.
    const first = lines.length - sites.length
    sites.forEach((site, i) => {
      const at = place(site)
      const line = lines[first + i]
      if (at !== undefined && line?.startsWith('    at ')) lines[first + i] = line.replace(at.from, at.to)
    })
    return lines.join('\n')
  }
}

type Format = (error: Error, sites: NodeJS.CallSite[]) => unknown

/** V8's own layout, for a Node that has no Error.prepareStackTrace of its own to call. */
function defaultFormat(error: Error, sites: NodeJS.CallSite[]): string {
  let header: string
  try {
    header = Error.prototype.toString.call(error)
  } catch {
    header = '<error>'
  }
  // A CallSite's toString() is V8's text of the frame (the type leaves it out).
  const frame = (site: NodeJS.CallSite) => (site as unknown as { toString(): string }).toString()
  return [header, ...sites.map((site) => `    at ${frame(site)}`)].join('\n')
}
