/**
 * What a watcher sees for an address (DESIGN §2 "Presence and avatar"; PROTOCOLS 3.2), decided
 * in the same order as a call to that address is resolved:
 * 1. a VMR alias: Available, the VMR's name, its avatar (its uploaded image, else the product
 *    logo) — whether or not anyone is in the room;
 * 2. else an address that an enabled gateway rule accepting incoming MS-SIP matches: Available
 *    ("the gateway knows how to reach this", not "the endpoint is online"), the product logo;
 * 3. else Unknown: SfB shows "Presence unknown", which tells the user the address is wrong.
 *
 * The display name of a gateway contact is the user part of the normalized alias
 * (`room1@rooms.example.com` shows as `room1`; `tel:+15551234` as `+15551234`). Choice: the
 * gateway knows nothing better about the far end, the user part is what people recognise, and
 * leaving it out would make SfB show the bare URI. It is lower case because every address that
 * reaches the same resource must see the same document (the alias key is lower case).
 */
import * as E from 'fp-ts/lib/Either.js'
import type { CompiledConfig } from '../config/compiled.js'
import type { Vmr } from '../config/model.js'
import { aliasKey, parseDialString } from '../dial-string/dial-string.js'
import { findRoute } from '../gateway/routing-table.js'
import type { Avatar, PresenceDocument } from '../node/effect.js'

export const unknownPresence: PresenceDocument = { _tag: 'Unknown' }
export const productLogo: Avatar = { _tag: 'ProductLogo' }

/** The normalized alias a watched address names, or `undefined` when it is no dial string. */
export const watchedAlias = (target: string): string | undefined => {
  const parsed = parseDialString(target)
  return E.isRight(parsed) ? aliasKey(parsed.right) : undefined
}

export const vmrAvatar = (vmr: Vmr): Avatar =>
  vmr.avatarHash === undefined ? productLogo : { _tag: 'ConferenceAvatar', conference: vmr.id, hash: vmr.avatarHash }

export const vmrPresence = (vmr: Vmr): PresenceDocument => ({ _tag: 'Available', displayName: vmr.name, avatar: vmrAvatar(vmr) })

/** `room1@rooms.example.com` → `room1`; an alias without a domain is all user part. */
export const gatewayContactName = (alias: string): string => {
  const at = alias.lastIndexOf('@')
  return at < 0 ? alias : alias.slice(0, at)
}

/** Presence for an alias already normalized by `aliasKey`. */
export const presenceForAlias = (config: CompiledConfig, alias: string): PresenceDocument => {
  const vmr = config.vmrByAlias.get(alias)
  if (vmr !== undefined) return vmrPresence(vmr)
  // PROTOCOLS 3.2: any rule with MS-SIP among its incoming protocols; nobody is registered yet.
  const route = findRoute(config.routing, { alias, direction: 'incoming', protocol: 'mssip', registered: false })
  return route === undefined ? unknownPresence : { _tag: 'Available', displayName: gatewayContactName(alias), avatar: productLogo }
}

/** Presence for a watched address as received, e.g. `sip:meet.alice@example.com`. */
export const presenceFor = (config: CompiledConfig, target: string): PresenceDocument => {
  const alias = watchedAlias(target)
  return alias === undefined ? unknownPresence : presenceForAlias(config, alias)
}

export const sameAvatar = (a: Avatar, b: Avatar): boolean =>
  a._tag === 'ProductLogo' ? b._tag === 'ProductLogo' : b._tag === 'ConferenceAvatar' && a.conference === b.conference && a.hash === b.hash

/** Whether a watcher holding `a` must be told about `b`. */
export const samePresence = (a: PresenceDocument, b: PresenceDocument): boolean =>
  a._tag === 'Unknown'
    ? b._tag === 'Unknown'
    : b._tag === 'Available' && a.displayName === b.displayName && sameAvatar(a.avatar, b.avatar)
