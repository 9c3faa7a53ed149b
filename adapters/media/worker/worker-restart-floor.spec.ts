/**
 * The content floor across a media worker's death, through a running node with its GStreamer
 * worker (PARLEY_MEDIA=gst) over real SIP and BFCP on loopback. The worker takes every call's
 * media with it and the node ends those calls with BYE (worker-supervisor.ts); what must not
 * outlive them is the floor: no "X is presenting" in the status API, no holder in the BFCP
 * server's FloorStatus, no phantom floor holder in the new worker, no failed effects for the lost
 * legs; and a room system calling in afterwards presents at once through the new worker.
 * Needs GStreamer and node-gtk (scripts/install-deps.sh).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { BfcpClient, requestStatusIn } from '../../bfcp/testing/bfcp-client.js'
import { capturedLog, eventually, withRunningNode } from '../../node/testing/running-node.js'
import { TestSipClient } from '../../node/testing/sip-client.js'
import type { Dialog, DialogEnd } from '../../sip/stack/stack-types.js'
import { answeredBfcp, rfc8856UdpOffer } from '../../bfcp/testing/room-system-offer.js'

interface RoomSystem {
  readonly name: string
  readonly dialog: Dialog
  readonly bfcp: BfcpClient
  readonly ended: () => DialogEnd | undefined
}

void test('a presenter’s media worker killed: its call and the other get BYE, the floor goes with it (status, BFCP, core), and a room system calling in next presents through the new worker', async (t) => {
  const log = capturedLog()
  const opened: BfcpClient[] = []
  await withRunningNode(
    async ({ node, http }) => {
      const sip = await TestSipClient.open(node.ready.sip?.udp ?? assert.fail('no SIP port'))
      t.after(async () => {
        for (const client of opened) client.close()
        await sip.close()
      })
      const media = node.ready.sip?.media
      assert.ok(media?.kind === 'gst' && 'startMs' in media && media.worker !== null, `the ready line names a running worker: ${JSON.stringify(media)}`)
      const firstWorker = media.worker

      const callIn = async (name: string): Promise<RoomSystem> => {
        const outcome = await sip.call('meet.bob@example.com', name, rfc8856UdpOffer)
        if (outcome._tag !== 'Answered') assert.fail(`${name}'s call was not answered: ${outcome.status}`)
        let end: DialogEnd | undefined
        outcome.dialog.setHandler({ onRequest: (request) => void request.respond({ status: 200 }), onTerminated: (e) => (end = e) })
        const ids = answeredBfcp(outcome.answer)
        const bfcp = await BfcpClient.udp('127.0.0.1', ids.port, ids)
        opened.push(bfcp)
        assert.equal((await bfcp.hello()).primitive, 'HelloAck')
        return { name, dialog: outcome.dialog, bfcp, ended: () => end }
      }
      const presenting = async (): Promise<ReadonlyArray<string>> => {
        const response = await http('/api/admin/status/v1/participant/')
        assert.equal(response.status, 200)
        const { objects } = (await response.json()) as { objects: ReadonlyArray<Record<string, unknown>> }
        return objects.filter((p) => p['is_presenting'] === true).map((p) => String(p['display_name']))
      }
      const listed = async (): Promise<ReadonlyArray<string>> => {
        const { objects } = (await (await http('/api/admin/status/v1/participant/')).json()) as { objects: ReadonlyArray<Record<string, unknown>> }
        return objects.map((p) => String(p['display_name']))
      }

      const presenter = await callIn('Room A')
      const watcher = await callIn('Room B')
      assert.equal(requestStatusIn(await presenter.bfcp.requestFloor()), 'Pending')
      await presenter.bfcp.statusUpdate('Granted')
      await watcher.bfcp.floorStatus(true)
      assert.deepEqual(await presenting(), ['Room A'])

      const killedAt = log.lines().length
      process.kill(firstWorker, 'SIGKILL')
      await eventually(async () => {
        assert.equal(presenter.ended()?._tag, 'ByeReceived')
        assert.equal(watcher.ended()?._tag, 'ByeReceived')
      }, 5_000)
      await eventually(async () => assert.deepEqual(await listed(), []), 2_000)
      assert.deepEqual(await presenting(), [], 'nobody is presenting')
      await eventually(async () => assert.ok(log.lines().some((l) => l['msg'] === 'media worker ready' && l['worker'] !== firstWorker), 'a new worker is ready'), 8_000)

      // A room system calling in now finds the floor free and takes it at once.
      const next = await callIn('Room C')
      const floor = await next.bfcp.request('FloorQuery', [{ type: 'FloorId', mandatory: true, value: next.bfcp.ids.floorId }])
      assert.equal(floor.primitive, 'FloorStatus')
      assert.notEqual(requestStatusIn(floor), 'Granted', 'the BFCP server holds no floor for the lost presenter')
      assert.equal(requestStatusIn(await next.bfcp.requestFloor()), 'Pending')
      await next.bfcp.statusUpdate('Granted')
      assert.deepEqual(await presenting(), ['Room C'])

      const since = log.lines().slice(killedAt)
      const died = since.find((l) => typeof l['msg'] === 'string' && l['msg'].startsWith('media worker died'))
      assert.equal((died?.['lostLegs'] as unknown[] | undefined)?.length, 2, `the log names both lost calls: ${JSON.stringify(died)}`)
      // The core's effects for the lost legs until it ended them were moot, not failures.
      const failed = since.filter((l) => l['msg'] === 'effect not carried out')
      assert.deepEqual(failed, [], 'no effect failed for the lost legs')
      await next.dialog.bye()
    },
    { PARLEY_MEDIA: 'gst', PARLEY_LOG_LEVEL: 'info' },
    log.destination,
  )
})
