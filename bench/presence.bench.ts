/**
 * Presence fan-out (issue 8): 10 000 subscriptions over 1 000 VMR aliases, then one change that
 * touches all of them; NOTIFYs delivered per second, Parley beside Kamailio 5.6
 * (bench/references/kamailio-presence.ts) serving the same subscriptions in the same run.
 *
 * - Watchers: ten sockets on 127.0.0.1 (the bench's UdpPeer, 4 MB buffers), each subscribing once
 *   to each of the 1 000 aliases (RFC 3856: `Event: presence`, `Accept: application/pidf+xml`,
 *   an hour), each subscription its own dialog; every NOTIFY is answered 200 at once. Both
 *   servers get the same SUBSCRIBEs, 200 in flight at a time.
 * - Parley: the real node (`parley serve`, PARLEY_MEDIA=loopback) configured with 1 000 VMRs for
 *   the PIDF watchers and 1 000 more for the SfB ones. The change goes through the real path:
 *   `parley config import` of the same configuration with every VMR of the set renamed (the
 *   name is the presence document's display name); the node picks the commit up (it polls the
 *   store) and the core notifies every watcher whose document changed.
 * - Kamailio: the same change as its presence model has it: each alias republished (PUBLISH
 *   with SIP-If-Match on its entity tag, RFC 3903 §4.4) with the PIDF Parley would send for the
 *   renamed room (display name in CIPID), 200 PUBLISHes in flight.
 * - The figure: 10 000 / (last NOTIFY − first NOTIFY of the change) on each side. The window
 *   starts at the first NOTIFY because Parley's change reaches the core up to a second after the
 *   import commits (the store poll); Kamailio's window so includes its handling of the
 *   PUBLISHes, Parley's its core step over the new configuration.
 * - The SfB batched shape: ten more sockets, each with ten `msrtc-adrl-categorylist`
 *   subscriptions ([MS-PRES] batchSub, `ms-piggyback-first-notify`) of 100 aliases each, over
 *   the second 1 000 VMRs; the change renames those; the figure counts resource updates
 *   delivered (each RLMI `<resource>` in a NOTIFY) per second. Kamailio has no batched
 *   subscriptions: its reference is the PIDF republish, taken again beside it.
 * - Memory: each server's resident memory before and after its 10 000 PIDF subscriptions, over
 *   10 000 (Parley: the node process's RSS after a GC-settling pause; Kamailio: the sum of its
 *   processes' PSS, so its shared memory is counted once).
 * Targets: ratio >= 1, and >= 20 000 NOTIFY/s absolute.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { renderPidfDocument } from '../adapters/sip/presence/pidf-document.js'
import type { Measurement } from './harness.js'
import { kamailioSettings, startKamailioPresence, type KamailioPresence } from './references/kamailio-presence.js'
import { exited, killOnExit } from './support/child-processes.js'
import { startParleyNode, type ParleyNode } from './support/parley-node.js'
import { repositoryRoot } from './support/profile-build.js'
import { header, inWindows, memoryOf, UdpPeer, type SipText } from './support/sip-udp-peer.js'

const host = '127.0.0.1'
const aliases = 1000
const watcherSockets = 10
const batchedDialogsPerSocket = 10
const window = 200

const pidfAlias = (i: number): string => `meet.p${String(i).padStart(4, '0')}@example.com`
const batchedAlias = (i: number): string => `meet.b${String(i).padStart(4, '0')}@example.com`
const roomName = (set: 'p' | 'b', i: number, generation: number): string => `Room ${set}${i} v${generation}`

/** The node's configuration: 1 000 VMRs watched as PIDF, 1 000 as SfB batches; names carry a generation. */
const parleyConfig = (pidfGeneration: number, batchedGeneration: number): unknown => ({
  global: {},
  conference: [
    ...Array.from({ length: aliases }, (_, i) => ({ id: i + 1, name: roomName('p', i, pidfGeneration), pin: '', allow_guests: false, aliases: [{ alias: pidfAlias(i) }] })),
    ...Array.from({ length: aliases }, (_, i) => ({ id: aliases + i + 1, name: roomName('b', i, batchedGeneration), pin: '', allow_guests: false, aliases: [{ alias: batchedAlias(i) }] })),
  ],
  conference_alias: [],
  automatic_participant: [],
  gateway_routing_rule: [],
})

