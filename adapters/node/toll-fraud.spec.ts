/**
 * Toll fraud against a running node (issue 9, DESIGN §2 "Gateway rules": no open relay). A
 * "victim" SIP endpoint listens on loopback; every test tries to make Parley call it, and checks
 * that nothing reaches it unless an enabled rule an authenticated operator configured matches.
 * Each test holds a positive control (the same attempt with an enabled rule does reach the
 * victim), so that "the victim heard nothing" cannot pass merely because it listens wrongly.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { NodeUnderTest } from './testing/running-node.js'
import { configurationV1, eventually, withRunningNode } from './testing/running-node.js'
import { headerOf, minimalOffer, rawRequest, RawUdpPeer, statusOf } from './testing/raw-sip-socket.js'

/** Long enough for a routed call's INVITE to reach a loopback victim many times over. */
const quietMs = 400
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, quietMs))

interface Scene {
  readonly t: NodeUnderTest
  readonly attacker: RawUdpPeer
  readonly victim: RawUdpPeer
  readonly nodePort: number
  /** The victim's address as a dialled URI. */
  readonly victimUri: string
}

const withScene = (use: (s: Scene) => Promise<void>): Promise<void> =>
  withRunningNode(async (t) => {
    const attacker = await RawUdpPeer.open()
    const victim = await RawUdpPeer.open()
    try {
      await use({ t, attacker, victim, nodePort: t.node.ready.sip?.udp ?? 0, victimUri: `sip:victim@127.0.0.1:${victim.port}` })
    } finally {
      await attacker.close()
      await victim.close()
    }
  })

const invitesAt = (victim: RawUdpPeer): string[] => victim.received.filter((m) => m.startsWith('INVITE '))

/**
 * A rule that sends `victim@…` to the victim as its SIP proxy (its carrier, as it were), created
 * through the API. Matching ignores the dialled port, so the proxy says where the victim is.
 */
const victimRule = async (s: Scene, enable: boolean): Promise<string> => {
  const created = await s.t.http(`${configurationV1}gateway_routing_rule/`, {
    method: 'POST',
    body: JSON.stringify({ name: 'to the victim', priority: 5, enable, match_string: 'victim@.+', outgoing_protocol: 'sip', sip_proxy: `127.0.0.1:${s.victim.port}` }),
  })
  assert.equal(created.status, 201, await created.text())
  return created.headers.get('location') ?? ''
}

const invite = async (s: Scene, extra: ReadonlyArray<string> = [], from?: string): Promise<number> => {
  const request = rawRequest({ method: 'INVITE', uri: s.victimUri, viaPort: s.attacker.port, body: minimalOffer, headers: extra, ...(from === undefined ? {} : { from }) })
  await s.attacker.send(request.text, s.nodePort)
  const final = await s.attacker.next((m) => headerOf(m, '(?:Call-ID|i)') === request.callId && (statusOf(m) ?? 0) >= 180, 3_000)
  return statusOf(final) ?? 0
}

