/** What `/healthz` and the ready line report: Parley's version (package.json) and Node's. */
import { readFileSync } from 'node:fs'

export interface Versions {
  readonly parley: string
  readonly node: string
}

export const readVersions = (): Versions => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { readonly version?: unknown }
  return { parley: typeof pkg.version === 'string' ? pkg.version : 'unknown', node: process.version }
}
