/**
 * Ports for the processes a bench starts, chosen by the system. A port is free when both UDP and
 * TCP bind on it (Parley's PARLEY_SIP_PORT listens on both); the small race with other programs
 * between closing and reuse is accepted, as e2e/run.sh accepts it.
 */
import { createSocket } from 'node:dgram'
import { createServer } from 'node:net'

const bindUdp = (host: string, port: number): Promise<number | undefined> =>
  new Promise((resolve) => {
    const socket = createSocket('udp4')
    socket.once('error', () => {
      socket.close()
      resolve(undefined)
    })
    socket.bind(port, host, () => {
      const bound = socket.address().port
      socket.close(() => resolve(bound))
    })
  })

const tcpFree = (host: string, port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, host, () => server.close(() => resolve(true)))
  })

/** A port free for UDP (and for TCP too when `tcp`). */
export const freePort = async (host: string, options: { readonly tcp?: boolean } = {}): Promise<number> => {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await bindUdp(host, 0)
    if (port === undefined) continue
    if (options.tcp !== true || (await tcpFree(host, port))) return port
  }
  throw new Error(`no free port on ${host}`)
}

/** True once something holds the UDP port (our own bind fails). */
export const udpPortTaken = async (host: string, port: number): Promise<boolean> => (await bindUdp(host, port)) === undefined
