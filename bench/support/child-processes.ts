/**
 * Long-lived processes a benchmark starts (a Parley node, a SIPp UAS) must not outlive it, nor
 * keep it alive: each is unreferenced (the bench exits when its own work is done) and killed
 * when the bench process exits, however it exits.
 */
import type { ChildProcess } from 'node:child_process'

const living = new Set<ChildProcess>()
let hooked = false

const killAll = (): void => {
  for (const child of living) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  living.clear()
}

export const killOnExit = (child: ChildProcess): void => {
  if (!hooked) {
    hooked = true
    process.on('exit', killAll)
    for (const signal of ['SIGINT', 'SIGTERM'] as const)
      process.once(signal, () => {
        killAll()
        process.exit(signal === 'SIGINT' ? 130 : 143)
      })
  }
  living.add(child)
  child.once('exit', () => living.delete(child))
  child.unref()
}

/** Resolves when the child has exited (at once if it already has). */
export const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()))

/** SIGTERM, then SIGKILL after `graceMs`; resolves once it is gone. */
export const stopChild = async (child: ChildProcess, graceMs: number): Promise<void> => {
  if (child.exitCode !== null || child.signalCode !== null) return
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
  await exited(child)
  clearTimeout(timer)
}
