/**
 * The administrator's changes as management API calls: a removed VMR deletes its aliases before
 * itself, a disabled rule is one PATCH of the field that changed, a new picture is an upload,
 * global settings are patched, new objects are created with their ids, and nothing is sent
 * when nothing changed.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { demoConfigFile } from '../../core/config/demo-config.js'
import { changesBetween, pictureFor, picturesOf } from './admin-api.js'

const v1 = '/api/admin/configuration/v1'
type Doc = { global?: Record<string, unknown>; conference: Array<Record<string, unknown>>; conference_alias: Array<Record<string, unknown>>; gateway_routing_rule: Array<Record<string, unknown>> }
const demo = (): Doc => structuredClone(demoConfigFile) as unknown as Doc
const summary = (calls: ReturnType<typeof changesBetween>): string[] => calls.map((c) => `${c.method} ${c.path}${c.body === undefined ? '' : ` ${JSON.stringify(c.body)}`}`)

test('nothing changed, nothing sent', () => {
  assert.deepEqual(changesBetween(demo(), demo()), [])
})

test('disabling a rule patches the one field', () => {
  const after = demo()
  const rule = after.gateway_routing_rule[0]
  assert.ok(rule !== undefined)
  rule['enable'] = false
  assert.deepEqual(summary(changesBetween(demo(), after)), [`PATCH ${v1}/gateway_routing_rule/${String(rule['id'])}/ {"enable":false}`])
})

test('removing a VMR deletes its aliases, then the VMR', () => {
  const before = demo()
  before.conference.push({ id: 3, name: 'Team room', resource_uri: `${v1}/conference/3/` })
  before.conference_alias.push({ id: 1, alias: 'team@example.com', conference: `${v1}/conference/3/` }, { id: 2, alias: '2001@example.com', conference: `${v1}/conference/3/` })
  const after = demo()
  assert.deepEqual(summary(changesBetween(before, after)), [`DELETE ${v1}/conference_alias/1/`, `DELETE ${v1}/conference_alias/2/`, `DELETE ${v1}/conference/3/`])
})

test('a rename is a PATCH; a picture is an upload; global settings are patched; new objects keep their ids', () => {
  const after = demo()
  const bob = after.conference.find((c) => c['name'] === "Bob's room")
  assert.ok(bob !== undefined)
  bob['name'] = "Bob's big room"
  bob['avatar'] = 'abc123'
  after.global = { ...after.global, host_wait_timeout_s: 2 }
  after.gateway_routing_rule.push({ id: 9, name: 'New', match_string: '.+@new\\.example\\.com', outgoing_protocol: 'sip' })
  const calls = changesBetween(demo(), after)
  assert.deepEqual(summary(calls), [
    `PATCH ${v1}/global/1/ {"host_wait_timeout_s":2}`,
    `PATCH ${v1}/conference/${String(bob['id'])}/ {"name":"Bob's big room"}`,
    `POST ${v1}/gateway_routing_rule/ {"id":9,"name":"New","match_string":".+@new\\\\.example\\\\.com","outgoing_protocol":"sip"}`,
    `PUT ${v1}/conference/${String(bob['id'])}/avatar/`,
  ])
  assert.deepEqual(calls.at(-1)?.image, pictureFor('abc123'))
})

test('every room with a picture gets a distinct PNG uploaded', () => {
  const document = demo()
  document.conference.forEach((c, i) => (c['avatar'] = `hash-${i}`))
  const uploads = picturesOf(document)
  assert.equal(uploads.length, document.conference.length)
  assert.ok(uploads.every((u) => u.method === 'PUT' && u.image?.subarray(1, 4).toString() === 'PNG'))
  assert.notDeepEqual(uploads[0]?.image, uploads[1]?.image)
})
