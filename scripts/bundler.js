// The one way the action is bundled, for `npm run bundle` (into dist/, what the runner runs) and for the
// tests' global set-up (into .tmp/bundle/, so end-to-end tests always run the current sources). esbuild,
// because it can put a stand-in where one module imports undici (see src/stand-in/undici.ts), which saves
// ~70 ms of every run's start; minified, which halves the load time again. Type checking is
// `npm run typecheck`'s job.
//
// What it writes into the output directory:
//   index.js      src/main.ts and everything it imports, one ES module
//   index.js.map  its source map, read only when a stack is formatted (see src/stack.ts), which then names
//                 src/run.ts:123:5 and not index.js:377:5472
//   package.json  {"type":"module"}
//   licenses.txt  name, version, license and license text of every bundled package
import * as esbuild from 'esbuild'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)))
const STAND_IN = path.join(ROOT, 'src', 'stand-in', 'undici.ts')
const HTTP_CLIENT = `node_modules${path.sep}@actions${path.sep}http-client${path.sep}`

/** undici, imported by @actions/http-client, resolves to the stand-in; anywhere else it would be an error. */
const undiciStandIn = {
  name: 'undici-stand-in',
  setup(build) {
    build.onResolve({ filter: /^undici$/ }, (args) => {
      if (!args.importer.includes(HTTP_CLIENT)) {
        return {
          errors: [{ text: `undici imported by ${args.importer}: only @actions/http-client is expected to` }],
        }
      }
      return { path: STAND_IN }
    })
  },
}

/** Bundles src/main.ts into `outDir`, which is emptied first: nothing else may linger in it. */
export async function bundle(outDir) {
  fs.rmSync(outDir, { recursive: true, force: true })
  const result = await esbuild.build({
    entryPoints: [path.join(ROOT, 'src', 'main.ts')],
    outfile: path.join(outDir, 'index.js'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: true,
    // Minified, but with the names of classes and functions kept: @actions/cache tells its errors apart by
    // comparing error.name with ReserveCacheError.name (and the Azure SDK does the like); renamed classes
    // would turn "another job is saving this key" into a failed save. The kept names also read well in a stack.
    keepNames: true,
    legalComments: 'none',
    // A linked map (index.js ends with a sourceMappingURL comment, which debuggers follow). Its paths are
    // relative to outDir, so the same sources give the same map wherever the checkout is. Without the
    // sources' text: a stack needs only the positions.
    sourcemap: 'linked',
    sourcesContent: false,
    metafile: true,
    logLevel: 'warning',
    plugins: [undiciStandIn],
    // Bundled CommonJS modules call require() for Node's built-in modules; ESM has no require of its own.
    banner: {
      js: "import { createRequire as __setupVenvRequire } from 'node:module'; const require = __setupVenvRequire(import.meta.url);",
    },
  })

  const inputs = Object.keys(result.metafile.inputs).map((file) => path.resolve(ROOT, file))
  if (!inputs.includes(STAND_IN)) throw new Error('the undici stand-in was not used: check the bundle script')
  const callers = inputs.filter(
    (file) =>
      file.includes(`node_modules${path.sep}`) &&
      !file.includes(HTTP_CLIENT) &&
      fs.readFileSync(file, 'utf8').includes('getAgentDispatcher'),
  )
  if (callers.length > 0) {
    throw new Error(`getAgentDispatcher is used by ${callers.join(', ')}: the undici stand-in cannot stay`)
  }

  fs.writeFileSync(path.join(outDir, 'package.json'), '{"type":"module"}\n')
  fs.writeFileSync(path.join(outDir, 'licenses.txt'), licenses(inputs))
}

/** Name, version, license and license text of every package with a file in the bundle, sorted by name. */
function licenses(files) {
  const dirs = new Set()
  for (const file of files) {
    const m = /^(.*node_modules[\\/](?:@[^\\/]+[\\/])?[^\\/]+)[\\/]/.exec(file)
    if (m) dirs.add(m[1])
  }
  const entries = [...dirs].map((dir) => {
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'))
    const file = fs.readdirSync(dir).find((name) => /^(licen[cs]e|copying)(\..*)?$/i.test(name))
    const text =
      file === undefined
        ? '(no license file in the package)'
        : fs.readFileSync(path.join(dir, file), 'utf8').trim()
    return `${pkg.name}@${pkg.version}\n${pkg.license ?? 'UNKNOWN'}\n${text}`
  })
  return `${entries.sort().join('\n\n')}\n`
}
