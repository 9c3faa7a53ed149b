// Cucumber profiles (DESIGN §5): every profile runs the same features and steps; only the
// world differs. Run with NODE_OPTIONS="--import tsx" (the Makefile sets it).
//   sim:  the pure core in process, simulated endpoints, a virtual clock.
//   wire: a real node over real SIP. Add it when features/support/wire-world.ts exists:
//           export const wire = profile('features/support/wire-world.ts')
//         (scripts/test-all.sh runs `make features-wire` as soon as that file is there).
const profile = (world) => ({
  paths: ['features/**/*.feature'],
  import: ['features/steps/**/*.ts', world],
  format: ['progress'],
  strict: true,
})

export const sim = profile('features/support/sim-world.ts')

// Without -p, the simulator runs (cucumber-js reads a default profile from every config file).
export default sim
