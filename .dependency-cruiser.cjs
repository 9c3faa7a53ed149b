/** Dependency rules of CONVENTIONS 1: the hexagon is checked by a tool, not by memory. */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'Import cycles fail the build.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-is-pure',
      severity: 'error',
      comment: 'core/ imports only fp-ts, io-ts and itself (spec files may also use fast-check and node:test).',
      from: { path: '^core/', pathNot: '\\.spec\\.ts$' },
      to: { pathNot: '^(core/|node_modules/(fp-ts|io-ts)/)' },
    },
    {
      name: 'core-specs-only-test-tools',
      severity: 'error',
      from: { path: '^core/.*\\.spec\\.ts$' },
      to: { pathNot: '^(core/|node_modules/(fp-ts|io-ts|fast-check)/|node:(test|assert))', dependencyTypesNot: ['core'] },
    },
    {
      name: 'inversify-only-in-composition-root',
      severity: 'error',
      from: { pathNot: '^adapters/node/' },
      to: { path: 'node_modules/(inversify|reflect-metadata)/' },
    },
    {
      name: 'adapters-do-not-import-sim-or-features',
      severity: 'error',
      from: { path: '^adapters/' },
      to: { path: '^(sim|features|bench)/' },
    },
    {
      name: 'sim-does-not-import-features',
      severity: 'error',
      from: { path: '^sim/' },
      to: { path: '^(features|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'] },
  },
}
