/**
 * Cross-site request forgery against a running node (issue 9, DESIGN §6: the dashboard's forms
 * write through the management API with the browser's Basic credentials). With the admin's
 * credentials attached, as a browser would attach them, a write another site makes the browser
 * send is refused with 403 and changes nothing; the dashboard's own same-origin write passes.
 * adapters/http/dashboard/same-origin-guard.ts is the guard; this checks the composition uses it.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { configurationV1, withRunningNode } from './testing/running-node.js'

void test('a cross-site write with the admin credentials is refused 403 and changes nothing; a same-origin one passes', () =>
  withRunningNode(async ({ node, http }) => {
    const self = `http://127.0.0.1:${node.ready.http}`
    const room = (name: string): string => JSON.stringify({ name, aliases: [{ alias: `${name}@example.com` }] })
    const post = (name: string, headers: Record<string, string>) => http(`${configurationV1}conference/`, { method: 'POST', body: room(name), headers })
    const forged: ReadonlyArray<Record<string, string>> = [
      { origin: 'https://evil.example.net', 'sec-fetch-site': 'cross-site' },
      { origin: 'https://evil.example.net' },
      { origin: 'null' },
      { 'sec-fetch-site': 'same-site', origin: 'http://127.0.0.1:1' },
      { referer: 'https://evil.example.net/page.html' },
    ]
    for (const [i, headers] of forged.entries()) assert.equal((await post(`forged${i}`, headers)).status, 403, JSON.stringify(headers))
    const deleteDemo = await http(`${configurationV1}conference/1/`, { method: 'DELETE', headers: { origin: 'https://evil.example.net' } })
    assert.equal(deleteDemo.status, 403)
    const list = (await (await http(`${configurationV1}conference/`)).json()) as { objects: ReadonlyArray<{ readonly name: string }> }
    assert.deepEqual(list.objects.filter((c) => c.name.startsWith('forged')), [])
    assert.equal(list.objects.length, 2, 'the demo rooms are both still there')
    // The dashboard's own form: same origin, as a browser marks it.
    assert.equal((await post('dashboard', { origin: self, 'sec-fetch-site': 'same-origin', referer: `${self}/` })).status, 201)
  }))
