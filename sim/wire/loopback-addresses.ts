/**
 * Each simulated endpoint gets an address of its own in 127.0.0.0/8 (Linux answers on all of
 * it), so that the node sees every caller come from a network source of its own, as the `sim`
 * world gives each caller one: a PIN lockout or a rule on the source then behaves as it would
 * for systems in different places. 127.0.0.1 is the node's and the edge's. Addresses are never
 * handed out twice in one process, so a node kept from one scenario to the next sees only new
 * sources.
 */
export class LoopbackAddresses {
  private next: number

  /** `first` counts from 127.0.0.0 (2 = 127.0.0.2). */
  constructor(first = 2) {
    this.next = first
  }

  take(): string {
    const n = this.next
    // Skip .0 and .255 in every /24 (a network and a broadcast address elsewhere: less surprising in traces).
    this.next = n % 256 === 254 ? n + 3 : n + 1
    if (n >= 2 ** 24 - 1) throw new Error('no loopback addresses left')
    return `127.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`
  }
}
