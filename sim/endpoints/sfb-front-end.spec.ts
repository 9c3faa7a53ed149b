import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { CallControl, CallEvents, CallRequest, PresenceEvents, Reachable, SimNetwork } from '../network.js'
import { SfbClient } from './sfb-client.js'
import { SfbFrontEnd } from './sfb-front-end.js'

/** A network that records what reaches it and answers nothing. */
class RecordingNetwork implements SimNetwork {
  readonly attached: Reachable[] = []
  readonly calls: CallRequest[] = []
  readonly subscriptions: string[] = []
  readonly attach = (endpoint: Reachable): void => {
    this.attached.push(endpoint)
  }
  readonly call = (request: CallRequest, _events: CallEvents): CallControl => {
    this.calls.push(request)
    const nothing = (): void => undefined
    return { sendDigits: nothing, sendChat: nothing, typing: nothing, changeMedia: nothing, startContent: nothing, stopContent: nothing, hangup: nothing }
  }
  readonly subscribe = (_watcher: string, target: string, _events: PresenceEvents) => {
    this.subscriptions.push(target)
    return { unsubscribe: () => undefined }
  }
}

const pool = () => {
  const network = new RecordingNetwork()
  const frontEnd = new SfbFrontEnd(network)
  const alice = new SfbClient({ name: 'Alice', address: 'alice@example.com' }, frontEnd)
  const carol = new SfbClient({ name: 'Carol', address: 'carol@example.com' }, frontEnd)
  frontEnd.home(alice)
  frontEnd.home(carol)
  return { network, frontEnd, alice, carol }
}

void test('a call between two users of the pool never reaches Parley, and both see and hear each other once answered', () => {
  const { network, alice, carol } = pool()
  alice.dial('carol@example.com')
  assert.equal(alice.currentCall?.status, 'ringing')
  assert.deepEqual(carol.screen, { kind: 'incoming-call', from: 'Alice' })
  carol.answer()
  assert.deepEqual(network.calls, [])
  assert.deepEqual(alice.currentCall?.hearing, { kind: 'far-end', party: 'Carol' })
  assert.deepEqual(carol.currentCall?.hearing, { kind: 'far-end', party: 'Alice' })
  assert.deepEqual(alice.screen, { kind: 'far-end', party: 'Carol' })
})

void test('IM between users opens a session carrying its first message; sharing shows the banner; hanging up ends the other side', () => {
  const { alice, carol } = pool()
  alice.dial('carol@example.com')
  carol.answer()
  alice.sendChat('lunch?')
  alice.sendChat('at noon')
  assert.deepEqual(
    carol.chatLines.map((l) => l.text),
    ['lunch?', 'at noon'],
  )
  assert.deepEqual(alice.chatLines, [])
  alice.share()
  assert.equal(alice.currentCall?.presenting, true)
  assert.deepEqual(carol.screen, { kind: 'content', presenter: 'Alice', banner: 'Alice is presenting' })
  carol.hangUp()
  assert.equal(alice.currentCall?.status, 'ended')
})

void test('calls and subscriptions for anything outside the pool go to Parley; users are Available locally', () => {
  const { network, alice } = pool()
  alice.addContact('carol@example.com')
  alice.addContact('meet.alice@example.com')
  assert.deepEqual(alice.contact('carol@example.com'), { state: 'Available', displayName: 'Carol', picture: { kind: 'product-logo' } })
  assert.deepEqual(network.subscriptions, ['sip:meet.alice@example.com'])
  alice.dial('meet.alice**1234@example.com', 'audio-only')
  assert.equal(network.calls.length, 1)
  assert.equal(network.calls[0]?.to, 'meet.alice**1234@example.com')
  assert.deepEqual(network.calls[0]?.offer, { audio: true, video: false, content: false, chat: false })
  assert.equal(network.calls[0]?.protocol, 'mssip')
})

void test('someone added to a conversation is an ordinary call from the adder, and every member sees them join', () => {
  const { network, alice, carol } = pool()
  alice.dial('carol@example.com')
  carol.answer()
  alice.addToConversation('room1@rooms.example.com')
  const added = network.calls[0]
  assert.equal(added?.to, 'room1@rooms.example.com')
  assert.equal(added?.conversationId, alice.currentCall?.conversationId)
  assert.deepEqual(
    carol.addedToConversation.map((a) => a.address),
    ['room1@rooms.example.com'],
  )
  // The main window still shows the call with Carol.
  assert.equal(alice.currentCall?.remote, 'carol@example.com')
})
