// Local stand-in for the GitHub Actions cache service, speaking both protocols @actions/cache 6 uses:
// v2 (twirp + signed blob URLs, github.com) and v1 (REST, GitHub Enterprise Server).
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import { BLOB_PREFIX, BlobUrls, handleBlob, sendAzureError, type BlobDeps } from './blob.js'
import { envV1, envV2, RUNTIME_TOKEN } from './env.js'
import type { Faults } from './faults.js'
import { drain, HttpError, sendJson, type Ctx, type Protocol, type RecordedRequest } from './http.js'
import { CacheStore, type EntryInfo } from './store.js'
import { handleV1, V1_PREFIX, type V1Deps } from './v1.js'
import { handleV2, twirpError, V2_PREFIX, type V2Deps } from './v2.js'

export type { EntryInfo } from './store.js'
export type { Faults } from './faults.js'
export type { Protocol, RecordedRequest } from './http.js'
export { UNSET_FOR_V1, RUNTIME_TOKEN } from './env.js'

export interface CacheServerOptions {
  /** Where entries live; created if missing. Reuse it to see a previous server's entries. */
  dir: string
  /** 0 (the default) picks a free port. */
  port?: number
  faults?: Faults
  /** Called once per finished request, e.g. to log from the CLI. */
  onRequest?: (request: RecordedRequest) => void
}

export interface CacheServer {
  /** `http://127.0.0.1:<port>/`, with the trailing slash the library expects. */
  url: string
  port: number
  dir: string
  /** Every request in arrival order; the same array for the server's life, so `length = 0` clears it. */
  requests: RecordedRequest[]
  clearRequests(): void
  entries(): EntryInfo[]
  /** Deletes the entries with this key, as `gh cache delete <key>` does; returns how many there were. */
  deleteKey(key: string): number
  /** Replaces the whole fault set (it does not merge). */
  setFaults(faults: Faults): void
  clearFaults(): void
  /** v1 env; also delete the names in UNSET_FOR_V1 from the target environment. */
  envV1(): Record<string, string>
  envV2(): Record<string, string>
  close(): Promise<void>
}

function protocolOf(pathname: string): Protocol {
  if (pathname.startsWith(V1_PREFIX)) return 'v1'
  if (pathname.startsWith(V2_PREFIX)) return 'v2'
  if (pathname.startsWith(BLOB_PREFIX)) return 'blob'
  return 'unknown'
}

function answerError(ctx: Ctx, status: number, message: string): void {
  if (ctx.record.protocol === 'v2') {
    twirpError(ctx, status === 400 ? 'malformed' : 'internal', message)
  } else if (ctx.record.protocol === 'blob') {
    sendAzureError(ctx, status, status === 500 ? 'InternalError' : 'InvalidInput', message)
  } else {
    sendJson(ctx, status, { message })
  }
}

async function route(ctx: Ctx, deps: V1Deps & V2Deps & BlobDeps): Promise<void> {
  switch (ctx.record.protocol) {
    case 'v1':
      return handleV1(ctx, deps)
    case 'v2':
      return handleV2(ctx, deps)
    case 'blob':
      return handleBlob(ctx, deps)
    case 'unknown':
      await drain(ctx.req)
      answerError(ctx, 404, `nothing served at ${ctx.url.pathname}`)
  }
}

export async function startCacheServer(options: CacheServerOptions): Promise<CacheServer> {
  const store = new CacheStore(options.dir)
  const requests: RecordedRequest[] = []
  let faults: Faults = { ...options.faults }

  // The request handler is attached only after listening: the signed blob URLs embed the port.
  const server = http.createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  const url = `http://127.0.0.1:${port}/`
  const deps = { store, urls: new BlobUrls(url), faults: () => faults, token: RUNTIME_TOKEN }

  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const parsed = new URL(req.url ?? '/', url)
    const record: RecordedRequest = {
      method: req.method ?? '',
      path: parsed.pathname,
      protocol: protocolOf(parsed.pathname),
      op: 'unknown',
      status: 0,
    }
    requests.push(record)
    res.on('close', () => options.onRequest?.(record))
    const ctx: Ctx = { req, res, url: parsed, record }
    route(ctx, deps).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy()
        return
      }
      const status = error instanceof HttpError ? error.status : 500
      // Not `instanceof Error`: errors from node built-ins come from another realm under jest.
      const message = (error as { message?: unknown } | null)?.message
      answerError(ctx, status, typeof message === 'string' ? message : String(error))
    })
  })
  let closing: Promise<void> | undefined

  return {
    url,
    port,
    dir: options.dir,
    requests,
    clearRequests: () => {
      requests.length = 0
    },
    entries: () => store.list(),
    deleteKey: (key) => store.deleteKey(key),
    setFaults: (next) => {
      faults = { ...next }
    },
    clearFaults: () => {
      faults = {}
    },
    envV1: () => envV1(url),
    envV2: () => envV2(url),
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => {
          if (error) reject(error)
          else resolve()
        })
        // Stalled downloads never end on their own; cut them so close() returns.
        server.closeAllConnections()
      })
      return closing
    },
  }
}