let sequence = 0
const nextId = (): string => `${++sequence}`

const subscribe = (peer: UdpPeer, watcher: string, target: string, extra: ReadonlyArray<string>, body = ''): string => {
  const id = nextId()
  return [
    `SUBSCRIBE sip:${target} SIP/2.0`,
    `Via: SIP/2.0/UDP ${host}:${peer.port};branch=z9hG4bKs${id};rport`,
    'Max-Forwards: 70',
    `From: <sip:${watcher}>;tag=w${id}`,
    `To: <sip:${target}>`,
    `Call-ID: sub-${id}@${host}`,
    'CSeq: 1 SUBSCRIBE',
    `Contact: <sip:${watcher.replace(/@.*/, '')}@${host}:${peer.port}>`,
    'Event: presence',
    ...extra,
    'Expires: 3600',
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n')
}

const pidfSubscribe = (peer: UdpPeer, socket: number, target: string): string =>
  subscribe(peer, `watcher${socket}@example.net`, target, ['Accept: application/pidf+xml'])

const batchedBody = (watcher: string, targets: ReadonlyArray<string>): string =>
  [
    `<batchSub xmlns="http://schemas.microsoft.com/2006/01/sip/batch-subscribe" uri="sip:${watcher}" name="">`,
    '<action name="subscribe" id="63792024"><adhocList>',
    ...targets.map((t) => `<resource uri="sip:${t}"/>`),
    '</adhocList>',
    '<categoryList xmlns="http://schemas.microsoft.com/2006/09/sip/categorylist">',
    ...['calendarData', 'contactCard', 'note', 'services', 'sourcenetwork', 'state'].map((c) => `<category name="${c}"/>`),
    '</categoryList></action></batchSub>',
  ].join('\r\n')

const batchedSubscribe = (peer: UdpPeer, watcher: string, targets: ReadonlyArray<string>): string =>
  subscribe(
    peer,
    watcher,
    watcher,
    [
      'Accept: application/msrtc-event-categories+xml, application/rlmi+xml, multipart/related',
      'Supported: ms-piggyback-first-notify, eventlist',
      'Content-Type: application/msrtc-adrl-categorylist+xml',
    ],
    batchedBody(watcher, targets),
  )

const publish = (peer: UdpPeer, alias: string, name: string, etag: string | undefined): string => {
  const id = nextId()
  const body = renderPidfDocument(`sip:${alias}`, { _tag: 'Available', displayName: name, avatar: { _tag: 'ProductLogo' } }, {
    baseUrl: 'http://127.0.0.1:8080',
    productLogoHash: 'bench',
  })
  return [
    `PUBLISH sip:${alias} SIP/2.0`,
    `Via: SIP/2.0/UDP ${host}:${peer.port};branch=z9hG4bKp${id};rport`,
    'Max-Forwards: 70',
    `From: <sip:${alias}>;tag=p${id}`,
    `To: <sip:${alias}>`,
    `Call-ID: pub-${id}@${host}`,
    'CSeq: 1 PUBLISH',
    'Event: presence',
    'Expires: 3600',
    ...(etag === undefined ? [] : [`SIP-If-Match: ${etag}`]),
    'Content-Type: application/pidf+xml',
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n')
}

/** Counts NOTIFYs (or resource updates in them) arriving at a set of peers. */
class NotifyCounter {
  count = 0
  first = 0
  last = 0
  private waiting: { readonly target: number; readonly resolve: () => void } | undefined
  /** Call-ID and CSeq of each NOTIFY counted: a retransmission (its 200 lost) counts once. */
  private readonly seen = new Set<string>()
  /** NOTIFYs received again (their 200 was lost or late: the server retransmitted). */
  duplicates = 0

  constructor(private readonly weigh: (notify: SipText) => number) {}

  attach(peers: ReadonlyArray<UdpPeer>): void {
    for (const p of peers)
      p.onRequest = (request, at) => {
        if (request.method !== 'NOTIFY') return
        const key = `${request.callId} ${request.cseq}`
        if (this.seen.has(key)) {
          this.duplicates++
          return
        }
        this.seen.add(key)
        const n = this.weigh(request)
        if (n === 0) return
        if (this.count === 0) this.first = at
        this.count += n
        this.last = at
        if (this.waiting !== undefined && this.count >= this.waiting.target) this.waiting.resolve()
      }
  }

  reset(): void {
    this.count = 0
    this.first = 0
    this.last = 0
  }

  /**
   * Resolves true once `target` have arrived; false when `timeoutMs` pass with none arriving
   * (a server that lost a few is then judged on what it delivered, see `complete`).
   */
  until(target: number, timeoutMs: number): Promise<boolean> {
    if (this.count >= target) return Promise.resolve(true)
    return new Promise((resolve) => {
      let seen = this.count
      const timer = setInterval(() => {
        if (this.count > seen) {
          seen = this.count
          return
        }
        clearInterval(timer)
        this.waiting = undefined
        resolve(false)
      }, timeoutMs)
      this.waiting = {
        target,
        resolve: () => {
          clearInterval(timer)
          this.waiting = undefined
          resolve(true)
        },
      }
    })
  }

  /** At least 99 % delivered: a rate worth reporting (what was lost is printed when verbose). */
  complete(target: number): boolean {
    return this.count >= target * 0.99
  }

  perSecond(): number {
    return this.last > this.first ? (this.count * 1000) / (this.last - this.first) : 0
  }
}

/** One RLMI `<resource` per resource updated in a batched NOTIFY; 1 for a plain one. */
const resourcesIn = (notify: SipText): number => {
  if (!/multipart\/related/i.test(header(notify.head, 'content-type', 'c'))) return notify.body.length > 0 ? 1 : 0
  let n = 0
  for (let at = notify.body.indexOf('<resource '); at >= 0; at = notify.body.indexOf('<resource ', at + 1)) n++
  return n
}

interface State {
  readonly workDir: string
  readonly parley: ParleyNode
  readonly kamailio: KamailioPresence
  readonly parleyPidf: ReadonlyArray<UdpPeer>
  readonly parleyBatched: ReadonlyArray<UdpPeer>
  readonly kamailioPidf: ReadonlyArray<UdpPeer>
  readonly publisher: UdpPeer
  readonly etags: string[]
  readonly parleyBytesPerSubscription: number
  readonly kamailioBytesPerSubscription: number
  generation: { pidf: number; batched: number; kamailio: number }
}

let state: Promise<State> | undefined

/** For bench/support/profile-presence.ts: the node's entry and flags, and a way to run one change. */
export const profiling = {
  node: {} as { entry?: string; nodeArgs?: ReadonlyArray<string> },
  change: async (set: 'pidf' | 'batched'): Promise<number> => parleyChange(await ready(), set),
  stop: async (): Promise<void> => {
    const s = await state
    await s?.parley.stop()
    await s?.kamailio.stop()
  },
}

const openPeers = (n: number): Promise<UdpPeer[]> => Promise.all(Array.from({ length: n }, () => new UdpPeer(host).bind()))

/**
 * A SUBSCRIBE until it is accepted: a node over its overload bound answers 503 with Retry-After
 * (adapters/sip/guard/); the bench retries after a second rather than the 5 s it is told, so
 * that the setup stays short. Each attempt is a new request (new Call-ID).
 */
const subscribed = async (peer: UdpPeer, port: number, make: () => string): Promise<SipText | undefined> => {
  for (let attempt = 0; attempt < 20; attempt++) {
    const answer = await peer.request(make(), port)
    if (answer?.status !== 503) return answer
    await sleep(1000)
  }
  return undefined
}

const subscribeAll = async (peers: ReadonlyArray<UdpPeer>, port: number): Promise<void> => {
  const jobs = peers.flatMap((peer, socket) => Array.from({ length: aliases }, (_, i) => ({ peer, socket, i })))
  let refused = 0
  await inWindows(jobs, window, async ({ peer, socket, i }) => {
    const answer = await subscribed(peer, port, () => pidfSubscribe(peer, socket, pidfAlias(i)))
    if (answer === undefined || answer.status !== 200) refused++
  })
  if (refused > 0) throw new Error(`${refused} of ${jobs.length} presence subscriptions were not accepted`)
}

const settledRss = async (pid: number): Promise<number> => {
  await sleep(1500)
  return (await memoryOf([pid])).rss
}

const setUp = async (): Promise<State> => {
  const workDir = mkdtempSync(join(tmpdir(), 'parley-presence-'))
  const parley = await startParleyNode({ workDir: join(workDir, 'parley'), config: parleyConfig(0, 0), host, env: { PARLEY_MEDIA: 'loopback' }, ...profiling.node })
  const kamailio = await startKamailioPresence(join(workDir, 'kamailio'), host)
  const [parleyPidf, parleyBatched, kamailioPidf, publishers] = await Promise.all([openPeers(watcherSockets), openPeers(watcherSockets), openPeers(watcherSockets), openPeers(1)])
  const publisher = publishers[0]!

  // Kamailio: every alias published once, so that a watcher has a document from the start.
  const etags: string[] = new Array<string>(aliases).fill('')
  await inWindows(
    Array.from({ length: aliases }, (_, i) => i),
    window,
    async (i) => {
      const answer = await publisher.request(publish(publisher, pidfAlias(i), roomName('p', i, 0), undefined), kamailio.port)
      if (answer?.status !== 200) throw new Error(`Kamailio answered PUBLISH ${answer?.status ?? 'nothing'}:\n${kamailio.logTail()}`)
      etags[i] = header(answer.head, 'sip-etag')
    },
  )

  const kamailioBefore = await memoryOf(await kamailio.pids())
  await subscribeAll(kamailioPidf, kamailio.port)
  await sleep(1500)
  const kamailioAfter = await memoryOf(await kamailio.pids())

  const parleyBefore = await settledRss(parley.pid)
  await subscribeAll(parleyPidf, parley.sipPort)
  const parleyAfter = await settledRss(parley.pid)

  // The SfB shape: each socket one watcher with ten lists of 100 aliases.
  const perList = aliases / (watcherSockets * batchedDialogsPerSocket)
  const lists = parleyBatched.flatMap((peer, socket) =>
    Array.from({ length: batchedDialogsPerSocket }, (_, d) => {
      const first = (socket * batchedDialogsPerSocket + d) * perList
      return { peer, watcher: `sfb${socket}-${d}@example.net`, targets: Array.from({ length: perList }, (_, k) => batchedAlias(first + k)) }
    }),
  )
  // Ten times over: 10 000 watched resources, as for PIDF.
  const allLists = Array.from({ length: 10 }, () => lists).flat()
  await inWindows(allLists, 5, async ({ peer, watcher, targets }) => {
    const answer = await subscribed(peer, parley.sipPort, () => batchedSubscribe(peer, watcher, targets))
    if (answer?.status !== 200) throw new Error(`Parley answered a batched SUBSCRIBE ${answer?.status ?? 'nothing'}`)
  })
  const subscriptions = watcherSockets * aliases
  return {
    workDir,
    parley,
    kamailio,
    parleyPidf,
    parleyBatched,
    kamailioPidf,
    publisher,
    etags,
    parleyBytesPerSubscription: (parleyAfter - parleyBefore) / subscriptions,
    kamailioBytesPerSubscription: (kamailioAfter.pss - kamailioBefore.pss) / subscriptions,
    generation: { pidf: 0, batched: 0, kamailio: 0 },
  }
}

const ready = (): Promise<State> => (state ??= setUp())

const expected = watcherSockets * aliases
const verbose = (line: string): void => {
  if (process.env['PRESENCE_VERBOSE'] !== undefined) console.log(`  ${line}`)
}
/** A change is over when no NOTIFY has come for this long (the import itself takes ~2 s). */
const changeTimeoutMs = 8_000

/** Kamailio: every alias republished with its new name; NOTIFYs per second to the watchers. */
const kamailioChange = async (s: State): Promise<number> => {
  const counter = new NotifyCounter(() => 1)
  counter.attach(s.kamailioPidf)
  const generation = ++s.generation.kamailio
  await inWindows(
    Array.from({ length: aliases }, (_, i) => i),
    window,
    async (i) => {
      const answer = await s.publisher.request(publish(s.publisher, pidfAlias(i), roomName('p', i, generation), s.etags[i]), s.kamailio.port)
      if (answer?.status === 200) s.etags[i] = header(answer.head, 'sip-etag')
    },
  )
  if (!(await counter.until(expected, changeTimeoutMs)) && !counter.complete(expected)) throw new Error(`Kamailio delivered ${counter.count} of ${expected} NOTIFYs`)
  verbose(`kamailio: ${counter.perSecond().toFixed(0)}/s, ${counter.count} of ${expected}, ${counter.duplicates} retransmitted NOTIFYs`)
  return counter.perSecond()
}

/** `parley config import` of the configuration with one set renamed. */
const importConfig = async (s: State): Promise<void> => {
  const file = join(s.workDir, `config-${s.generation.pidf}-${s.generation.batched}.json`)
  writeFileSync(file, JSON.stringify(parleyConfig(s.generation.pidf, s.generation.batched)))
  const child = spawn(process.execPath, [join(repositoryRoot, 'bin', 'parley.mjs'), 'config', 'import', file], {
    cwd: repositoryRoot,
    stdio: 'ignore',
    env: { ...process.env, NODE_OPTIONS: '', PARLEY_DATA_DIR: s.parley.dataDir, PARLEY_ADMIN_PASSWORD: 'bench-only', PARLEY_LOG_LEVEL: 'warn' },
  })
  killOnExit(child)
  await exited(child)
  if (child.exitCode !== 0) throw new Error(`parley config import exited ${child.exitCode}`)
}

const parleyChange = async (s: State, set: 'pidf' | 'batched'): Promise<number> => {
  const counter = new NotifyCounter(set === 'pidf' ? () => 1 : resourcesIn)
  counter.attach(set === 'pidf' ? s.parleyPidf : s.parleyBatched)
  s.generation[set]++
  await importConfig(s)
  if (!(await counter.until(expected, changeTimeoutMs)) && !counter.complete(expected))
    throw new Error(`Parley delivered ${counter.count} of ${expected} ${set} updates${s.parley.alive() ? '' : `; it died:\n${s.parley.logTail()}`}`)
  await sleep(200)
  verbose(`parley ${set}: ${counter.perSecond().toFixed(0)}/s, ${counter.count} of ${expected}, ${counter.duplicates} retransmitted NOTIFYs`)
  return counter.perSecond()
}

let turn = 0
const sideBySide = async (set: 'pidf' | 'batched'): Promise<{ parley: number; reference: number }> => {
  const s = await ready()
  // Alternate which side goes first, so that neither always follows the other's aftermath.
  if (turn++ % 2 === 0) {
    const reference = await kamailioChange(s)
    return { reference, parley: await parleyChange(s, set) }
  }
  const parley = await parleyChange(s, set)
  return { parley, reference: await kamailioChange(s) }
}

export const presenceMemory = async (): Promise<{ parley: number; reference: number }> => {
  const s = await ready()
  return { parley: s.parleyBytesPerSubscription, reference: s.kamailioBytesPerSubscription }
}

export const measurements: ReadonlyArray<Measurement> = [
  {
    name: 'presence fan-out, RFC 3856 PIDF (10k watchers, 1k VMRs)',
    unit: 'NOTIFY/s',
    reference_name: `${kamailioSettings}, PUBLISH of the same change`,
    target: 1,
    absolute: { value: 20_000 },
    samples: 5,
    sample: () => sideBySide('pidf'),
  },
  {
    name: 'presence fan-out, SfB batched adrl-categorylist (10k resources)',
    unit: 'updates/s',
    reference_name: 'Kamailio PIDF fan-out (no batched subscriptions), same run',
    samples: 5,
    sample: () => sideBySide('batched'),
  },
  {
    name: 'memory per presence subscription (idle watcher)',
    unit: 'bytes',
    reference_name: 'Kamailio, PSS of all its processes',
    lowerIsBetter: true,
    samples: 1,
    warmUp: false,
    sample: presenceMemory,
  },
]
