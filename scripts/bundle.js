// `npm run bundle`: src/main.ts -> dist/ (see bundler.js for what it holds and how it is built).
import * as path from 'node:path'
import { bundle, ROOT } from './bundler.js'

await bundle(path.join(ROOT, 'dist'))
