// Entry point of the action (bundled into dist/index.js).
import { run } from './run.js'

await run()
