// Entry point of the action (bundled into dist/index.js).
import { run } from './run.js'
import { mapStacks } from './stack.js'

// First, so that the stack of any unexpected error names src/ files (the bundle is dist/index.js, its
// map dist/index.js.map).
mapStacks(import.meta.url)
await run()
