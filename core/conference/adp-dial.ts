/**
 * Placing Automatically Dialled Participants (DESIGN §2 ADP; PROTOCOLS 3.5): where each call
 * goes and how, and whether the ADPs left keep a conference alive.
 */
import type { CompiledConfig } from '../config/compiled.js'
import type { Adp, KeepConferenceAlive, Vmr } from '../config/model.js'
import type { CallType, OutgoingProtocol, Party } from '../model/call.js'
import type { ConferenceId, LegId } from '../model/ids.js'
import { LegId as legId } from '../model/ids.js'
import type { DialOut } from '../node/effect.js'
import type { DialOutOwner } from '../node/messages.js'
import { findRoute } from '../gateway/routing-table.js'
import { addressKeyOf, dialUriOf, vmrParty } from '../call/address.js'
import { narrowCallType, offerUnder } from '../call/media.js'

/** Pexip dials ADPs at least 10 s after the trigger, whatever is configured. */
export const minAdpDelayS = 10

/** Derived, never random (DESIGN §1): one ADP is dialled at most once per conference instance. */
export const adpLegId = (conference: ConferenceId, adpId: string): LegId => legId(`${conference}/adp/${adpId}`)

export type AdpDialPlan =
  | { readonly _tag: 'Dial'; readonly dialOut: DialOut; readonly owner: DialOutOwner; readonly party: Party }
  | { readonly _tag: 'Skip'; readonly reason: string }

interface Destination {
  readonly to: string
  readonly protocol: OutgoingProtocol
  readonly proxy: string | undefined
  readonly callType: CallType
}

const destinationOf = (config: CompiledConfig, adp: Adp): Destination | string => {
  if (adp.routing === 'routing_rule') {
    // Outgoing calls from a conference go through the rules that match outgoing calls (PROTOCOLS 3.6).
    const route = findRoute(config.routing, {
      alias: addressKeyOf(adp.alias),
      direction: 'outgoing',
      protocol: adp.protocol,
      registered: false,
    })
    if (route === undefined) return `no gateway rule matches outgoing calls to ${adp.alias}`
    return {
      to: dialUriOf(route.destination),
      protocol: route.protocol,
      proxy: route.proxy,
      callType: narrowCallType(adp.callType, route.callType),
    }
  }
  const global = config.source.global
  return {
    to: dialUriOf(adp.alias),
    protocol: adp.protocol,
    proxy: adp.protocol === 'mssip' ? global.defaultMssipProxy : adp.protocol === 'sip' ? global.defaultSipProxy : undefined,
    callType: adp.callType,
  }
}

export const planAdpDial = (config: CompiledConfig, vmr: Vmr, adp: Adp): AdpDialPlan => {
  const destination = destinationOf(config, adp)
  if (typeof destination === 'string') return { _tag: 'Skip', reason: destination }
  // DESIGN §2: an h323 ADP is dialled like any other; the live signalling fails it (503) until an
  // H.323 wire adapter exists, and ADPs are never retried.
  const callType = narrowCallType(destination.callType, vmr.callType)
  const leg = adpLegId(vmr.id, adp.id)
  return {
    _tag: 'Dial',
    dialOut: {
      _tag: 'DialOut',
      leg,
      from: vmrParty(vmr),
      to: destination.to,
      protocol: destination.protocol,
      ...(destination.proxy === undefined ? {} : { proxy: destination.proxy }),
      callType,
      offer: offerUnder(callType),
    },
    owner: { _tag: 'Adp', conference: vmr.id, adpId: adp.id, dtmfSequence: adp.dtmfSequence, callType },
    party: { displayName: adp.remoteDisplayName === '' ? adp.alias : adp.remoteDisplayName, uri: destination.to },
  }
}

/**
 * Whether the ADPs left keep a conference with no one else alive (Pexip `keep_conference_alive`):
 * one `always` does; `if_multiple` ones only while more than one of them remains; `never` never.
 */
export const keptAliveByAdps = (legs: ReadonlyArray<{ readonly keepAlive: KeepConferenceAlive }>): boolean =>
  legs.some((l) => l.keepAlive === 'always') || legs.filter((l) => l.keepAlive !== 'never').length > 1
