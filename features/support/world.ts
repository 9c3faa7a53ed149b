/**
 * The World every step is written against (CONVENTIONS 12). Two assemblies implement it:
 * sim-world.ts (the pure core in process, a virtual clock) and, later, wire-world.ts (a real
 * node process, the same endpoint models speaking SIP over loopback, real time). A step is one
 * line on this interface, so a world can be added without touching a step.
 *
 * People use endpoint models from sim/endpoints (an SfB client, room systems, a web client, a
 * SIP video app); both worlds use the same models and differ only in the network under them,
 * in how the node is started and reconfigured, and in how time passes.
 */
import type { IWorld } from '@cucumber/cucumber'
import type { Endpoint } from '../../sim/endpoints/endpoint.js'
import type { SfbClient } from '../../sim/endpoints/sfb-client.js'
import type { ConfigurationFile } from './configuration-file.js'

/**
 * Long enough for any farewell Parley plays before it hangs up (an "invalid PIN" or "conference
 * ending" message). How long exactly is Parley's choice; users only know it ends.
 */
export const farewellMessageMs = 10_000

/** A person in a scenario, by first name ("Alice"). */
export type Person = string

/** The kinds of system people use, in their words. */
export const systemKinds = ['Skype for Business', 'a SIP room system', 'an H.323 room system', 'the web app', 'a SIP video app'] as const
export type SystemKind = (typeof systemKinds)[number]

export interface ParleyWorld extends IWorld {
  /**
   * Changes the configuration file. Before anyone has called, this is the file the node starts
   * with (the demo configuration, as Given steps alter it); afterwards it is the administrator
   * changing the running node's configuration.
   */
  readonly configure: (edit: (file: ConfigurationFile) => void) => Promise<void>
  /** Gives a person a system, reachable at `address` (else an address made from their name). */
  readonly enrol: (person: Person, kind: SystemKind, address?: string) => void
  /** Sets how a person's system behaves before it is used (answering by itself or not). */
  readonly prepare: (person: Person, change: (endpoint: Endpoint) => void) => void
  /** A person does something on their system; the node is started first if it is not yet. */
  readonly act: (person: Person, action: (endpoint: Endpoint) => void) => Promise<void>
  /** The same, for what only a Skype for Business client does (contacts, IM typing, adding to a call). */
  readonly actOnSfb: (person: Person, action: (client: SfbClient) => void) => Promise<void>
  /** Waits, within the world's bound, until what a person perceives passes the check. */
  readonly expect: (person: Person, check: (endpoint: Endpoint) => void) => Promise<void>
  readonly expectSfb: (person: Person, check: (client: SfbClient) => void) => Promise<void>
  /** Checks two people's systems together (a point-to-point call). */
  readonly expectBoth: (a: Person, b: Person, check: (a: Endpoint, b: Endpoint) => void) => Promise<void>
  /** Time passes: at once on the virtual clock, or really, against a node whose timeouts are short. */
  readonly pass: (ms: number) => Promise<void>
  /** A person talks loudest in their meeting (the media side's active-speaker report). */
  readonly speak: (person: Person) => Promise<void>
}