void describe('toll fraud: no call leaves without an enabled matching rule', () => {
  void it('a direct INVITE to an external address with no rule, or only a disabled one, is refused 404 and nothing reaches it', () =>
    withScene(async (s) => {
      assert.equal(await invite(s), 404)
      assert.equal(await invite(s, [`Route: <sip:127.0.0.1:${s.victim.port};lr>`]), 404, 'a Route to the victim changes nothing: Parley is no proxy')
      const rule = await victimRule(s, false)
      assert.equal(await invite(s), 404, 'a disabled rule routes nothing')
      await settle()
      assert.deepEqual(invitesAt(s.victim), [])
      // Positive control: the operator enables the rule, and the same INVITE is placed.
      assert.equal((await s.t.http(rule, { method: 'PATCH', body: JSON.stringify({ enable: true }) })).status, 202)
      await invite(s)
      await eventually(async () => assert.equal(invitesAt(s.victim).length > 0, true))
    }))

  void it('REFER, in or out of a dialog, is refused 405 and makes no call (DESIGN §2)', () =>
    withScene(async (s) => {
      const outside = rawRequest({ method: 'REFER', uri: 'sip:meet.bob@example.com', viaPort: s.attacker.port, headers: [`Refer-To: <${s.victimUri}>`] })
      await s.attacker.send(outside.text, s.nodePort)
      assert.equal(statusOf(await s.attacker.finalFor(outside.callId)), 405)

      // Inside a call to an open VMR: INVITE, 200, ACK, then REFER in the dialog.
      const call = rawRequest({ method: 'INVITE', uri: 'sip:meet.bob@example.com', viaPort: s.attacker.port, body: minimalOffer })
      await s.attacker.send(call.text, s.nodePort)
      const ok = await s.attacker.finalFor(call.callId)
      assert.equal(statusOf(ok), 200)
      const from = headerOf(ok, '(?:From|f)') ?? ''
      const to = headerOf(ok, '(?:To|t)') ?? ''
      const inDialog = (method: string, cseq: number, headers: ReadonlyArray<string> = []): string =>
        rawRequest({ method, uri: 'sip:meet.bob@example.com', viaPort: s.attacker.port, callId: call.callId, cseq, headers }).text
          .replace(/^From: .*$/m, `From: ${from}`)
          .replace(/^To: .*$/m, `To: ${to}`)
      await s.attacker.send(inDialog('ACK', 1), s.nodePort)
      s.attacker.received.length = 0
      await s.attacker.send(inDialog('REFER', 2, [`Refer-To: <${s.victimUri}>`]), s.nodePort)
      const refused = await s.attacker.next((m) => headerOf(m, 'CSeq') === '2 REFER' && (statusOf(m) ?? 0) >= 200)
      assert.equal(statusOf(refused), 405)
      await s.attacker.send(inDialog('BYE', 3), s.nodePort)
      await settle()
      assert.deepEqual(invitesAt(s.victim), [])
    }))

  void it('an asserted identity from a source that is not a trusted peer is not believed: the gateway call goes out as the From', () =>
    withScene(async (s) => {
      await victimRule(s, true)
      const forged = ['P-Asserted-Identity: "The CEO" <sip:ceo@corp.example>']
      // Positive control: loopback is a default trusted peer, so there the asserted identity is used.
      await invite(s, forged)
      await eventually(async () => assert.match(headerOf(invitesAt(s.victim)[0] ?? '', '(?:From|f)') ?? '', /ceo@corp\.example/))
      const patched = await s.t.http(`${configurationV1}global/1/`, { method: 'PATCH', body: JSON.stringify({ trusted_peers: ['192.0.2.99'] }) })
      assert.equal(patched.status, 202)
      s.victim.received.length = 0
      await invite(s, forged)
      await eventually(async () => assert.equal(invitesAt(s.victim).length > 0, true))
      const placed = invitesAt(s.victim)[0] ?? ''
      assert.match(headerOf(placed, '(?:From|f)') ?? '', /mallory@attacker\.example/)
      assert.doesNotMatch(placed, /ceo@corp\.example/, 'the forged identity goes nowhere')
    }))

  void it('the API creates no automatic participant or rule without valid admin auth (401)', () =>
    withScene(async (s) => {
      const adp = JSON.stringify({ alias: s.victimUri.slice(4), conference: [`${configurationV1}conference/1/`], protocol: 'sip' })
      const rule = JSON.stringify({ name: 'open relay', priority: 1, match_string: '.*' })
      const wrong = `Basic ${Buffer.from('admin:guess').toString('base64')}`
      for (const [path, body] of [[`${configurationV1}automatic_participant/`, adp], [`${configurationV1}gateway_routing_rule/`, rule]] as const) {
        assert.equal((await s.t.http(path, { method: 'POST', body, auth: false })).status, 401)
        assert.equal((await s.t.http(path, { method: 'POST', body, auth: false, headers: { authorization: wrong } })).status, 401)
      }
      const adps = (await (await s.t.http(`${configurationV1}automatic_participant/`)).json()) as { meta: { total_count: number } }
      const rules = (await (await s.t.http(`${configurationV1}gateway_routing_rule/`)).json()) as { meta: { total_count: number } }
      assert.equal(adps.meta.total_count, 0)
      assert.equal(rules.meta.total_count, 1, 'only the demo rule')
      assert.equal(await invite(s), 404)
      await settle()
      assert.deepEqual(invitesAt(s.victim), [])
    }))

  void it('a rule regex the linear-time engine cannot run (back-reference, look-around) is refused 400; a nested quantifier runs in linear time', () =>
    withScene(async (s) => {
      for (const pattern of ['(\\w+)\\1@example\\.com', '(?=victim).*', '(?<!x)victim.*']) {
        const refused = await s.t.http(`${configurationV1}gateway_routing_rule/`, { method: 'POST', body: JSON.stringify({ name: 'bad', priority: 9, match_string: pattern }) })
        assert.equal(refused.status, 400, `${pattern} refused`)
      }
      // `(a+)+b` backtracks exponentially in a backtracking engine; RE2 runs it in linear time.
      const evil = await s.t.http(`${configurationV1}gateway_routing_rule/`, { method: 'POST', body: JSON.stringify({ name: 'nested', priority: 9, match_string: '(a+)+b@evil\\.example' }) })
      assert.equal(evil.status, 201)
      const started = Date.now()
      const request = rawRequest({ method: 'INVITE', uri: `sip:${'a'.repeat(200)}@evil.example`, viaPort: s.attacker.port, body: minimalOffer })
      await s.attacker.send(request.text, s.nodePort)
      assert.equal(statusOf(await s.attacker.finalFor(request.callId)), 404)
      assert.ok(Date.now() - started < 1_000, `answered in ${Date.now() - started} ms`)
    }))
})
