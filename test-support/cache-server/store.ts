// Disk-backed entry store. Everything lives under one directory so a second server (or process)
// pointed at it sees the same entries:
//   entries/<id>.json     metadata, replaced atomically (write temp file + rename)
//   entries/<id>.archive  the finalized archive, renamed into place before the metadata says so
//   claims/<sha256>       one per key+version, created exclusively: the cross-process reservation lock
//   uploads/<id>.part     the uploaded bytes until finalize; uploads/<id>.blocks/ staged Azure blocks
import * as fs from 'node:fs'
import * as path from 'node:path'
import { createHash, randomBytes } from 'node:crypto'
import { pipeline } from 'node:stream/promises'
import type { Readable } from 'node:stream'

export interface EntryInfo {
  id: number
  key: string
  version: string
  /** Archive size in bytes; 0 until finalized. */
  size: number
  /** ISO time of the reservation; "newest" in lookups means the latest of these. */
  createdAt: string
  finalized: boolean
}

export type Outcome<T = object> = ({ ok: true } & T) | { ok: false; reason: string }

export interface Expect {
  size?: number
  /** base64 MD5, as in a Content-MD5 header. */
  md5?: string
}

export interface Received {
  size: number
  md5: string
}

// Duck-typed: under jest's vm contexts, errors from node:fs fail `instanceof Error`.
function isErrno(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as NodeJS.ErrnoException).code === code
}

function tempName(file: string): string {
  return `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`
}

function parseEntry(text: string): EntryInfo | undefined {
  try {
    const value = JSON.parse(text) as Partial<EntryInfo>
    return typeof value.id === 'number' && typeof value.key === 'string' ? (value as EntryInfo) : undefined
  } catch {
    // An id file that was just claimed is still empty; it is not an entry yet.
    return undefined
  }
}

export class CacheStore {
  private readonly entriesDir: string
  private readonly claimsDir: string
  private readonly uploadsDir: string

  constructor(readonly dir: string) {
    this.entriesDir = path.join(dir, 'entries')
    this.claimsDir = path.join(dir, 'claims')
    this.uploadsDir = path.join(dir, 'uploads')
    for (const d of [this.entriesDir, this.claimsDir, this.uploadsDir]) fs.mkdirSync(d, { recursive: true })
  }

  list(): EntryInfo[] {
    const entries: EntryInfo[] = []
    for (const name of fs.readdirSync(this.entriesDir)) {
      if (!/^\d+\.json$/.test(name)) continue
      const entry = this.read(path.join(this.entriesDir, name))
      if (entry) entries.push(entry)
    }
    return entries.sort((a, b) => a.id - b.id)
  }

  get(id: number): EntryInfo | undefined {
    return this.read(this.metaPath(id))
  }

  archivePath(id: number): string {
    return path.join(this.entriesDir, `${id}.archive`)
  }

  /** Claims key+version for one writer; refused while another writer holds it or once it exists. */
  reserve(key: string, version: string): Outcome<{ id: number }> {
    const claim = this.claimPath(key, version)
    try {
      fs.writeFileSync(claim, '', { flag: 'wx' })
    } catch (error) {
      if (!isErrno(error, 'EEXIST')) throw error
      const existing = this.list().find((e) => e.key === key && e.version === version)
      return {
        ok: false,
        reason: existing?.finalized
          ? 'cache entry with the same key, version, and scope already exists'
          : 'another job is creating a cache entry with the same key and version',
      }
    }
    const id = this.allocateId()
    this.writeMeta({ id, key, version, size: 0, createdAt: new Date().toISOString(), finalized: false })
    fs.writeFileSync(claim, String(id))
    return { ok: true, id }
  }

  /** Deletes every entry (and reservation) with this key, as `gh cache delete <key>` does; returns how many. */
  deleteKey(key: string): number {
    const doomed = this.list().filter((e) => e.key === key)
    for (const entry of doomed) {
      fs.rmSync(this.claimPath(entry.key, entry.version), { force: true })
      fs.rmSync(this.archivePath(entry.id), { force: true })
      fs.rmSync(this.partPath(entry.id), { force: true })
      fs.rmSync(this.blocksDir(entry.id), { recursive: true, force: true })
      fs.rmSync(this.metaPath(entry.id), { force: true })
    }
    return doomed.length
  }

  /** The reservation a v2 finalize refers to: v2 names entries by key+version, not by id. */
  findReserved(key: string, version: string): EntryInfo | undefined {
    return this.list().find((e) => e.key === key && e.version === version && !e.finalized)
  }

  /** v1 chunk: bytes at an offset of the upload, chunks arriving in any order and concurrently. */
  async writeAt(id: number, start: number, body: Readable, expect: Expect): Promise<Outcome<Received>> {
    const part = this.partPath(id)
    fs.closeSync(fs.openSync(part, 'a'))
    const received = await receive(body, fs.createWriteStream(part, { flags: 'r+', start }))
    return check(received, expect)
  }

