// Cucumber profiles (DESIGN §5): every profile runs the same features and steps; only the
// world differs. Run with NODE_OPTIONS="--import tsx" (the Makefile sets it).
//   sim:  the pure core in process, simulated endpoints, a virtual clock.
//   wire: a real node over real SIP on loopback (features/support/wire-world.ts); scenarios
//         tagged @sim-only (each with a comment saying why) are left out and counted.
const profile = (world) => ({
  paths: ['features/**/*.feature'],
  import: ['features/steps/**/*.ts', world],
  format: ['progress'],
  strict: true,
})

export const sim = profile('features/support/sim-world.ts')

// The wire profile waits on real timers most of the time: four workers, each with its own node.
export const wire = {
  ...profile('features/support/wire-world.ts'),
  tags: 'not @sim-only',
  format: ['./sim/wire/wire-summary-formatter.ts'],
  parallel: 4,
}

// Without -p, the simulator runs (cucumber-js reads a default profile from every config file).
export default sim
