#!/usr/bin/env node
// `parley` (package.json "bin"): runs the TypeScript CLI through tsx, in this process, the same
// as `node --import tsx adapters/node/cli/main.ts`. The repository's tsconfig is named
// explicitly so that decorators compile the same from any working directory.
import { fileURLToPath } from 'node:url'
import { register } from 'tsx/esm/api'

register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) })
await import('../adapters/node/cli/main.ts')
