/**
 * Presence subscriptions through the SIP application over the fake network, with the real core
 * on the demo configuration: the SfB batched form (piggybacked or in a NOTIFY), RFC 3856 PIDF,
 * changes, refresh, unsubscribe, expiry, a watcher gone, and the refusals (489, 406, 423, 503).
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { makeConfig, makeVmr } from '../../../core/node/node-harness.js'
import { demoPresenceConfig } from '../../../core/presence/presence-test-config.js'
import { rfc3856Headers, sfbBatchedBody, sfbBatchedHeaders } from '../presence/presence-fixtures.js'
import type { RawPeer } from '../stack/testing/raw-peer.js'
import type { SipResponse } from '../stack/sip-message.js'
import type { App } from './testing/app-harness.js'
import { finalResponses, inDialogLines, parleyAddress, requestLines, requestsOf, startApp } from './testing/app-harness.js'

const sfbSubscribe = (peer: RawPeer, options: { readonly piggyback: boolean; readonly expires?: number; readonly body?: string }): string[] =>
  requestLines(peer, 'SUBSCRIBE', 'sip:bob@example.com', {
    from: '"Bob" <sip:bob@example.com>;tag=w1;epid=e1',
    to: '<sip:bob@example.com>',
    extra: [
      'User-Agent: UCCAPI/16.0.4417.1000 OC/16.0.4417.1000 (Skype for Business)',
      'Event: presence',
      `Accept: ${sfbBatchedHeaders.accept}`,
      'Supported: ms-benotify',
      ...(options.piggyback ? ['Supported: ms-piggyback-first-notify'] : []),
      'Require: adhoclist, categoryList',
      'Supported: eventlist',
      `Expires: ${options.expires ?? 3600}`,
    ],
    contentType: sfbBatchedHeaders.contentType,
  })

const subscribe = async (app: App, peer: RawPeer, lines: string[], body = ''): Promise<SipResponse> => {
  const before = finalResponses(peer, 'SUBSCRIBE').length
  peer.send('udp', parleyAddress, lines, body)
  await app.settle()
  const final = finalResponses(peer, 'SUBSCRIBE')[before]
  assert.ok(final !== undefined, 'no final response to the SUBSCRIBE')
  return final
}

const answerNotifies = async (app: App, peer: RawPeer, from: number): Promise<void> => {
  for (const notify of requestsOf(peer, 'NOTIFY').slice(from)) peer.answer(notify, 200)
  await app.settle()
}

void describe('SfB batched subscriptions', () => {
  void it('one resource per subscription; with ms-piggyback-first-notify the 200 carries the multipart state and no NOTIFY follows', async () => {
    const app = startApp()
    const watcher = app.peer('192.0.2.40')
    const ok = await subscribe(app, watcher, sfbSubscribe(watcher, { piggyback: true }), sfbBatchedBody)
    assert.equal(ok.status, 200)
    const subscribed = app.inputs.filter((i) => i._tag === 'PresenceSubscribed')
    assert.deepEqual(
      subscribed.map((i) => (i._tag === 'PresenceSubscribed' ? [i.target, i.watcher] : [])),
      [
        ['sip:meet.alice@example.com', 'sip:bob@example.com'],
        ['sip:room1@rooms.example.com', 'sip:bob@example.com'],
        ['sip:nobody@example.com', 'sip:bob@example.com'],
      ],
    )
    assert.match(ok.getHeader('Content-Type') ?? '', /^multipart\/related; type="application\/rlmi\+xml"/)
    assert.equal(ok.getHeader('Expires'), '3600')
    assert.equal(ok.getHeader('Require'), 'eventlist')
    assert.match(ok.getHeader('Supported') ?? '', /ms-piggyback-first-notify/)
    assert.match(ok.body, /<availability>3500<\/availability>/)
    assert.match(ok.body, /<displayName>Alice's meeting room<\/displayName>/)
    assert.match(ok.body, /<uri>http:\/\/192\.0\.2\.10:8080\/avatar\/default\.png<\/uri>/)
    assert.match(ok.body, /<list xmlns="urn:ietf:params:xml:ns:rlmi" uri="sip:bob@example.com" version="0" fullState="true">/)
    assert.equal(requestsOf(watcher, 'NOTIFY').length, 0)
    assert.equal(app.presence.watched, 3)
  })

  void it('without piggyback: 200 then a NOTIFY with the state; a change notifies only the resource that changed', async () => {
    const app = startApp()
    const watcher = app.peer('192.0.2.40')
    const ok = await subscribe(app, watcher, sfbSubscribe(watcher, { piggyback: false }), sfbBatchedBody)
    assert.equal(ok.status, 200)
    assert.equal(ok.body, '')
    const [notify] = requestsOf(watcher, 'NOTIFY')
    assert.ok(notify !== undefined)
    assert.equal(notify.getHeader('Event'), 'presence')
    assert.equal(notify.getHeader('Subscription-State'), 'active;expires=3600')
    assert.equal(notify.getHeader('Require'), 'eventlist')
    assert.match(notify.body, /version="0" fullState="true"/)
    assert.match(notify.body, /<availability>3500<\/availability>/)
    await answerNotifies(app, watcher, 0)

    // The operator renames Alice's room: one NOTIFY, that resource only, version 1.
    const renamed = makeConfig({ vmrs: [makeVmr('1', { name: 'Alice and co', aliases: ['meet.alice@example.com'] })], rules: [...demoPresenceConfig.source.rules] })
    app.clock.advance(60_000)
    app.runtime.changeConfig(renamed)
    await app.settle()
    const changes = requestsOf(watcher, 'NOTIFY').slice(1)
    assert.equal(changes.length, 1)
    assert.match(changes[0]?.body ?? '', /version="1" fullState="false"/)
    assert.match(changes[0]?.body ?? '', /<displayName>Alice and co<\/displayName>/)
    assert.doesNotMatch(changes[0]?.body ?? '', /room1@rooms/)
    assert.equal(changes[0]?.getHeader('Subscription-State'), 'active;expires=3540', 'the time left')
  })

  void it('changes made while a NOTIFY awaits its answer go out together in the next one, each resource once with its latest state', async () => {
    const app = startApp()
    const watcher = app.peer('192.0.2.40')
    await subscribe(app, watcher, sfbSubscribe(watcher, { piggyback: false }), sfbBatchedBody)
    await answerNotifies(app, watcher, 0)
    const rules = [...demoPresenceConfig.source.rules]
    app.runtime.changeConfig(makeConfig({ vmrs: [makeVmr('1', { name: 'Alice and co', aliases: ['meet.alice@example.com'] })], rules }))
    await app.settle()
    assert.equal(requestsOf(watcher, 'NOTIFY').length, 2, 'the first change is sent at once')

    // Not answered yet (RFC 6665 §4.2.2): two more changes wait, Alice's room renamed again and
    // nobody@example.com becoming a room.
    app.runtime.changeConfig(
      makeConfig({
        vmrs: [makeVmr('1', { name: 'Alice, Carol and co', aliases: ['meet.alice@example.com'] }), makeVmr('9', { name: 'Nobody now', aliases: ['nobody@example.com'] })],
        rules,
      }),
    )
    await app.settle()
    assert.equal(requestsOf(watcher, 'NOTIFY').length, 2, 'nothing more while the NOTIFY is unanswered')
    await answerNotifies(app, watcher, 1)
    const after = requestsOf(watcher, 'NOTIFY').slice(2)
    assert.equal(after.length, 1, 'one NOTIFY for both changes')
    const body = after[0]?.body ?? ''
    assert.match(body, /version="2" fullState="false"/)
    assert.match(body, /<displayName>Alice, Carol and co<\/displayName>/)
    assert.match(body, /<displayName>Nobody now<\/displayName>/)
    assert.doesNotMatch(body, /Alice and co/)
    assert.equal(body.match(/<resource uri="sip:meet.alice@example.com"/g)?.length, 1)
    assert.doesNotMatch(body, /room1@rooms/)
    await answerNotifies(app, watcher, 2)
    assert.equal(requestsOf(watcher, 'NOTIFY').length, 3)
  })

  void it('refresh answers again with the full state; Expires: 0 ends it with a final NOTIFY and PresenceUnsubscribed', async () => {
    const app = startApp()
    const watcher = app.peer('192.0.2.40')
    const ok = await subscribe(app, watcher, sfbSubscribe(watcher, { piggyback: true }), sfbBatchedBody)
    watcher.send('udp', parleyAddress, inDialogLines(watcher, ok, 'SUBSCRIBE', 2, ['Event: presence', 'Expires: 1200']))
    await app.settle()
    assert.equal(finalResponses(watcher, 'SUBSCRIBE')[1]?.getHeader('Expires'), '1200')
    const [full] = requestsOf(watcher, 'NOTIFY')
    assert.ok(full !== undefined)
    assert.match(full.body, /version="1" fullState="true"/)
    assert.equal((full.body.match(/<resource uri=/g) ?? []).length, 3)
    assert.equal(full.getHeader('Subscription-State'), 'active;expires=1200')
    await answerNotifies(app, watcher, 0)

    watcher.send('udp', parleyAddress, inDialogLines(watcher, ok, 'SUBSCRIBE', 3, ['Event: presence', 'Expires: 0']))
    await app.settle()
    const last = requestsOf(watcher, 'NOTIFY')[1]
    assert.equal(last?.getHeader('Subscription-State'), 'terminated;reason=timeout')
    assert.match(last?.body ?? '', /<availability>3500<\/availability>/, 'with the state (RFC 6665 §4.2.1.4)')
    await answerNotifies(app, watcher, 1)
    assert.equal(app.inputs.filter((i) => i._tag === 'PresenceUnsubscribed').length, 3)
    assert.equal(app.presence.watched, 0)
    assert.equal(app.runtime.nodeState.presence.subscriptions.size, 0)
    assert.equal(app.stack.counts.dialogs, 0)
  })

  void it('a subscription not refreshed expires: NOTIFY terminated;reason=timeout and PresenceUnsubscribed', async () => {
    const app = startApp()
    const watcher = app.peer('192.0.2.40')
    await subscribe(app, watcher, sfbSubscribe(watcher, { piggyback: true, expires: 600 }), sfbBatchedBody)
    app.clock.advance(599_000)
    await app.settle()
    assert.equal(requestsOf(watcher, 'NOTIFY').length, 0)
    app.clock.advance(1_000)
    await app.settle()
    assert.equal(requestsOf(watcher, 'NOTIFY')[0]?.getHeader('Subscription-State'), 'terminated;reason=timeout')
    assert.equal(app.inputs.filter((i) => i._tag === 'PresenceUnsubscribed').length, 3)
  })

  void it('a watcher gone (481 to a NOTIFY) ends its subscriptions', async () => {
    const app = startApp()
    const watcher = app.peer('192.0.2.40')
    await subscribe(app, watcher, sfbSubscribe(watcher, { piggyback: false }), sfbBatchedBody)
    const [notify] = requestsOf(watcher, 'NOTIFY')
    assert.ok(notify !== undefined)
    watcher.answer(notify, 481)
    await app.settle()
    assert.equal(app.inputs.filter((i) => i._tag === 'PresenceUnsubscribed').length, 3)
    assert.equal(app.presence.watched, 0)
  })
})

void describe('RFC 3856 subscriptions', () => {
  void it('at most 500 NOTIFYs await an answer at once; the next goes when one is answered, or 200 ms after the oldest went', async () => {
    const app = startApp()
    const watcher = app.peer('192.0.2.42')
    for (let i = 0; i < 502; i++)
      watcher.send(
        'udp',
        parleyAddress,
        requestLines(watcher, 'SUBSCRIBE', 'sip:meet.alice@example.com', { extra: ['Event: presence', `Accept: ${rfc3856Headers.accept}`, 'Expires: 300'] }),
      )
    await app.settle()
    assert.equal(finalResponses(watcher, 'SUBSCRIBE').length, 502)
    assert.equal(requestsOf(watcher, 'NOTIFY').length, 500, 'none answered yet: 500 in flight')
    watcher.answer(requestsOf(watcher, 'NOTIFY')[0]!, 200)
    await app.settle()
    assert.equal(requestsOf(watcher, 'NOTIFY').length, 501, 'an answer frees a place')
    // The watcher answers nothing more: after 200 ms the places are given back all the same.
    app.clock.advance(200)
    await app.settle()
    assert.equal(requestsOf(watcher, 'NOTIFY').length, 502)
  })

  void it('a standard watcher of meet.alice gets 200 then a PIDF NOTIFY with CIPID display name and icon', async () => {
    const app = startApp()
    const watcher = app.peer('192.0.2.41')
    const ok = await subscribe(
      app,
      watcher,
      requestLines(watcher, 'SUBSCRIBE', 'sip:meet.alice@example.com', { extra: ['Event: presence', `Accept: ${rfc3856Headers.accept}`, 'Expires: 300'] }),
    )
    assert.equal(ok.status, 200)
    assert.equal(ok.getHeader('Expires'), '300')
    const [notify] = requestsOf(watcher, 'NOTIFY')
    assert.equal(notify?.getHeader('Content-Type'), 'application/pidf+xml')
    assert.equal(notify?.getHeader('Subscription-State'), 'active;expires=300')
    assert.match(notify?.body ?? '', /<basic>open<\/basic>/)
    assert.match(notify?.body ?? '', /<c:display-name>Alice's meeting room<\/c:display-name>/)
    assert.match(notify?.body ?? '', /<c:icon>http:\/\/192\.0\.2\.10:8080\/avatar\/default\.png<\/c:icon>/)
  })

  void it('Expires: 0 on a new subscription is a fetch: 200, one NOTIFY with the state, terminated', async () => {
    const app = startApp()
    const watcher = app.peer('192.0.2.41')
    const ok = await subscribe(app, watcher, requestLines(watcher, 'SUBSCRIBE', 'sip:nobody@example.com', { extra: ['Event: presence', 'Expires: 0'] }))
    assert.equal(ok.status, 200)
    assert.equal(ok.getHeader('Expires'), '0')
    const [notify] = requestsOf(watcher, 'NOTIFY')
    assert.equal(notify?.getHeader('Subscription-State'), 'terminated;reason=timeout')
    assert.match(notify?.body ?? '', /<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:nobody@example.com"\/>/, 'unknown: no tuple')
    assert.equal(app.presence.watched, 0)
  })

  void it('refusals: 489 for another event package, 406 for no acceptable format, 423 for too brief, 400 for a bad list', async () => {
    const app = startApp()
    const watcher = app.peer('192.0.2.41')
    const status = async (extra: ReadonlyArray<string>, body = '', contentType?: string): Promise<SipResponse> =>
      subscribe(app, watcher, requestLines(watcher, 'SUBSCRIBE', 'sip:meet.alice@example.com', { extra, ...(contentType === undefined ? {} : { contentType }) }), body)
    const dialog = await status(['Event: dialog'])
    assert.equal(dialog.status, 489)
    assert.equal(dialog.getHeader('Allow-Events'), 'presence')
    const accept = await status(['Event: presence', 'Accept: text/plain'])
    assert.equal(accept.status, 406)
    assert.match(accept.getHeader('Accept') ?? '', /application\/pidf\+xml/)
    const brief = await status(['Event: presence', 'Expires: 5'])
    assert.equal(brief.status, 423)
    assert.equal(brief.getHeader('Min-Expires'), '60')
    const badList = await status(['Event: presence', `Accept: ${sfbBatchedHeaders.accept}`], '<batchSub><action name="dance"/></batchSub>', sfbBatchedHeaders.contentType)
    assert.equal(badList.status, 400)
    assert.equal(app.inputs.length, 0)
  })

  void it('caps: beyond the per-source limit a watcher gets 503 with Retry-After; a trusted peer is only held to the total', async () => {
    const app = startApp({ limits: { maxPerUntrustedSource: 2, maxTotal: 5 } })
    const watcher = app.peer('192.0.2.42')
    const one = async (target: string, peer: RawPeer = watcher) =>
      subscribe(app, peer, requestLines(peer, 'SUBSCRIBE', target, { extra: ['Event: presence', 'Expires: 600'] }))
    assert.equal((await one('sip:meet.alice@example.com')).status, 200)
    assert.equal((await one('sip:meet.bob@example.com')).status, 200)
    const third = await one('sip:1001@example.com')
    assert.equal(third.status, 503)
    assert.equal(third.getHeader('Retry-After'), '60')
    assert.match(third.getHeader('Reason') ?? '', /at most 2 presence resources per source/)
    // An SfB pool at a trusted address (127.0.0.1) carries many users: three resources at once.
    const pool = app.peer('127.0.0.1')
    assert.equal((await subscribe(app, pool, sfbSubscribe(pool, { piggyback: true }), sfbBatchedBody)).status, 200)
    const over = await one('sip:meet.alice@example.com', pool)
    assert.equal(over.status, 503, 'the total (5) is reached')
    assert.equal(app.presence.watched, 5)
  })
})
