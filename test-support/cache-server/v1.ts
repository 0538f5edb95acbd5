// Cache service v1, the REST API GitHub Enterprise Server exposes under ACTIONS_CACHE_URL.
// Shapes follow @actions/cache's cacheHttpClient.js: errors carry a JSON `message`, which the
// library's HttpClient surfaces as the error text.
import type { BlobUrls } from './blob.js'
import type { Faults } from './faults.js'
import type { CacheStore } from './store.js'
import { bearerToken, drain, HttpError, readJson, sendEmpty, sendJson, sleep, type Ctx } from './http.js'
import { findMatch, keyProblem, MAX_KEYS } from './rules.js'

export const V1_PREFIX = '/_apis/artifactcache/'

// Stands in for the ref the runner's token is scoped to; GHES reports it back verbatim.
const SCOPE = 'refs/heads/main'

export interface V1Deps {
  store: CacheStore
  urls: BlobUrls
  faults: () => Faults
  token: string
}

function fail(ctx: Ctx, status: number, typeKey: string, message: string, headers = {}): void {
  sendJson(ctx, status, { $id: '1', innerException: null, message, typeKey, errorCode: 0 }, headers)
}

type Handler = (ctx: Ctx, deps: V1Deps, id: number) => Promise<void> | void

export async function handleV1(ctx: Ctx, deps: V1Deps): Promise<void> {
  const rest = ctx.url.pathname.slice(V1_PREFIX.length)
  const idMatch = /^caches\/(\d+)$/.exec(rest)
  const routes: [method: string, matches: boolean, op: string, handler: Handler][] = [
    ['GET', rest === 'cache', 'lookup', lookup],
    ['GET', rest === 'caches', 'list', list],
    ['POST', rest === 'caches', 'reserve', reserve],
    ['PATCH', idMatch !== null, 'upload', uploadChunk],
    ['POST', idMatch !== null, 'commit', commit],
  ]
  const route = routes.find(([method, matches]) => matches && method === ctx.req.method)
  if (!route) {
    ctx.record.op = 'unknown'
    await drain(ctx.req)
    fail(ctx, 404, 'NotFoundException', `no route for ${ctx.req.method ?? ''} ${ctx.url.pathname}`)
    return
  }
  const [, , op, handler] = route
  ctx.record.op = op
  if (bearerToken(ctx.req) !== deps.token) {
    await drain(ctx.req)
    fail(ctx, 401, 'UnauthorizedException', 'missing or wrong bearer token')
    return
  }
  await handler(ctx, deps, Number(idMatch?.[1]))
}

function lookup(ctx: Ctx, deps: V1Deps): void {
  const fault = deps.faults().lookup
  if (fault) {
    ctx.record.fault = `lookup=${fault}`
    if (fault === 'status429')
      fail(ctx, 429, 'TooManyRequests', 'injected fault: lookup=status429', { 'retry-after': '1' })
    else fail(ctx, 500, 'InternalServerError', 'injected fault: lookup=status500')
    return
  }
  const keys = (ctx.url.searchParams.get('keys') ?? '').split(',')
  const version = ctx.url.searchParams.get('version') ?? ''
  const problem =
    version === ''
      ? 'version is required'
      : keys.length > MAX_KEYS
        ? 'too many keys'
        : keys.map(keyProblem).find(Boolean)
  if (problem) {
    fail(ctx, 400, 'ArgumentException', problem)
    return
  }
  const entry = findMatch(deps.store.list(), keys, version)
  if (!entry) {
    sendEmpty(ctx, 204)
    return
  }
  sendJson(ctx, 200, {
    scope: SCOPE,
    cacheKey: entry.key,
    cacheVersion: entry.version,
    creationTime: entry.createdAt,
    archiveLocation: deps.urls.url(entry.id, 'r'),
  })
}

// Only called by the library in debug mode, to explain a miss.
function list(ctx: Ctx, deps: V1Deps): void {
  const key = ctx.url.searchParams.get('key') ?? ''
  const caches = deps.store
    .list()
    .filter((e) => e.finalized && e.key === key)
    .map((e) => ({ cacheKey: e.key, cacheVersion: e.version, scope: SCOPE, creationTime: e.createdAt }))
  sendJson(ctx, 200, { totalCount: caches.length, artifactCaches: caches })
}

async function reserve(ctx: Ctx, deps: V1Deps): Promise<void> {
  const body = await readJson(ctx.req)
  if (deps.faults().reserve === 'status500') {
    ctx.record.fault = 'reserve=status500'
    fail(ctx, 500, 'InternalServerError', 'injected fault: reserve=status500')
    return
  }
  const { key, version } = body
  if (typeof key !== 'string' || typeof version !== 'string' || version === '') {
    throw new HttpError(400, 'key and version are required strings')
  }
  const problem = keyProblem(key)
  if (problem) {
    fail(ctx, 400, 'ArgumentException', problem)
    return
  }
  const result = deps.store.reserve(key, version)
  if (!result.ok) {
    fail(ctx, 409, 'ReserveCacheConflictException', `${result.reason}. Key: ${key}, Version: ${version}`)
    return
  }
  sendJson(ctx, 201, { cacheId: result.id })
}

async function uploadChunk(ctx: Ctx, deps: V1Deps, id: number): Promise<void> {
  if (deps.faults().upload === 'status500') {
    ctx.record.fault = 'upload=status500'
    await drain(ctx.req)
    fail(ctx, 500, 'InternalServerError', 'injected fault: upload=status500')
    return
  }
  const entry = deps.store.get(id)
  const range = /^bytes (\d+)-(\d+)\/(?:\*|\d+)$/.exec(ctx.req.headers['content-range'] ?? '')
  if (!entry || entry.finalized || !range) {
    await drain(ctx.req)
    if (!entry) fail(ctx, 404, 'ArgumentException', `no cache entry ${id}`)
    else if (entry.finalized) fail(ctx, 409, 'ArgumentException', `cache entry ${id} is already committed`)
    else fail(ctx, 400, 'ArgumentException', 'Content-Range must look like "bytes start-end/*"')
    return
  }
  const start = Number(range[1])
  const end = Number(range[2])
  const result = await deps.store.writeAt(id, start, ctx.req, { size: end - start + 1 })
  if (!result.ok) {
    fail(ctx, 400, 'ArgumentException', result.reason)
    return
  }
  sendEmpty(ctx, 204)
}

async function commit(ctx: Ctx, deps: V1Deps, id: number): Promise<void> {
  const body = await readJson(ctx.req)
  const faults = deps.faults()
  if (faults.commitDelayMs) await sleep(faults.commitDelayMs)
  if (faults.commit === 'status500') {
    ctx.record.fault = 'commit=status500'
    fail(ctx, 500, 'InternalServerError', 'injected fault: commit=status500')
    return
  }
  if (typeof body.size !== 'number') throw new HttpError(400, 'size is required')
  const result = deps.store.finalize(id, body.size)
  if (!result.ok) {
    fail(ctx, deps.store.get(id) ? 400 : 404, 'ArgumentException', result.reason)
    return
  }
  sendEmpty(ctx, 204)
}
