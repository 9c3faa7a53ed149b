/**
 * A profiling copy of the node (not used by measurements): tsx compiles each module onto one
 * line (esbuild's minifyWhitespace), so a `--cpu-prof` of `bin/parley.mjs` places every
 * function at line 1 and names arrow callbacks `(anonymous)`. This compiles core/ and adapters/
 * with the same esbuild (keep-names, no minification) into a mirror directory with a source map
 * per module, beside links to node_modules, assets and package.json so that paths read through
 * `import.meta.url` resolve as in the tree; bench/support/profile-summary.ts maps the profile
 * back to TypeScript lines through those maps.
 *
 *   node --import tsx bench/support/profile-build.ts DIR
 *   node --cpu-prof --cpu-prof-dir=PROF DIR/adapters/node/cli/main.js serve ...
 */
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

export const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sources(path)
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') && !entry.name.endsWith('.d.ts') ? [path] : []
  })

/** Builds the mirror into `outDir` (emptied first) and answers the path of the CLI entry point. */
export const buildForProfile = (outDir: string): string => {
  rmSync(outDir, { recursive: true, force: true })
  mkdirSync(outDir, { recursive: true })
  const files = ['core', 'adapters'].flatMap((d) => sources(join(repositoryRoot, d))).map((f) => relative(repositoryRoot, f))
  execFileSync(
    join(repositoryRoot, 'node_modules', '.bin', 'esbuild'),
    [...files, `--outdir=${outDir}`, '--outbase=.', '--format=esm', '--platform=node', `--target=node${process.versions.node}`, '--sourcemap', '--keep-names', '--log-level=warning'],
    { cwd: repositoryRoot, stdio: 'inherit' },
  )
  for (const name of ['node_modules', 'assets', 'package.json', 'tsconfig.json']) symlinkSync(join(repositoryRoot, name), join(outDir, name))
  // Files modules read beside themselves.
  const dashboardAssets = join('adapters', 'http', 'dashboard', 'assets')
  if (existsSync(join(repositoryRoot, dashboardAssets))) cpSync(join(repositoryRoot, dashboardAssets), join(outDir, dashboardAssets), { recursive: true })
  return join(outDir, 'adapters', 'node', 'cli', 'main.js')
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  const outDir = process.argv[2]
  if (outDir === undefined) throw new Error('usage: profile-build.ts DIR')
  console.log(buildForProfile(outDir))
}
