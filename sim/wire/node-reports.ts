/**
 * What participants see and hear, from what the node reports. Until the media worker exists
 * the node's loopback media records each media effect the core gives it and logs it at debug
 * level (`"msg":"media effect"`, adapters/media/loopback/), and the SIP side logs which leg each
 * call is (`"call offered"` with its Call-ID; `"dialling out"` with the address called). This
 * reads those lines and turns each leg's effects into what its endpoint perceives — the same
 * translation the in-process network makes from the core's effects: a picture naming the people
 * in it, a sound, the conference heard, the far end of a bridged call, the content floor.
 *
 * A leg is matched to an endpoint's call by Call-ID, or, for a call the node places, by the
 * address it calls (first placed, first matched). Effects for a leg not matched yet are kept
 * and replayed in order once it is.
 */
import { composedTiles } from '../../core/conference/tiles.js'
import type { Party } from '../../core/model/call.js'
import type { LegId } from '../../core/model/ids.js'
import type { View } from '../../core/node/effect.js'
import type { MediaEffect } from '../../core/ports/media.js'
import { addressKey } from '../address.js'
import type { CallEvents, Picture } from '../network.js'
import type { LogLine } from './parley-process.js'

/** An endpoint's side of a leg: who is on it (as pictures name them) and how they perceive it. */
export interface LegSink {
  readonly party: Party
  readonly events: CallEvents
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null

const legsOf = (effect: MediaEffect): ReadonlyArray<LegId> => (effect._tag === 'Bridge' ? [effect.a, effect.b] : [effect.leg])

const mediaTags = new Set(['Show', 'Play', 'JoinMix', 'LeaveMix', 'Bridge', 'GrantFloor', 'RevokeFloor'])

/** The media effect a log line reports, if it reports one. */
export const mediaEffectOf = (line: LogLine): MediaEffect | undefined => {
  if (line['msg'] !== 'media effect' || !isObject(line['media'])) return undefined
  const effect = line['media']
  return typeof effect['_tag'] === 'string' && mediaTags.has(effect['_tag']) ? (effect as unknown as MediaEffect) : undefined
}

const dialledKey = (to: string): string => addressKey(to) ?? to.toLowerCase()

export class NodeReports {
  private readonly sinks = new Map<LegId, LegSink>()
  private readonly waitingByCallId = new Map<string, LegSink>()
  private readonly legByCallId = new Map<string, LegId>()
  /** Dial-outs seen in the log and not matched yet, by address called. */
  private readonly placed = new Map<string, LegId[]>()
  /** Calls that reached an endpoint from the node and are not matched yet, by address called. */
  private readonly arrived = new Map<string, LegSink[]>()
  private readonly held = new Map<LegId, MediaEffect[]>()

  constructor(private readonly conferenceName: (conference: string) => string) {}

  /** Every log line of the node goes here. */
  readonly read = (line: LogLine): void => {
    const effect = mediaEffectOf(line)
    if (effect !== undefined) return this.deliver(effect)
    const leg = typeof line['leg'] === 'string' ? (line['leg'] as LegId) : undefined
    if (leg === undefined) return
    if (line['msg'] === 'call offered' && typeof line['callId'] === 'string') {
      this.legByCallId.set(line['callId'], leg)
      const sink = this.waitingByCallId.get(line['callId'])
      if (sink !== undefined) {
        this.waitingByCallId.delete(line['callId'])
        this.bind(leg, sink)
      }
    } else if (line['msg'] === 'dialling out' && typeof line['to'] === 'string') {
      const key = dialledKey(line['to'])
      const sink = this.arrived.get(key)?.shift()
      if (sink !== undefined) this.bind(leg, sink)
      else this.placed.set(key, [...(this.placed.get(key) ?? []), leg])
    }
  }

  /** A call an endpoint placed, by the Call-ID it used. */
  callPlaced(callId: string, sink: LegSink): void {
    const leg = this.legByCallId.get(callId)
    if (leg === undefined) this.waitingByCallId.set(callId, sink)
    else this.bind(leg, sink)
  }

  /** A call the node placed reached an endpoint at `to` (the Request-URI it arrived with). */
  callArrived(to: string, sink: LegSink): void {
    const key = dialledKey(to)
    const leg = this.placed.get(key)?.shift()
    if (leg !== undefined) this.bind(leg, sink)
    else this.arrived.set(key, [...(this.arrived.get(key) ?? []), sink])
  }

  /** The leg an endpoint's call is, once known. */
  legOfCall(callId: string): LegId | undefined {
    return this.legByCallId.get(callId)
  }

  private bind(leg: LegId, sink: LegSink): void {
    this.sinks.set(leg, sink)
    const held = this.held.get(leg) ?? []
    this.held.delete(leg)
    for (const effect of held) this.apply(leg, sink, effect)
  }

  private deliver(effect: MediaEffect): void {
    for (const leg of legsOf(effect)) {
      const sink = this.sinks.get(leg)
      if (sink !== undefined) this.apply(leg, sink, effect)
      else this.held.set(leg, [...(this.held.get(leg) ?? []), effect])
    }
  }

  private nameOf(leg: LegId): string {
    return this.sinks.get(leg)?.party.displayName ?? leg
  }

  private apply(leg: LegId, sink: LegSink, effect: MediaEffect): void {
    const events = sink.events
    switch (effect._tag) {
      case 'Show':
        return events.picture(this.picture(effect.view, leg))
      case 'Play':
        return events.sound(effect.sound)
      case 'JoinMix':
        return events.hearing({ kind: 'conference', room: this.conferenceName(effect.conference) })
      case 'LeaveMix':
        return events.hearing({ kind: 'nothing' })
      case 'Bridge': {
        const other = this.nameOf(effect.a === leg ? effect.b : effect.a)
        events.hearing({ kind: 'far-end', party: other })
        return events.picture({ kind: 'far-end', party: other })
      }
      case 'GrantFloor':
        return events.floor(true)
      case 'RevokeFloor':
        return events.floor(false)
    }
  }

  /** What `viewer` sees: a composed layout names the others in it, never the viewer itself. */
  private picture(view: View, viewer: LegId): Picture {
    switch (view._tag) {
      case 'Splash':
        return { kind: 'splash', splash: view.screen }
      case 'SelfView':
        return { kind: 'self-view' }
      case 'Composed':
        return { kind: 'composed', layout: view.layout, participants: composedTiles(view, viewer).map((p) => this.nameOf(p)) }
      case 'Content':
        return { kind: 'content', presenter: view.presenter, ...(view.speaker === undefined ? {} : { speaker: this.nameOf(view.speaker) }) }
      case 'NoVideo':
        return { kind: 'none' }
    }
  }
}
