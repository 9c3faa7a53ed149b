/**
 * The IM fan-out bench's floor (issue 8): a bare Node loop that, for each trigger datagram it
 * receives, sends one MESSAGE to each receiver over UDP, with no logic (no parsing, no state, no
 * transactions). What any Node server must spend to put the same datagrams on the same sockets.
 *
 * Started with a JSON file: `{ "host": "127.0.0.1", "receivers": [{ "port": 40001, "user": "p1" }, …] }`.
 * A trigger is `<marker> <count>`: `count` rounds of MESSAGEs whose body carries the marker
 * (`<marker>-<round>`). The MESSAGEs are shaped like Parley's (Via, From the room, To, Call-ID,
 * CSeq, Content-Type text/plain, `name: text` body); the receivers' 200s are read and dropped.
 *
 *   node --import tsx bench/references/im-floor.ts <receivers.json> <port>
 */
import { createSocket } from 'node:dgram'
import { readFileSync } from 'node:fs'

interface Receivers {
  readonly host: string
  readonly receivers: ReadonlyArray<{ readonly port: number; readonly user: string }>
}

const [file = '', portText = '0'] = process.argv.slice(2)
const { host, receivers } = JSON.parse(readFileSync(file, 'utf8')) as Receivers
const socket = createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024, sendBufferSize: 4 * 1024 * 1024 })
let cseq = 1

socket.on('message', (bytes) => {
  if (bytes.subarray(0, 4).toString('latin1') === 'SIP/') return
  const [marker = '', countText = '1'] = bytes.toString('latin1').split(' ')
  const ownPort = socket.address().port
  for (let round = 0; round < Number(countText); round++) {
    const text = `caller0: ${marker}-${round}`
    cseq++
    for (let i = 0; i < receivers.length; i++) {
      const r = receivers[i]!
      socket.send(
        `MESSAGE sip:${r.user}@${host}:${r.port} SIP/2.0\r\nVia: SIP/2.0/UDP ${host}:${ownPort};branch=z9hG4bKf${cseq}x${i};rport\r\nMax-Forwards: 70\r\n` +
          `From: "Chat room" <sip:meet.chat@example.com>;tag=floor${i}\r\nTo: <sip:${r.user}@${host}:${r.port}>;tag=h${i}\r\nCall-ID: floor-${i}@${host}\r\n` +
          `CSeq: ${cseq} MESSAGE\r\nContent-Type: text/plain;charset=UTF-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
        r.port,
        host,
      )
    }
  }
})

socket.bind(Number(portText), host)
