/**
 * The `wire` world (DESIGN §5): Parley is a real node process (`parley serve --config FILE`,
 * ports 0, a fresh data dir) whose configuration the Given steps write; the same endpoint
 * models as the sim world speak real SIP to it over loopback (sim/wire/sip-network.ts); time is
 * real, and long timeouts are made short through `global` by the scenario's time plan
 * (sim/wire/time-plan.ts), never by faking the node's clock. What participants see and hear
 * comes from the media effects the node reports (sim/wire/node-reports.ts).
 *
 * Actions wait until what they sent is answered; what the node does on its own is looked at
 * with `eventually`, within a bound long enough for the timers that keep their real length (the
 * 5 s PIN pause, the farewell message, the 10 s automatic dialling delay). What cannot go over
 * the wire yet (the web app, H.323, content, the active speaker) throws NotOnTheWire at once:
 * such scenarios are tagged @sim-only, and one that is not fails loudly.
 */
import { After, AfterAll, Before, setDefaultTimeout, setWorldConstructor, World, type IWorldOptions } from '@cucumber/cucumber'
import { demoConfigFile } from '../../core/config/demo-config.js'
import type { Endpoint } from '../../sim/endpoints/endpoint.js'
import { H323RoomSystem, SipRoomSystem } from '../../sim/endpoints/room-systems.js'
import { SfbClient } from '../../sim/endpoints/sfb-client.js'
import { SfbFrontEnd } from '../../sim/endpoints/sfb-front-end.js'
import { SipVideoApp, WebClient } from '../../sim/endpoints/web-client.js'
import { NodeReports } from '../../sim/wire/node-reports.js'
import { Settling } from '../../sim/wire/settling.js'
import { SipNetwork } from '../../sim/wire/sip-network.js'
import { defaultTimePolicy, planTime, scenarioWaits, type TimePlan, type Wait } from '../../sim/wire/time-plan.js'
import { NotOnTheWire } from '../../sim/wire/wire-call.js'
import { configuredTimeoutsMs, wireConfiguration } from '../../sim/wire/wire-configuration.js'
import { WireRun } from '../../sim/wire/wire-run.js'
import { changesBetween, picturesOf, type AdminApi } from '../../sim/wire/admin-api.js'
import { ConfigurationFile } from './configuration-file.js'
import { eventually, type EventuallyBound } from './eventually.js'
import { defaultAddress } from './people.js'
import type { ParleyWorld, Person, SystemKind } from './world.js'

/**
 * How long a look may wait for the node: the slowest thing a scenario waits for without a pass
 * of its own is an automatic participant, dialled at least 10 s after its trigger whatever the
 * time plan (DESIGN §2), then called and answered.
 */
const bound: EventuallyBound = { timeoutMs: 15_000, intervalMs: 25 }
/** How long an action may take to be answered (an INVITE, the INFOs of a PIN, a SUBSCRIBE). */
const settleMs = 5_000

/**
 * The process's run: its node, edge and addresses outlive scenarios. Each worker of the
 * parallel profile keeps one node and imports every scenario's configuration into it; a node
 * per feature (DESIGN §5's wording) is WIRE_NODE_PER_FEATURE=1. Measured on 2 cores, 4 workers,
 * 150 scenarios: a node per feature 40 starts at 3.3-4.1 s each under load, 3 min 12 s in all;
 * one node per worker 4 starts and ~150-300 ms per import, 2 min 40 s (sim/wire/wire-run.ts).
 */
const run = new WireRun({ nodePerFeature: process.env['WIRE_NODE_PER_FEATURE'] === '1' })

interface Running {
  readonly api: AdminApi
  readonly network: SipNetwork
  readonly frontEnd: SfbFrontEnd
  readonly settling: Settling
  readonly stopReading: () => void
}

interface Enrolment {
  readonly kind: SystemKind
  readonly address: string
  readonly preparations: Array<(endpoint: Endpoint) => void>
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

const idOf = (o: Record<string, unknown>): string => String(o['id'] ?? '')

export class WireWorld extends World implements ParleyWorld {
  private readonly file = new ConfigurationFile(demoConfigFile)
  private running: Running | undefined
  private starting: Promise<Running> | undefined
  private readonly enrolments = new Map<Person, Enrolment>()
  private readonly endpoints = new Map<Person, Endpoint>()
  private feature = ''
  /** The scenario's waits still to come, in step order. */
  private waits: Wait[] = []
  private plan: TimePlan = { factor: 1, realMs: 0 }
  /** The configuration the node holds now, as written for the wire. */
  private applied: unknown

