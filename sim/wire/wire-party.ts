/**
 * One simulated endpoint's own SIP user agent on the wire: a SipStack over a NodeSipTransport
 * bound to the endpoint's loopback address (loopback-addresses.ts), on the transport its kind
 * uses — TLS for a Skype for Business client (PROTOCOLS 1.7), UDP for a standard SIP system —
 * with the NOTIFY tap in front for its presence subscriptions.
 */
import * as E from 'fp-ts/lib/Either.js'
import { systemClock } from '../../adapters/node/system-clock.js'
import { SipStack } from '../../adapters/sip/stack/sip-stack.js'
import { NodeSipTransport } from '../../adapters/sip/transport/node-sip-transport.js'
import type { TransportProtocol } from '../../adapters/sip/transport/transport-types.js'
import { NotifyTap } from './notify-tap.js'
import type { TlsPair } from './run-directory.js'
import { newEpid, sfbUserAgent } from './sfb-dialect.js'

export type Dialect = 'sip' | 'mssip'

export interface PartyOptions {
  readonly host: string
  readonly protocol: TransportProtocol
  readonly dialect: Dialect
  /** The run's pair: the node presents it too, so each side trusts the other (mutual TLS). */
  readonly tls: TlsPair
}

export class WireParty {
  /** SfB's endpoint id for this client instance (`epid=` on From). */
  readonly epid = newEpid()
  private calls = 0

  private constructor(
    readonly host: string,
    readonly protocol: TransportProtocol,
    readonly dialect: Dialect,
    readonly stack: SipStack,
    readonly tap: NotifyTap,
    private readonly transport: NodeSipTransport,
  ) {}

  static async open(options: PartyOptions): Promise<WireParty> {
    const opened = await NodeSipTransport.open({
      bindHost: options.host,
      ports: { [options.protocol]: 0 },
      ...(options.protocol === 'tls' ? { tls: { cert: options.tls.cert, key: options.tls.key, ca: [options.tls.cert] } } : {}),
    })
    if (E.isLeft(opened)) throw new Error(`no SIP transport for an endpoint at ${options.host}: ${JSON.stringify(opened.left)}`)
    const tap = new NotifyTap(opened.right)
    const stack = new SipStack({
      transport: tap,
      clock: systemClock,
      publicHost: options.host,
      ...(options.dialect === 'mssip' ? { userAgent: sfbUserAgent } : {}),
    })
    return new WireParty(options.host, options.protocol, options.dialect, stack, tap, opened.right)
  }

  /** A media port base for the next call (nothing is sent to it; it only has to look right). */
  nextMediaPort(): number {
    this.calls += 1
    return 40_000 + ((this.calls * 8) % 20_000)
  }

  async close(): Promise<void> {
    this.stack.close()
    await this.transport.close()
  }
}
