import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ConferenceId, LegId } from '../../../core/model/ids.js'
import type { LiveGauges } from './prometheus-metrics.js'
import { PrometheusMetrics } from './prometheus-metrics.js'
import { parsePrometheusText } from './testing/prometheus-text.js'


void test('counters from observations and SIP messages, gauges from the core state; the text parses', async () => {
  const core: { gauges: LiveGauges | undefined } = { gauges: undefined }
  const metrics = new PrometheusMetrics({ gauges: () => core.gauges })
  const before = parsePrometheusText(await metrics.render())
  assert.equal(before.get('parley_active_legs'), 0)
  assert.equal(before.get('parley_calls_total{result="rejected"}'), 0)
  assert.equal(before.get('parley_pin_failures_total'), 0)
  assert.ok(before.has('nodejs_eventloop_lag_seconds'), 'event loop lag')

  metrics.observed({ _tag: 'PinFailed', leg: LegId('a'), conference: ConferenceId('1'), source: '192.0.2.1' })
  metrics.observed({ _tag: 'PinFailed', leg: LegId('a'), conference: ConferenceId('1'), source: '192.0.2.1' })
  metrics.observed({ _tag: 'CallResolved', leg: LegId('a'), result: 'conference' })
  metrics.observed({ _tag: 'ChatRelayed', from: LegId('a'), recipients: 3 })
  metrics.sipMessage({ _tag: 'Request', direction: 'in', method: 'INVITE' })
  metrics.sipMessage({ _tag: 'Request', direction: 'in', method: 'INVITE' })
  metrics.sipMessage({ _tag: 'Response', direction: 'out', method: 'INVITE', status: 200 })
  metrics.notifySent()
  core.gauges = { legs: 4, conferences: 2, gatewayCalls: 1, presenceSubscriptions: 7 }

  const after = parsePrometheusText(await metrics.render())
  assert.equal(after.get('parley_pin_failures_total'), 2)
  assert.equal(after.get('parley_calls_total{result="conference"}'), 1)
  assert.equal(after.get('parley_chat_messages_relayed_total'), 1)
  assert.equal(after.get('parley_chat_deliveries_total'), 3)
  assert.equal(after.get('parley_observations_total{kind="PinFailed"}'), 2)
  assert.equal(after.get('parley_sip_requests_total{direction="in",method="INVITE"}'), 2)
  assert.equal(after.get('parley_sip_responses_total{direction="out",method="INVITE",status="200"}'), 1)
  assert.equal(after.get('parley_presence_notifies_sent_total'), 1)
  assert.equal(after.get('parley_active_legs'), 4)
  assert.equal(after.get('parley_conferences'), 2)
  assert.equal(after.get('parley_gateway_calls'), 1)
  assert.equal(after.get('parley_presence_subscriptions'), 7)
})

void test('two nodes in one process count apart', async () => {
  const one = new PrometheusMetrics({ gauges: () => undefined, processMetrics: false })
  const two = new PrometheusMetrics({ gauges: () => undefined, processMetrics: false })
  one.notifySent()
  assert.equal(parsePrometheusText(await two.render()).get('parley_presence_notifies_sent_total'), 0)
  assert.equal(parsePrometheusText(await one.render()).get('parley_presence_notifies_sent_total'), 1)
})

void test('PIN lockouts and the calls they refuse are counted apart (issue 9)', async () => {
  const metrics = new PrometheusMetrics({ gauges: () => undefined, processMetrics: false })
  assert.equal(parsePrometheusText(await metrics.render()).get('parley_pin_lockouts_total'), 0)
  metrics.observed({ _tag: 'SourceLockedOut', key: '198.51.100.7', failures: 10, until: 300_000 })
  metrics.observed({ _tag: 'LockedOutCallRefused', leg: LegId('b'), key: '198.51.100.7', until: 300_000 })
  metrics.observed({ _tag: 'LockedOutCallRefused', leg: LegId('c'), key: '198.51.100.7', until: 300_000 })
  const after = parsePrometheusText(await metrics.render())
  assert.equal(after.get('parley_pin_lockouts_total'), 1)
  assert.equal(after.get('parley_calls_refused_locked_out_total'), 2)
})
