// Standalone cache service for local runs of the action:
//   node .build/test-support/cache-server/cli.js --dir D [--port P] [--fault lookup=status500 ...] [--verbose]
// Prints one JSON line (url, both env sets, names to unset for v1) and serves until SIGTERM/SIGINT.
// Faults can also come from $SETUP_VENV_CACHE_FAULTS ("lookup=status500,commitDelayMs=2000");
// --fault flags are applied after it.
import * as path from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { describeFaults, FAULTS_ENV, parseFaults, type Faults } from './faults.js'
import { startCacheServer, UNSET_FOR_V1, type CacheServer, type RecordedRequest } from './server.js'

export interface CliOptions {
  dir: string
  port: number
  faults: Faults
  verbose: boolean
}

export const USAGE = `usage: cli.js --dir DIR [--port PORT] [--fault NAME=VALUE ...] [--verbose]
faults: ${describeFaults()}
env: ${FAULTS_ENV}="NAME=VALUE,..." (applied before --fault)`

export function parseCliArgs(argv: readonly string[], env: NodeJS.ProcessEnv): CliOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      dir: { type: 'string' },
      port: { type: 'string' },
      fault: { type: 'string', multiple: true },
      verbose: { type: 'boolean' },
    },
    strict: true,
  })
  if (!values.dir) throw new Error('--dir is required')
  const port = Number(values.port ?? '0')
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`bad --port '${values.port ?? ''}'`)
  return {
    dir: path.resolve(values.dir),
    port,
    faults: parseFaults([env[FAULTS_ENV] ?? '', ...(values.fault ?? [])]),
    verbose: values.verbose ?? false,
  }
}

function describeRequest(r: RecordedRequest): string {
  return `${r.method} ${r.path} ${r.protocol}:${r.op} -> ${r.status}${r.fault ? ` [${r.fault}]` : ''}`
}

/** Starts the server and prints the JSON line; separate from main() so tests can run it in-process. */
export async function runCli(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  out: (line: string) => void,
  log: (line: string) => void,
): Promise<CacheServer> {
  const options = parseCliArgs(argv, env)
  const server = await startCacheServer({
    dir: options.dir,
    port: options.port,
    faults: options.faults,
    ...(options.verbose
      ? {
          onRequest: (r: RecordedRequest) => {
            log(describeRequest(r))
          },
        }
      : {}),
  })
  out(
    JSON.stringify({
      url: server.url,
      port: server.port,
      dir: server.dir,
      envV1: server.envV1(),
      envV2: server.envV2(),
      unsetForV1: UNSET_FOR_V1,
      faults: options.faults,
    }),
  )
  return server
}

async function main(): Promise<void> {
  let server: CacheServer
  try {
    server = await runCli(
      process.argv.slice(2),
      process.env,
      (line) => process.stdout.write(`${line}\n`),
      (line) => process.stderr.write(`${line}\n`),
    )
  } catch (error) {
    process.stderr.write(
      `cache-server: ${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`,
    )
    process.exitCode = 2
    return
  }
  const stop = () => {
    void server.close()
  }
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main()
