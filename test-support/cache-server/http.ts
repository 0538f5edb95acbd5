// Request context and response helpers shared by the protocol handlers. Every response goes through
// `head`, which is what keeps the request log's status accurate even for responses that never end.
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http'
import { randomUUID } from 'node:crypto'
import { finished } from 'node:stream/promises'

export type Protocol = 'v1' | 'v2' | 'blob' | 'unknown'

export interface RecordedRequest {
  method: string
  /** URL path without the query string. */
  path: string
  protocol: Protocol
  /** Protocol operation, e.g. `reserve`, `CreateCacheEntry`, `putBlock`; shapes that share a path differ here. */
  op: string
  /** Status sent, or 0 while no headers have gone out. */
  status: number
  /** The injected fault that shaped the answer, e.g. `download=stall`. */
  fault?: string
}

export interface Ctx {
  req: IncomingMessage
  res: ServerResponse
  url: URL
  record: RecordedRequest
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

export function head(ctx: Ctx, status: number, headers: OutgoingHttpHeaders = {}): void {
  ctx.record.status = status
  ctx.res.writeHead(status, headers)
}

export function sendJson(ctx: Ctx, status: number, body: unknown, headers: OutgoingHttpHeaders = {}): void {
  const text = JSON.stringify(body)
  head(ctx, status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  })
  ctx.res.end(text)
}

export function sendEmpty(ctx: Ctx, status: number, headers: OutgoingHttpHeaders = {}): void {
  head(ctx, status, { 'content-length': 0, ...headers })
  ctx.res.end()
}

/** Azure-style bookkeeping headers; the storage SDK copies them into its responses. */
export function azureHeaders(): OutgoingHttpHeaders {
  return { 'x-ms-request-id': randomUUID(), 'x-ms-version': '2025-11-05', date: new Date().toUTCString() }
}

export async function readBody(req: IncomingMessage, limit = 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    const buf = chunk as Buffer
    size += buf.length
    if (size > limit) throw new HttpError(413, `request body over ${limit} bytes`)
    chunks.push(buf)
  }
  return Buffer.concat(chunks)
}

export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = (await readBody(req)).toString('utf8')
  let parsed: unknown
  try {
    parsed = JSON.parse(text === '' ? '{}' : text)
  } catch {
    throw new HttpError(400, 'request body is not JSON')
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new HttpError(400, 'request body is not a JSON object')
  }
  return parsed as Record<string, unknown>
}

/**
 * Consumes an unwanted request body before answering. Answering while the client is still
 * sending makes it see EPIPE/ECONNRESET instead of the status, and the libraries retry those
 * differently from a clean 5xx.
 */
export async function drain(req: IncomingMessage): Promise<void> {
  req.resume()
  await finished(req)
}

export function bearerToken(req: IncomingMessage): string | undefined {
  const match = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')
  return match?.[1]
}

// node:timers/promises rather than the global setTimeout: tests may speed up the client libraries'
// retry sleeps by patching the global, and that must not shorten a delay the server injects.
export { setTimeout as sleep } from 'node:timers/promises'
