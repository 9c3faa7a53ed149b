/**
 * Chat fan-out in a VMR (DESIGN §2 "Instant messaging"; PROTOCOLS 3.8): a message goes to every
 * other chat-capable participant in the room, never back to its sender. SfB and SIP receivers
 * get it in their dialog with the VMR, so it comes from the VMR contact and names the sender
 * (`bob: hello`); web clients have their own channel and see the sender with the plain text.
 * Waiting Guests are not in the room yet: they neither send nor receive (choice).
 */
import type { LegId } from '../model/ids.js'
import type { Out } from '../node/outcome.js'
import type { ConferenceState, Participant } from './conference-state.js'
import { participantFor, patchParticipant, replaceParticipant } from './conference-state.js'

/** Where a participant takes chat: its attached IM session, else its own leg if capable. */
export const chatLegOf = (p: Participant): LegId | undefined => p.chatLeg ?? (p.chatCapable ? p.leg : undefined)

const senderName = (p: Participant): string => (p.party.displayName === '' ? p.party.uri : p.party.displayName)

export const relayChat = (c: ConferenceState, from: LegId, text: string, out: Out): ConferenceState => {
  const sender = participantFor(c, from)
  if (sender === undefined || sender.waiting) return c
  // A SIP leg that sends chat in its dialog takes chat from then on (DESIGN §2 IM).
  const conf = sender.leg === from && !sender.chatCapable ? replaceParticipant(c, patchParticipant(sender, { chatCapable: true })) : c
  if (!conf.vmr.enableChat) return conf
  const room = conf.room
  const named = `${senderName(sender)}: ${text}`
  let recipients = 0
  for (const q of conf.participants) {
    if (q.leg === sender.leg || q.waiting) continue
    const leg = chatLegOf(q)
    if (leg === undefined) continue
    const webClient = q.chatLeg === undefined && q.protocol === 'webrtc'
    out.emit({
      _tag: 'DeliverChat',
      leg,
      from: webClient ? sender.party : room,
      text: webClient ? text : named,
    })
    recipients++
  }
  out.emit({ _tag: 'Observe', observation: { _tag: 'ChatRelayed', from, recipients } })
  return conf
}
