// Cache service v2, the twirp JSON API github.com serves under ACTIONS_RESULTS_URL. The client sends
// proto field names (snake_case); protobuf-ts accepts either spelling back, and we answer in
// snake_case like the real service. int64 fields travel as JSON strings.
import type { BlobUrls } from './blob.js'
import type { Faults } from './faults.js'
import type { CacheStore } from './store.js'
import { bearerToken, drain, readJson, sendJson, sleep, type Ctx } from './http.js'
import { findMatch, keyProblem, MAX_KEYS } from './rules.js'

export const V2_PREFIX = '/twirp/github.actions.results.api.v1.CacheService/'

export interface V2Deps {
  store: CacheStore
  urls: BlobUrls
  faults: () => Faults
  token: string
}

type Body = Record<string, unknown>
type Method = (ctx: Ctx, deps: V2Deps, body: Body) => Promise<void> | void

const TWIRP_STATUS = {
  internal: 500,
  resource_exhausted: 429,
  invalid_argument: 400,
  malformed: 400,
  bad_route: 404,
  unauthenticated: 401,
  already_exists: 409,
} as const

export function twirpError(ctx: Ctx, code: keyof typeof TWIRP_STATUS, msg: string, headers = {}): void {
  sendJson(ctx, TWIRP_STATUS[code], { code, msg }, headers)
}

function str(body: Body, name: string, camel = name): string {
  const value = body[name] ?? body[camel]
  return typeof value === 'string' ? value : ''
}

export async function handleV2(ctx: Ctx, deps: V2Deps): Promise<void> {
  const name = ctx.url.pathname.slice(V2_PREFIX.length)
  const methods: Record<string, Method> = {
    GetCacheEntryDownloadURL: lookup,
    CreateCacheEntry: create,
    FinalizeCacheEntryUpload: finalize,
  }
  const method = Object.hasOwn(methods, name) ? methods[name] : undefined
  ctx.record.op = method ? name : 'unknown'
  if (!method || ctx.req.method !== 'POST') {
    await drain(ctx.req)
    twirpError(ctx, 'bad_route', `no handler for ${ctx.req.method ?? ''} ${ctx.url.pathname}`)
    return
  }
  if (!(ctx.req.headers['content-type'] ?? '').startsWith('application/json')) {
    await drain(ctx.req)
    twirpError(ctx, 'bad_route', 'only the JSON encoding is served here')
    return
  }
  if (bearerToken(ctx.req) !== deps.token) {
    await drain(ctx.req)
    twirpError(ctx, 'unauthenticated', 'missing or wrong bearer token')
    return
  }
  await method(ctx, deps, await readJson(ctx.req))
}

function lookup(ctx: Ctx, deps: V2Deps, body: Body): void {
  const fault = deps.faults().lookup
  if (fault) {
    ctx.record.fault = `lookup=${fault}`
    if (fault === 'status429') {
      twirpError(ctx, 'resource_exhausted', 'injected fault: lookup=status429', { 'retry-after': '1' })
    } else {
      twirpError(ctx, 'internal', 'injected fault: lookup=status500')
    }
    return
  }
  const version = str(body, 'version')
  const restoreKeys = body.restore_keys ?? body.restoreKeys ?? []
  if (version === '' || !Array.isArray(restoreKeys) || !restoreKeys.every((k) => typeof k === 'string')) {
    twirpError(ctx, 'invalid_argument', 'version and string restore_keys are required')
    return
  }
  const keys = [str(body, 'key'), ...restoreKeys]
  const entry =
    keys.length <= MAX_KEYS &&
    keys.every((k) => !keyProblem(k)) &&
    findMatch(deps.store.list(), keys, version)
  if (!entry) {
    sendJson(ctx, 200, { ok: false, signed_download_url: '', matched_key: '' })
    return
  }
  sendJson(ctx, 200, { ok: true, signed_download_url: deps.urls.url(entry.id, 'r'), matched_key: entry.key })
}

function create(ctx: Ctx, deps: V2Deps, body: Body): void {
  if (deps.faults().reserve === 'status500') {
    ctx.record.fault = 'reserve=status500'
    twirpError(ctx, 'internal', 'injected fault: reserve=status500')
    return
  }
  const key = str(body, 'key')
  const version = str(body, 'version')
  const problem = keyProblem(key) ?? (version === '' ? 'version is required' : undefined)
  if (problem) {
    sendJson(ctx, 200, { ok: false, signed_upload_url: '', message: problem })
    return
  }
  const result = deps.store.reserve(key, version)
  if (!result.ok) {
    // github.com answers a duplicate with twirp 409, not ok:false; the library logs the two differently.
    twirpError(ctx, 'already_exists', result.reason)
    return
  }
  sendJson(ctx, 200, { ok: true, signed_upload_url: deps.urls.url(result.id, 'w') })
}

async function finalize(ctx: Ctx, deps: V2Deps, body: Body): Promise<void> {
  const faults = deps.faults()
  if (faults.commitDelayMs) await sleep(faults.commitDelayMs)
  if (faults.commit === 'status500') {
    ctx.record.fault = 'commit=status500'
    twirpError(ctx, 'internal', 'injected fault: commit=status500')
    return
  }
  const key = str(body, 'key')
  const version = str(body, 'version')
  const sizeText = body.size_bytes ?? body.sizeBytes
  const size = typeof sizeText === 'string' || typeof sizeText === 'number' ? Number(sizeText) : NaN
  const reserved = deps.store.findReserved(key, version)
  const result = reserved
    ? deps.store.finalize(reserved.id, Number.isInteger(size) ? size : undefined)
    : { ok: false as const, reason: 'no reserved cache entry with this key and version' }
  if (!result.ok) {
    sendJson(ctx, 200, { ok: false, entry_id: '0', message: result.reason })
    return
  }
  sendJson(ctx, 200, { ok: true, entry_id: String(result.entry.id) })
}
