/**
 * The management API under fuzzing (issue 9: "fast-check fuzzing of every wire entry point ...
 * API JSON"), over real HTTP to the composed node: arbitrary JSON, wrong types for the
 * resource's real fields, huge strings, nested junk and bodies that are not JSON, sent with
 * POST, PUT and PATCH to every resource and to `global/1/`. Never a 5xx; every refusal is a 400
 * with DESIGN §6's error body `{"<resource>":{"<field path>":["message"]}}`; and the stored
 * configuration, read back through the API, is what it was before every refused request.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import type { NodeUnderTest } from './testing/running-node.js'
import { configurationV1, withRunningNode } from './testing/running-node.js'

type Json = { readonly [key: string]: unknown }

const resources = ['conference', 'conference_alias', 'automatic_participant', 'gateway_routing_rule'] as const
type Resource = (typeof resources)[number] | 'global'

/** Everything the API stores, read back: each list in full (`limit=0`) and the global settings. */
const exported = async (t: NodeUnderTest): Promise<Json> => {
  const lists = await Promise.all(resources.map(async (r) => [r, ((await (await t.http(`${configurationV1}${r}/?limit=0`)).json()) as Json)['objects']] as const))
  const global = (await (await t.http(`${configurationV1}global/1/`)).json()) as Json
  return { ...Object.fromEntries(lists), global }
}

/** DESIGN §6: `{"<resource>":{"<field path>":["message", ...]}}`, at least one message. */
const isErrorBody = (resource: Resource, body: unknown): boolean => {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false
  const keys = Object.keys(body)
  const fields = (body as Json)[resource]
  if (keys.length !== 1 || keys[0] !== resource || typeof fields !== 'object' || fields === null || Array.isArray(fields)) return false
  const messages = Object.values(fields as Json)
  return messages.length > 0 && messages.every((m) => Array.isArray(m) && m.length > 0 && m.every((s) => typeof s === 'string'))
}

/** A request body: raw text (JSON or not) and the content type it is sent with. */
interface Body {
  readonly text: string
  readonly contentType: string
}

const json = (value: unknown): Body => ({ text: JSON.stringify(value) ?? 'null', contentType: 'application/json' })

/** Values of every JSON type, deep and wide, with the odd huge string. */
const junk: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 6 }) },
  { weight: 1, arbitrary: fc.nat(200_000).map((n) => 'x'.repeat(n)) },
  { weight: 1, arbitrary: fc.constantFrom(-1, 0, 1.5, 1e308, -0, '', ' ', '1234', 'sip:', '(a+)+$', '\u0000', '\ud800', [], {}, null, true) },
)

/** The resource's own field names with values of the wrong type (or of the right one, by chance). */
const wrongTypes = (fields: ReadonlyArray<string>): fc.Arbitrary<Body> =>
  fc.dictionary(fc.constantFrom(...fields), junk, { maxKeys: fields.length }).map(json)

const bodies = (fields: ReadonlyArray<string>): fc.Arbitrary<Body> =>
  fc.oneof(
    wrongTypes(fields),
    fc.jsonValue({ maxDepth: 8 }).map(json),
    fc.dictionary(fc.string({ maxLength: 30 }), junk, { maxKeys: 8 }).map(json),
    // Not JSON at all, or cut short, sent as JSON.
    fc.string({ maxLength: 200 }).map((text) => ({ text, contentType: 'application/json' })),
    fc.jsonValue().map((v) => JSON.stringify(v) ?? '').map((text) => ({ text: text.slice(0, Math.max(0, text.length - 1)), contentType: 'application/json' })),
    // Deep nesting, past what a recursive decoder would like.
    fc.integer({ min: 100, max: 5_000 }).map((depth) => ({ text: `${'{"a":['.repeat(depth)}1${']}'.repeat(depth)}`, contentType: 'application/json' })),
    // Plain text (fastify parses it to a string: not an object).
    fc.string({ maxLength: 200 }).map((text) => ({ text, contentType: 'text/plain' })),
  )

const methods = ['POST', 'PUT', 'PATCH'] as const

void test('the management API under fuzzing: no 5xx, every refusal a 400 with the error body, the configuration unchanged by each', () =>
  withRunningNode(async (t) => {
    // One object of each resource to PUT and PATCH (the demo configuration has no ADP).
    const adp = await t.http(`${configurationV1}automatic_participant/`, {
      method: 'POST',
      body: JSON.stringify({ alias: 'room@rooms.example.com', conference: [`${configurationV1}conference/1/`], protocol: 'sip' }),
    })
    assert.equal(adp.status, 201)
    const first = await exported(t)
    const targets = [...resources, 'global' as const].map((resource) => {
      const sample = (resource === 'global' ? first['global'] : (first[resource] as ReadonlyArray<Json>)[0]) as Json
      return { resource, id: String(sample['id']), fields: Object.keys(sample) }
    })
    let before = first
    const tally = { requests: 0, refused: 0, accepted: 0 }
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...targets).chain((target) => fc.tuple(fc.constant(target), fc.constantFrom(...methods), bodies(target.fields))),
        async ([target, method, body]) => {
          const path = method === 'POST' ? `${configurationV1}${target.resource}/` : `${configurationV1}${target.resource}/${target.id}/`
          // POST to global/ has no route (404 before any body is read): PUT/PATCH only there.
          if (target.resource === 'global' && method === 'POST') return
          const response = await t.http(path, { method, body: body.text, headers: { 'content-type': body.contentType } })
          const answer: unknown = await response.json().catch(() => undefined)
          tally.requests++
          assert.ok(response.status < 500, `${method} ${path} answered ${response.status}: ${JSON.stringify(answer)}`)
          if (response.status >= 200 && response.status < 300) {
            // A body that happened to be valid (an empty PATCH, a PUT of defaults): what it changed stands.
            tally.accepted++
            before = await exported(t)
            return
          }
          tally.refused++
          assert.equal(response.status, 400, `${method} ${path} ${body.text.slice(0, 200)}`)
          assert.ok(isErrorBody(target.resource, answer), `the error body: ${JSON.stringify(answer)}`)
          assert.deepEqual(await exported(t), before, 'a refused request changed the configuration')
        },
      ),
      { numRuns: 300 },
    )
    assert.ok(tally.refused > tally.requests / 2, `mostly refusals: ${JSON.stringify(tally)}`)
  }))

void test('a body over the limit and an unknown content type are refused before the handler, in the same error shape, the configuration unchanged', () =>
  withRunningNode(async (t) => {
    const before = await exported(t)
    const huge = await t.http(`${configurationV1}conference/`, { method: 'POST', body: JSON.stringify({ name: 'x'.repeat(2_000_000) }) })
    assert.equal(huge.status, 413)
    assert.ok(isErrorBody('conference', await huge.json()))
    const form = await t.http(`${configurationV1}conference/1/`, { method: 'PATCH', body: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } })
    assert.equal(form.status, 415)
    assert.ok(isErrorBody('conference', await form.json()))
    assert.deepEqual(await exported(t), before)
  }))
