/**
 * Entry point of `parley` (bin/parley.mjs, `make run`): wires the CLI to the real process —
 * stdout/stderr, the environment, SIGINT/SIGTERM — and exits with the code it returns.
 */
import { networkInterfaces } from 'node:os'
import { runCli } from './run-cli.js'

const stopRequested = (): Promise<string> =>
  new Promise<string>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      // A second signal while stopping means "now".
      process.once('SIGINT', () => process.exit(130))
      process.once('SIGTERM', () => process.exit(143))
      resolve(signal)
    }
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
  })

const code = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
  networkInterfaces,
  uptime: () => process.uptime(),
  stopRequested,
})
// Exit even if a library left a handle open; stdout and stderr are flushed first.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)))