  /** v2 single-shot PUT: replaces the whole upload. */
  async writeWhole(id: number, body: Readable, expect: Expect): Promise<Outcome<Received>> {
    return this.writeReplacing(this.partPath(id), body, expect)
  }

  async stageBlock(id: number, blockId: string, body: Readable, expect: Expect): Promise<Outcome<Received>> {
    const dir = this.blocksDir(id)
    fs.mkdirSync(dir, { recursive: true })
    return this.writeReplacing(path.join(dir, blockFileName(blockId)), body, expect)
  }

  /** Concatenates staged blocks in list order into the upload, as Azure's Put Block List does. */
  async commitBlocks(id: number, blockIds: readonly string[]): Promise<Outcome<{ size: number }>> {
    const dir = this.blocksDir(id)
    const files = blockIds.map((b) => path.join(dir, blockFileName(b)))
    const missing = blockIds.filter((_, i) => !fs.existsSync(files[i] ?? ''))
    if (missing.length > 0)
      return { ok: false, reason: `uncommitted block ids not found: ${missing.join(', ')}` }
    const part = this.partPath(id)
    const tmp = tempName(part)
    await pipeline(async function* () {
      for (const file of files) yield* fs.createReadStream(file)
    }, fs.createWriteStream(tmp))
    fs.renameSync(tmp, part)
    fs.rmSync(dir, { recursive: true, force: true })
    return { ok: true, size: fs.statSync(part).size }
  }

  /** Moves the upload into place and only then marks the entry finalized, so readers never see half. */
  finalize(id: number, expectedSize?: number): Outcome<{ entry: EntryInfo }> {
    const entry = this.get(id)
    if (!entry) return { ok: false, reason: `no cache entry ${id}` }
    if (entry.finalized) return { ok: false, reason: `cache entry ${id} is already finalized` }
    const part = this.partPath(id)
    if (!fs.existsSync(part)) return { ok: false, reason: `nothing was uploaded for cache entry ${id}` }
    const size = fs.statSync(part).size
    if (expectedSize !== undefined && size !== expectedSize) {
      return { ok: false, reason: `size mismatch: ${size} bytes uploaded, ${expectedSize} announced` }
    }
    fs.renameSync(part, this.archivePath(id))
    const done = { ...entry, size, finalized: true }
    this.writeMeta(done)
    fs.rmSync(this.blocksDir(id), { recursive: true, force: true })
    return { ok: true, entry: done }
  }

  private async writeReplacing(dest: string, body: Readable, expect: Expect): Promise<Outcome<Received>> {
    const tmp = tempName(dest)
    try {
      const result = check(await receive(body, fs.createWriteStream(tmp)), expect)
      if (result.ok) fs.renameSync(tmp, dest)
      return result
    } finally {
      fs.rmSync(tmp, { force: true })
    }
  }

  private allocateId(): number {
    let id = 1 + Math.max(0, ...this.list().map((e) => e.id))
    for (;;) {
      try {
        fs.writeFileSync(this.metaPath(id), '', { flag: 'wx' })
        return id
      } catch (error) {
        if (!isErrno(error, 'EEXIST')) throw error
        id++
      }
    }
  }

  private writeMeta(entry: EntryInfo): void {
    const file = this.metaPath(entry.id)
    const tmp = tempName(file)
    fs.writeFileSync(tmp, `${JSON.stringify(entry, null, 2)}\n`)
    fs.renameSync(tmp, file)
  }

  private read(file: string): EntryInfo | undefined {
    try {
      return parseEntry(fs.readFileSync(file, 'utf8'))
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return undefined
      throw error
    }
  }

  private claimPath(key: string, version: string): string {
    return path.join(this.claimsDir, createHash('sha256').update(`${key}\0${version}`).digest('hex'))
  }

  private metaPath(id: number): string {
    return path.join(this.entriesDir, `${id}.json`)
  }

  private partPath(id: number): string {
    return path.join(this.uploadsDir, `${id}.part`)
  }

  private blocksDir(id: number): string {
    return path.join(this.uploadsDir, `${id}.blocks`)
  }
}

// Block ids are base64 and may contain '/', so they are hex-encoded to make safe file names.
function blockFileName(blockId: string): string {
  return Buffer.from(blockId, 'utf8').toString('hex')
}

async function receive(body: Readable, out: fs.WriteStream): Promise<Received> {
  const md5 = createHash('md5')
  let size = 0
  await pipeline(
    body,
    async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        md5.update(chunk)
        size += chunk.length
        yield chunk
      }
    },
    out,
  )
  return { size, md5: md5.digest('base64') }
}

function check(received: Received, expect: Expect): Outcome<Received> {
  if (expect.size !== undefined && received.size !== expect.size) {
    return { ok: false, reason: `received ${received.size} bytes, expected ${expect.size}` }
  }
  if (expect.md5 !== undefined && received.md5 !== expect.md5) {
    return { ok: false, reason: `Content-MD5 mismatch: got ${received.md5}, header said ${expect.md5}` }
  }
  return { ok: true, ...received }
}
