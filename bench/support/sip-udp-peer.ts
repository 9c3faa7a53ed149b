/**
 * The bench's own SIP endpoints over UDP on loopback: as little SIP as the measurements need and
 * no more, so that the bench's side costs the same whichever server it talks to. A peer is one
 * socket (4 MB receive buffer, as the servers get) that
 * - answers every request it receives (NOTIFY, MESSAGE, BYE, …) at once with a 200 copying Via,
 *   From, To, Call-ID and CSeq (RFC 3261 §8.2.6), then tells `onRequest`;
 * - hands responses to whoever waits for that Call-ID and CSeq (`request`), else to `onResponse`.
 * Messages are read with string searches, not a SIP parser: the bench talks only to Parley,
 * Kamailio and the references, whose framing is regular.
 */
import { createSocket, type Socket } from 'node:dgram'

export const benchBufferBytes = 4 * 1024 * 1024

export interface SipText {
  /** Request method, or undefined for a response. */
  readonly method: string | undefined
  readonly status: number
  readonly head: string
  readonly body: string
  readonly callId: string
  readonly cseq: string
}

const headerValue = (head: string, name: string, compact?: string): string => {
  const lower = head.toLowerCase()
  for (const n of compact === undefined ? [name] : [name, compact]) {
    const at = lower.indexOf(`\r\n${n}:`)
    if (at >= 0) {
      const start = at + n.length + 3
      const end = head.indexOf('\r\n', start)
      return head.slice(start, end < 0 ? undefined : end).trim()
    }
  }
  return ''
}

/** One header's value (first occurrence), by its full name or compact form (RFC 3261 §7.3.3). */
export const header = headerValue

export const readSip = (bytes: Buffer): SipText => {
  const text = bytes.toString('latin1')
  const split = text.indexOf('\r\n\r\n')
  const head = split < 0 ? text : text.slice(0, split)
  const body = split < 0 ? '' : text.slice(split + 4)
  const response = head.startsWith('SIP/2.0 ')
  return {
    method: response ? undefined : head.slice(0, head.indexOf(' ')),
    status: response ? Number(head.slice(8, 11)) : 0,
    head,
    body,
    callId: headerValue(head, 'call-id', 'i'),
    cseq: headerValue(head, 'cseq'),
  }
}

/** The 200 for a request: its Via, From, To, Call-ID and CSeq lines, no body. */
export const okFor = (head: string): string => {
  const lines = head.split('\r\n')
  const kept = lines.filter((l) => /^(via|v|from|f|to|t|call-id|i|cseq):/i.test(l))
  return `SIP/2.0 200 OK\r\n${kept.join('\r\n')}\r\nContent-Length: 0\r\n\r\n`
}

export interface Waiter {
  readonly resolve: (response: SipText) => void
}

export class UdpPeer {
  readonly socket: Socket
  port = 0
  onRequest: (request: SipText, arrivedAt: number) => void = () => undefined
  onResponse: (response: SipText) => void = () => undefined
  /** Requests received (all methods). */
  requests = 0
  private readonly waiting = new Map<string, Waiter>()

  constructor(
    readonly host: string,
    private readonly answerRequests = true,
  ) {
    this.socket = createSocket({ type: 'udp4', recvBufferSize: benchBufferBytes, sendBufferSize: benchBufferBytes })
    this.socket.on('message', (bytes, rinfo) => this.receive(bytes, rinfo.port, rinfo.address))
  }

  bind(): Promise<this> {
    return new Promise((resolve) =>
      this.socket.bind(0, this.host, () => {
        this.port = this.socket.address().port
        // The bench exits when its work is done, whichever peers are still open.
        this.socket.unref()
        resolve(this)
      }),
    )
  }

  /**
   * Looked at first, on the raw datagram: when it returns true the request is taken as seen and
   * its 200 goes out after the datagrams already waiting have been looked at (so that a burst's
   * arrival times are not pushed back by the bench's own answers to it).
   */
  fastPath: ((bytes: Buffer, arrivedAt: number) => boolean) | undefined

  private receive(bytes: Buffer, port: number, address: string): void {
    const arrivedAt = performance.now()
    if (this.fastPath?.(bytes, arrivedAt) === true) {
      this.requests++
      if (this.answerRequests) setImmediate(() => this.socket.send(okFor(readSip(bytes).head), port, address))
      return
    }
    const message = readSip(bytes)
    if (message.method !== undefined) {
      this.requests++
      if (this.answerRequests && message.method !== 'ACK') this.socket.send(okFor(message.head), port, address)
      this.onRequest(message, arrivedAt)
      return
    }
    if (message.status < 200) return
    const key = `${message.callId} ${message.cseq}`
    const waiter = this.waiting.get(key)
    if (waiter !== undefined) {
      this.waiting.delete(key)
      waiter.resolve(message)
    } else this.onResponse(message)
  }

  send(text: string, port: number, host = this.host): void {
    this.socket.send(text, port, host)
  }

  /**
   * Sends a request and resolves with its final response, or undefined after `timeoutMs`
   * (resent every 500 ms meanwhile, as RFC 3261 §17.1.2 Timer E would over UDP).
   */
  request(text: string, port: number, timeoutMs = 8000, host = this.host): Promise<SipText | undefined> {
    const head = text.slice(0, text.indexOf('\r\n\r\n'))
    const key = `${headerValue(head, 'call-id', 'i')} ${headerValue(head, 'cseq')}`
    return new Promise((resolve) => {
      const resend = setInterval(() => this.send(text, port, host), 500)
      const timer = setTimeout(() => finish(undefined), timeoutMs)
      const finish = (response: SipText | undefined): void => {
        clearInterval(resend)
        clearTimeout(timer)
        this.waiting.delete(key)
        resolve(response)
      }
      this.waiting.set(key, { resolve: finish })
      this.send(text, port, host)
    })
  }

  close(): void {
    for (const w of this.waiting.values()) w.resolve({ method: undefined, status: 0, head: '', body: '', callId: '', cseq: '' })
    this.waiting.clear()
    this.socket.close()
  }
}

/** Runs `jobs` with at most `window` in flight (UDP: a burst larger than a buffer is lost, not queued). */
export const inWindows = async <A>(items: ReadonlyArray<A>, window: number, job: (item: A, index: number) => Promise<unknown>): Promise<void> => {
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++
      await job(items[i]!, i)
    }
  }
  await Promise.all(Array.from({ length: Math.min(window, items.length) }, worker))
}

/** Resident and proportional set sizes of processes, from /proc (bytes). */
export const memoryOf = async (pids: ReadonlyArray<number>): Promise<{ rss: number; pss: number }> => {
  const { readFile } = await import('node:fs/promises')
  let rss = 0
  let pss = 0
  for (const pid of pids) {
    const text = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => '')
    const kb = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0)
    rss += kb('Rss') * 1024
    pss += kb('Pss') * 1024
  }
  return { rss, pss }
}

/** A process's children (direct), from /proc. */
export const childPids = async (pid: number): Promise<ReadonlyArray<number>> => {
  const { readFile } = await import('node:fs/promises')
  const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '')
  return text
    .split(' ')
    .filter((s) => s.trim() !== '')
    .map(Number)
}