  constructor(options: IWorldOptions) {
    super(options)
  }

  /** The scenario about to run: its feature and the time its steps let pass. */
  scenario(feature: string, stepTexts: ReadonlyArray<string>): void {
    this.feature = feature
    this.waits = [...scenarioWaits(stepTexts)]
  }

  /** Before the node starts, the file it will start with; afterwards, the administrator at the management API. */
  readonly configure = async (edit: (file: ConfigurationFile) => void): Promise<void> => {
    edit(this.file)
    if (this.running === undefined && this.starting === undefined) return
    const { api } = await this.start()
    const edge = await run.edge()
    const next = wireConfiguration(this.file.document, this.plan.factor, edge.address)
    await api.sendAll(changesBetween(this.applied, next))
    this.applied = next
    run.nodeChanged(next)
  }

  readonly enrol = (person: Person, kind: SystemKind, address?: string): void => {
    if (this.enrolments.has(person)) throw new Error(`${person} already has a system`)
    this.enrolments.set(person, { kind, address: address ?? defaultAddress(person, kind), preparations: [] })
    if (this.running !== undefined) this.create(person, this.running)
  }

  readonly prepare = (person: Person, change: (endpoint: Endpoint) => void): void => {
    const existing = this.endpoints.get(person)
    if (existing !== undefined) change(existing)
    else this.enrolmentOf(person).preparations.push(change)
  }

  /**
   * A person acts as soon as their system lets them (hanging up a call that has not reached
   * them yet waits for it), then the requests the action sent are waited for.
   */
  readonly act = async (person: Person, action: (endpoint: Endpoint) => void): Promise<void> => {
    const { settling } = await this.start()
    const endpoint = this.endpointOf(person)
    const deadline = performance.now() + bound.timeoutMs
    for (;;) {
      try {
        action(endpoint)
        break
      } catch (failure) {
        if (failure instanceof NotOnTheWire || performance.now() + bound.intervalMs > deadline) throw failure
        await pause(bound.intervalMs)
      }
    }
    await settling.idle(settleMs)
  }

  readonly actOnSfb = (person: Person, action: (client: SfbClient) => void): Promise<void> =>
    this.act(person, (endpoint) => action(this.asSfb(person, endpoint)))

  readonly expect = async (person: Person, check: (endpoint: Endpoint) => void): Promise<void> => {
    await this.start()
    const endpoint = this.endpointOf(person)
    await eventually(() => check(endpoint), bound)
  }

  readonly expectSfb = (person: Person, check: (client: SfbClient) => void): Promise<void> =>
    this.expect(person, (endpoint) => check(this.asSfb(person, endpoint)))

  readonly expectBoth = async (a: Person, b: Person, check: (a: Endpoint, b: Endpoint) => void): Promise<void> => {
    await this.start()
    const first = this.endpointOf(a)
    const second = this.endpointOf(b)
    await eventually(() => check(first, second), bound)
  }

  /**
   * Real time at the scenario's factor. Waiting for a farewell message is waiting for a timer
   * of fixed length, which the looks that follow wait out with `eventually`: nothing to sleep.
   */
  readonly pass = async (ms: number): Promise<void> => {
    await this.start()
    const wait = this.waits.shift()
    if (wait?._tag === 'Farewell') return
    await pause(ms * this.plan.factor)
  }

  readonly speak = (_person: Person): Promise<void> =>
    Promise.reject(new NotOnTheWire('no active speaker on the wire: the loopback media hears nothing (the media worker detects speakers)'))

  /** Ends every call and subscription the scenario made; the node is kept for the next one. */
  async finish(): Promise<void> {
    const running = this.running ?? (this.starting === undefined ? undefined : await this.starting.catch(() => undefined))
    if (running === undefined) return
    await running.network.close()
    running.stopReading()
  }

  get timePlan(): TimePlan {
    return this.plan
  }

  /** The node starts with the configuration as the Given steps left it, and the scenario's time plan. */
  private start(): Promise<Running> {
    if (this.running !== undefined) return Promise.resolve(this.running)
    this.starting ??= this.startNow().then((running) => {
      this.running = running
      return running
    })
    return this.starting
  }

