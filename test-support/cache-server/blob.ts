// The "storage account" behind the signed URLs. Uploads arrive from the Azure Storage SDK
// (BlockBlobClient.uploadFile: one Put Blob up to 128 MiB, else Put Block per block + Put Block List);
// downloads are plain GETs because the library only uses the SDK for *.blob.core.windows.net hosts.
import * as fs from 'node:fs'
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { OutgoingHttpHeaders } from 'node:http'
import { pipeline } from 'node:stream/promises'
import type { CacheStore, EntryInfo, Outcome, Received } from './store.js'
import type { Faults } from './faults.js'
import { azureHeaders, drain, head, readBody, type Ctx } from './http.js'

// Path-style (account/container/blob) like Azurite, so BlobClient parses an IP-host URL cleanly.
export const BLOB_PREFIX = '/devstoreaccount1/actions-cache/'

type Permission = 'r' | 'w'

/** Issues and checks the signed URLs. The secret is per server, like a SAS that expires on restart. */
export class BlobUrls {
  private readonly secret = randomBytes(32)

  constructor(private readonly base: string) {}

  url(id: number, perm: Permission): string {
    return `${this.base}${BLOB_PREFIX.slice(1)}${id}?sv=2025-11-05&sp=${perm}&sig=${encodeURIComponent(this.sign(id, perm))}`
  }

  verify(id: number, perm: Permission, sig: string): boolean {
    const want = Buffer.from(this.sign(id, perm))
    const got = Buffer.from(sig)
    return want.length === got.length && timingSafeEqual(want, got)
  }

  private sign(id: number, perm: Permission): string {
    return createHmac('sha256', this.secret).update(`${perm}:${id}`).digest('base64')
  }
}

export interface BlobDeps {
  store: CacheStore
  urls: BlobUrls
  faults: () => Faults
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`)
}

export function sendAzureError(ctx: Ctx, status: number, code: string, message: string): void {
  const xml = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error>`
  head(ctx, status, {
    ...azureHeaders(),
    'x-ms-error-code': code,
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(xml),
  })
  ctx.res.end(xml)
}

function etag(entry: EntryInfo): string {
  return `"0x8D${createHash('sha1').update(`${entry.id}:${entry.createdAt}`).digest('hex').slice(0, 13).toUpperCase()}"`
}

function writeHeaders(entry: EntryInfo, md5?: string): OutgoingHttpHeaders {
  return {
    ...azureHeaders(),
    etag: etag(entry),
    'last-modified': new Date().toUTCString(),
    'x-ms-request-server-encrypted': 'true',
    'content-length': 0,
    ...(md5 === undefined ? {} : { 'content-md5': md5 }),
  }
}

function blobOp(method: string | undefined, comp: string | null): string {
  if (method === 'GET') return 'download'
  if (method === 'HEAD') return 'getProperties'
  if (method !== 'PUT') return method ?? '?'
  if (comp === 'block') return 'putBlock'
  if (comp === 'blocklist') return 'putBlockList'
  return 'putBlob'
}

export async function handleBlob(ctx: Ctx, deps: BlobDeps): Promise<void> {
  const { req, url } = ctx
  const comp = url.searchParams.get('comp')
  ctx.record.op = blobOp(req.method, comp)
  const idText = url.pathname.slice(BLOB_PREFIX.length)
  const id = /^\d+$/.test(idText) ? Number(idText) : undefined
  const reading = req.method === 'GET' || req.method === 'HEAD'
  if (!reading && req.method !== 'PUT') {
    await drain(req)
    sendAzureError(ctx, 405, 'UnsupportedHttpVerb', `${req.method ?? ''} is not supported`)
    return
  }
  if (id === undefined || !deps.urls.verify(id, reading ? 'r' : 'w', url.searchParams.get('sig') ?? '')) {
    await drain(req)
    sendAzureError(ctx, 403, 'AuthenticationFailed', 'signature or permission does not match')
    return
  }
  if (reading) await download(ctx, deps, id)
  else await upload(ctx, deps, id, comp)
}

