/**
 * The `sim` world: Parley is the pure core, driven in process by the simulated endpoints
 * (sim/), on a virtual clock. The scenario's configuration file is decoded and compiled exactly
 * as the node does it (with the in-memory pattern engine), and the node "starts" the first time
 * anyone uses it. Everything settles before an action returns, so checks look once.
 */
import { setWorldConstructor, World, type IWorldOptions } from '@cucumber/cucumber'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { decodeConfigFile } from '../../core/config/codecs.js'
import { compileConfig } from '../../core/config/compile.js'
import type { CompiledConfig } from '../../core/config/compiled.js'
import { demoConfigFile } from '../../core/config/demo-config.js'
import { jsPatternEngine } from '../../core/ports/fakes/js-pattern-engine.js'
import type { Endpoint } from '../../sim/endpoints/endpoint.js'
import { H323RoomSystem, SipRoomSystem } from '../../sim/endpoints/room-systems.js'
import { SfbClient } from '../../sim/endpoints/sfb-client.js'
import { SfbFrontEnd } from '../../sim/endpoints/sfb-front-end.js'
import { SipVideoApp, WebClient } from '../../sim/endpoints/web-client.js'
import { InProcessNetwork } from '../../sim/in-process/in-process-network.js'
import { VirtualClock } from '../../sim/virtual-clock.js'
import { ConfigurationFile } from './configuration-file.js'
import { eventually, type EventuallyBound } from './eventually.js'
import { defaultAddress } from './people.js'
import type { ParleyWorld, Person, SystemKind } from './world.js'

/** The in-process world is settled when an action returns: one look decides. */
const settled: EventuallyBound = { timeoutMs: 0, intervalMs: 0 }

interface Running {
  readonly network: InProcessNetwork
  readonly frontEnd: SfbFrontEnd
}

interface Enrolment {
  readonly kind: SystemKind
  readonly address: string
  readonly preparations: Array<(endpoint: Endpoint) => void>
}

const compile = (document: unknown): CompiledConfig =>
  pipe(
    decodeConfigFile(document),
    E.chainW((config) => compileConfig(config, jsPatternEngine)),
    E.getOrElseW((problem) => {
      throw new Error(`the scenario's configuration is refused: ${JSON.stringify(problem)}`)
    }),
  )

export class SimWorld extends World implements ParleyWorld {
  private readonly file = new ConfigurationFile(demoConfigFile)
  private readonly clock = new VirtualClock(0)
  private running: Running | undefined
  private readonly enrolments = new Map<Person, Enrolment>()
  private readonly endpoints = new Map<Person, Endpoint>()

  constructor(options: IWorldOptions) {
    super(options)
  }

  readonly configure = (edit: (file: ConfigurationFile) => void): Promise<void> => {
    edit(this.file)
    if (this.running !== undefined) this.running.network.reconfigure(compile(this.file.document))
    return Promise.resolve()
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

  readonly act = (person: Person, action: (endpoint: Endpoint) => void): Promise<void> => {
    action(this.endpointOf(person))
    return Promise.resolve()
  }

  readonly actOnSfb = (person: Person, action: (client: SfbClient) => void): Promise<void> =>
    this.act(person, (endpoint) => action(this.asSfb(person, endpoint)))

  readonly expect = async (person: Person, check: (endpoint: Endpoint) => void): Promise<void> => {
    const endpoint = this.endpointOf(person)
    await eventually(() => check(endpoint), settled)
  }

  readonly expectSfb = (person: Person, check: (client: SfbClient) => void): Promise<void> =>
    this.expect(person, (endpoint) => check(this.asSfb(person, endpoint)))

  readonly expectBoth = async (a: Person, b: Person, check: (a: Endpoint, b: Endpoint) => void): Promise<void> => {
    const first = this.endpointOf(a)
    const second = this.endpointOf(b)
    await eventually(() => check(first, second), settled)
  }

  readonly pass = (ms: number): Promise<void> => {
    this.start()
    this.clock.advance(ms)
    return Promise.resolve()
  }

  readonly speak = (person: Person): Promise<void> => {
    const { network } = this.start()
    const endpoint = this.endpointOf(person)
    const room = endpoint.currentCall?.hearing
    if (room?.kind !== 'conference') throw new Error(`${person} is not in a meeting`)
    const conference = network.conferenceIdNamed(room.room)
    if (conference === undefined) throw new Error(`no conference "${room.room}"`)
    network.speakerChanged(conference, endpoint.identity)
    return Promise.resolve()
  }

  /** The node starts with the configuration as the Given steps left it. */
  private start(): Running {
    if (this.running !== undefined) return this.running
    const network = new InProcessNetwork(compile(this.file.document), this.clock)
    const running: Running = { network, frontEnd: new SfbFrontEnd(network) }
    this.running = running
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

  private attached(endpoint: Endpoint, network: InProcessNetwork): Endpoint {
    network.attach(endpoint.reachable)
    return endpoint
  }

  private endpointOf(person: Person): Endpoint {
    this.start()
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

setWorldConstructor(SimWorld)