  private async startNow(): Promise<Running> {
    const document = this.file.document
    const passes = this.waits.flatMap((w) => (w._tag === 'Pass' ? [w.ms] : []))
    // The automatic dialling delay cannot be scaled below 10 s: scenarios with automatic
    // participants run in real time further, so that it keeps its place among their passes.
    const hasAdps = ((document as { automatic_participant?: unknown[] }).automatic_participant ?? []).length > 0
    this.plan = planTime(passes, configuredTimeoutsMs(document), { ...defaultTimePolicy, realTimeUpToMs: hasAdps ? 30_000 : 10_000 })
    const edge = await run.edge()
    const wired = wireConfiguration(document, this.plan.factor, edge.address)
    const { process: node, api } = await run.node(this.feature, wired)
    const sip = node.ready.sip
    if (sip === null) throw new Error('the node has no SIP listeners')
    await api.sendAll(picturesOf(wired))
    this.applied = wired
    const names = new Map(
      ((document as { conference?: Array<Record<string, unknown>> }).conference ?? []).map((c) => [idOf(c), String(c['name'] ?? '')] as const),
    )
    const reports = new NodeReports((id) => names.get(id) ?? id)
    const stopReading = node.onLog(reports.read)
    const settling = new Settling()
    const network = new SipNetwork({ node: sip, tls: run.directory.tls, addresses: run.addresses, reports, settling }, edge)
    const running: Running = { api, network, frontEnd: new SfbFrontEnd(network), settling, stopReading }
    for (const person of this.enrolments.keys()) this.create(person, running)
    return running
  }

  private create(person: Person, running: Running): void {
    const enrolment = this.enrolmentOf(person)
    const setup = { name: person, address: enrolment.address }
    const endpoint = this.build(enrolment.kind, setup, running)
    for (const prepare of enrolment.preparations) prepare(endpoint)
    this.endpoints.set(person, endpoint)
  }

  private build(kind: SystemKind, setup: { name: string; address: string }, { network, frontEnd }: Running): Endpoint {
    switch (kind) {
      case 'Skype for Business': {
        const client = new SfbClient(setup, frontEnd)
        frontEnd.home(client)
        return client
      }
      case 'a SIP room system':
        return this.attached(new SipRoomSystem(setup, network), network)
      case 'an H.323 room system':
        return this.attached(new H323RoomSystem(setup, network), network)
      case 'the web app':
        return new WebClient(setup, network)
      case 'a SIP video app':
        return this.attached(new SipVideoApp(setup, network), network)
    }
  }

  private attached(endpoint: Endpoint, network: SipNetwork): Endpoint {
    network.attach(endpoint.reachable)
    return endpoint
  }

  private endpointOf(person: Person): Endpoint {
    const endpoint = this.endpoints.get(person)
    if (endpoint === undefined) throw new Error(`${person} has no system; say which one they use`)
    return endpoint
  }

  private enrolmentOf(person: Person): Enrolment {
    const enrolment = this.enrolments.get(person)
    if (enrolment === undefined) throw new Error(`${person} has no system; say which one they use`)
    return enrolment
  }

  private asSfb(person: Person, endpoint: Endpoint): SfbClient {
    if (!(endpoint instanceof SfbClient)) throw new Error(`${person} does not use Skype for Business`)
    return endpoint
  }
}

setWorldConstructor(WireWorld)
// A step may wait out a scaled pass (up to half a minute), a look up to `bound`, a node start.
setDefaultTimeout(90_000)

Before(function (this: WireWorld, { pickle }) {
  this.scenario(pickle.uri, pickle.steps.map((s) => s.text))
})

After(async function (this: WireWorld) {
  await this.finish()
})

AfterAll(async () => {
  const { starts, startMs, imports, importMs, reuses } = run.counts
  await run.close()
  const mean = (ms: number, n: number): number => (n === 0 ? 0 : Math.round(ms / n))
  // What one node per feature costs, for whoever tunes the profile (stderr: stdout is the formatter's).
  process.stderr.write(
    `wire run (pid ${process.pid}): ${starts} node starts (${mean(startMs, starts)} ms each), ${imports} configurations imported into a running node (${mean(importMs, imports)} ms each), ${reuses} kept as they were\n`,
  )
})