async function download(ctx: Ctx, deps: BlobDeps, id: number): Promise<void> {
  const entry = deps.store.get(id)
  if (!entry?.finalized) {
    sendAzureError(ctx, 404, 'BlobNotFound', 'The specified blob does not exist.')
    return
  }
  const headers: OutgoingHttpHeaders = {
    ...azureHeaders(),
    'content-type': 'application/octet-stream',
    'content-length': entry.size,
    etag: etag(entry),
    'last-modified': new Date(entry.createdAt).toUTCString(),
    'x-ms-blob-type': 'BlockBlob',
  }
  if (ctx.req.method === 'HEAD') {
    head(ctx, 200, headers)
    ctx.res.end()
    return
  }
  const fault = deps.faults().download
  if (fault) ctx.record.fault = `download=${fault}`
  const file = deps.store.archivePath(id)
  switch (fault) {
    case 'status500':
      sendAzureError(ctx, 500, 'InternalError', 'injected fault: download=status500')
      return
    case 'truncate':
      head(ctx, 200, headers)
      if (entry.size >= 2) {
        await writeFlushed(ctx, fs.createReadStream(file, { start: 0, end: Math.floor(entry.size / 2) - 1 }))
      }
      ctx.res.destroy()
      return
    case 'stall':
      // A few bytes prove the response started; then silence, with the socket left open.
      head(ctx, 200, headers)
      ctx.res.write(readPrefix(file, 16))
      return
    case 'garbage':
      head(ctx, 200, headers)
      await writeFlushed(ctx, garbage(entry.size))
      ctx.res.end()
      return
    case 'corrupt': {
      const half = Math.floor(entry.size / 2)
      head(ctx, 200, headers)
      if (half > 0) await writeFlushed(ctx, fs.createReadStream(file, { start: 0, end: half - 1 }))
      await writeFlushed(ctx, [Buffer.alloc(entry.size - half)])
      ctx.res.end()
      return
    }
    case undefined:
      // Streamed at the socket's pace in 1 MiB reads, as a storage service sends it: the per-chunk
      // flush above is only for faults that must cut the body at an exact byte.
      head(ctx, 200, headers)
      await pipeline(fs.createReadStream(file, { highWaterMark: 1 << 20 }), ctx.res)
  }
}

/** Writes and waits until each chunk reached the socket, so a following destroy() cuts exactly there. */
async function writeFlushed(ctx: Ctx, source: Iterable<Buffer> | AsyncIterable<Buffer>): Promise<void> {
  for await (const chunk of source) {
    await new Promise<void>((resolve, reject) => {
      ctx.res.write(chunk, (error) => {
        if (error) reject(error)
        else resolve()
      })
    })
  }
}

function readPrefix(file: string, max: number): Buffer {
  const fd = fs.openSync(file, 'r')
  try {
    const buf = Buffer.alloc(max)
    return buf.subarray(0, fs.readSync(fd, buf, 0, max, 0))
  } finally {
    fs.closeSync(fd)
  }
}

// Neither zstd (28 b5 2f fd) nor gzip (1f 8b) magic, and random after that.
function* garbage(size: number): Generator<Buffer> {
  const magic = Buffer.from('JUNK')
  for (let sent = 0; sent < size;) {
    const chunk = randomBytes(Math.min(64 * 1024, size - sent))
    if (sent === 0) magic.copy(chunk, 0, 0, Math.min(magic.length, chunk.length))
    sent += chunk.length
    yield chunk
  }
}

async function upload(ctx: Ctx, deps: BlobDeps, id: number, comp: string | null): Promise<void> {
  const { req } = ctx
  const entry = deps.store.get(id)
  if (!entry || entry.finalized) {
    await drain(req)
    if (entry) sendAzureError(ctx, 409, 'BlobImmutableDueToPolicy', 'the cache entry is already finalized')
    else sendAzureError(ctx, 404, 'BlobNotFound', 'no reservation for this blob')
    return
  }
  if (deps.faults().upload === 'status500') {
    ctx.record.fault = 'upload=status500'
    await drain(req)
    sendAzureError(ctx, 500, 'InternalError', 'injected fault: upload=status500')
    return
  }
  const lengthHeader = req.headers['content-length']
  const expect = {
    size: lengthHeader === undefined ? undefined : Number(lengthHeader),
    md5: headerValue(req.headers['content-md5']),
  }
  if (comp === 'block') {
    const blockId = ctx.url.searchParams.get('blockid')
    if (!blockId) {
      await drain(req)
      sendAzureError(ctx, 400, 'InvalidQueryParameterValue', 'blockid is required')
      return
    }
    respondWrite(ctx, entry, await deps.store.stageBlock(id, blockId, req, expect))
  } else if (comp === 'blocklist') {
    const xml = (await readBody(req, 8 * 1024 * 1024)).toString('utf8')
    const ids = [...xml.matchAll(/<(Latest|Committed|Uncommitted)>([^<]*)<\/\1>/g)].map((m) => m[2] ?? '')
    const md5 = createHash('md5').update(xml).digest('base64')
    const result = await deps.store.commitBlocks(id, ids)
    if (result.ok) respondWrite(ctx, entry, { ok: true, size: result.size, md5 })
    else sendAzureError(ctx, 400, 'InvalidBlockList', result.reason)
  } else if (comp === null) {
    if (req.headers['x-ms-blob-type'] !== 'BlockBlob') {
      await drain(req)
      sendAzureError(ctx, 400, 'MissingRequiredHeader', 'x-ms-blob-type: BlockBlob is required')
      return
    }
    respondWrite(ctx, entry, await deps.store.writeWhole(id, req, expect))
  } else {
    await drain(req)
    sendAzureError(ctx, 400, 'InvalidQueryParameterValue', `comp=${comp} is not supported here`)
  }
}

function respondWrite(ctx: Ctx, entry: EntryInfo, result: Outcome<Received>): void {
  if (!result.ok) {
    sendAzureError(
      ctx,
      400,
      result.reason.startsWith('Content-MD5') ? 'Md5Mismatch' : 'InvalidInput',
      result.reason,
    )
    return
  }
  head(ctx, 201, writeHeaders(entry, result.md5))
  ctx.res.end()
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}
