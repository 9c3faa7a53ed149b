/**
 * Browser tests of the live dashboard (issue 7): a real node (`parley serve`, fresh data dir,
 * every port chosen by the system) driven through Debian's `chromium` with playwright-core (no
 * browser of its own is downloaded), calls and presence subscriptions from the project's own SIP
 * stack. Screenshots go to reports/ as artifacts. Run by e2e/run.sh:
 * `node --import tsx --test e2e/browser/dashboard.browser.ts`.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as E from 'fp-ts/lib/Either.js'
import { chromium } from 'playwright-core'
import type { BrowserContext, Page } from 'playwright-core'
import { demoConfigFile } from '../../core/config/demo-config.js'
import { readPidf, TestSipClient } from '../../adapters/node/testing/sip-client.js'
import { describeStartFailure, ParleyProcess } from '../../sim/wire/parley-process.js'

const reports = fileURLToPath(new URL('../../reports/', import.meta.url))
const password = 'browser test secret'

/** Debian's chromium, headless and quiet: no sandbox (root in CI), no network of its own. */
const chromiumArgs = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

let work = ''
let node: ParleyProcess | undefined
let sip: TestSipClient | undefined
let browser: BrowserContext | undefined
let base = ''

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'parley-browser-'))
  mkdirSync(reports, { recursive: true })
  const configFile = join(work, 'config.json')
  await writeFile(configFile, JSON.stringify(demoConfigFile))
  const started = await ParleyProcess.start({ configFile, dataDir: join(work, 'data'), adminPassword: password, logLevel: 'info', readyTimeoutMs: 30_000 })
  if (E.isLeft(started)) throw new Error(describeStartFailure(started.left))
  node = started.right
  base = `http://127.0.0.1:${node.ready.http}`
  sip = await TestSipClient.open(node.ready.sip?.udp ?? 0)
  // A fresh profile (--user-data-dir) per run: no cache, no stored credentials.
  browser = await chromium.launchPersistentContext(join(work, 'profile'), {
    executablePath: process.env['CHROMIUM'] ?? '/usr/bin/chromium',
    headless: true,
    args: chromiumArgs,
    httpCredentials: { username: 'admin', password },
    viewport: { width: 1280, height: 900 },
    timeout: 30_000,
  })
})

after(async () => {
  await browser?.close()
  await sip?.close()
  await node?.stop()
  await rm(work, { recursive: true, force: true })
})

const openDashboard = async (): Promise<Page> => {
  assert.ok(browser !== undefined)
  const page = await browser.newPage()
  const problems: string[] = []
  page.on('pageerror', (error) => problems.push(error.message))
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text())
  })
  await page.goto(`${base}/`)
  await page.getByRole('status').filter({ hasText: /^Live/ }).waitFor({ timeout: 5_000 })
  // The configuration lists, read through the management API, are drawn too.
  await page.locator('#aliases tr', { hasText: 'meet.bob@example.com' }).waitFor({ timeout: 5_000 })
  assert.deepEqual(problems, [], 'no script errors, no CSP violations')
  return page
}

void test('the dashboard shows a participant who joins by a SIP call within a second', async () => {
  assert.ok(sip !== undefined)
  const page = await openDashboard()
  const joined = Date.now()
  const call = await sip.call('meet.bob@example.com', 'Grace Hopper')
  assert.equal(call._tag, 'Answered')
  const row = page.locator('tr[data-leg]', { hasText: 'Grace Hopper' })
  await row.waitFor({ state: 'visible', timeout: 1_000 })
  const shownAfterMs = Date.now() - joined
  assert.ok(shownAfterMs < 1_000, `shown after ${shownAfterMs} ms`)
  const cells = await row.locator('td').allTextContents()
  assert.deepEqual(cells.slice(0, 5), ['Grace Hopper', 'Host', 'SIP', 'video', 'In the meeting'])
  await page.getByRole('heading', { name: "Bob's room" }).waitFor()
  await page.screenshot({ path: join(reports, 'dashboard-participant-joined.png'), fullPage: true })

  if (call._tag === 'Answered') await call.dialog.bye()
  await row.waitFor({ state: 'detached', timeout: 2_000 })
  await page.close()
})

void test('a VMR created through the form answers presence', async () => {
  assert.ok(sip !== undefined)
  const page = await openDashboard()
  const before = await sip.subscribe('meet.heidi@example.com')
  assert.equal(readPidf(before.body).open, false)

  const form = page.getByRole('group', { name: 'New virtual meeting room' })
  await form.getByLabel('Name').fill("Heidi's room")
  await form.getByLabel('Aliases, one per line').fill('meet.heidi@example.com')
  await form.getByLabel('Host PIN').fill('2468')
  await form.getByRole('button', { name: 'Create room' }).click()
  await page.locator('#vmrs tr', { hasText: "Heidi's room" }).waitFor({ timeout: 2_000 })
  await page.locator('#aliases tr', { hasText: 'meet.heidi@example.com' }).waitFor({ timeout: 2_000 })

  const after = await sip.subscribe('meet.heidi@example.com')
  assert.equal(after.status, 200)
  assert.deepEqual(readPidf(after.body), { open: true, displayName: "Heidi's room" })
  await page.locator('#vmrs tr', { hasText: "Heidi's room" }).locator('td').nth(2).filter({ hasText: /^[1-9]/ }).waitFor({ timeout: 2_000 })
  await page.screenshot({ path: join(reports, 'dashboard-vmr-created.png'), fullPage: true })

  // A bad body is shown next to the form, at its field.
  await form.getByLabel('Name').fill('Clash')
  await form.getByLabel('Aliases, one per line').fill('meet.heidi@example.com')
  await form.getByRole('button', { name: 'Create room' }).click()
  await form.getByRole('alert').filter({ hasText: /alias/ }).waitFor({ timeout: 2_000 })
  await page.close()
})
