#!/usr/bin/env node
// OPTIONS over TLS (Debian's SIPp is built without OpenSSL): connects to 127.0.0.1:<port>,
// trusting the node's certificate file, sends one OPTIONS and expects "SIP/2.0 200" with an
// Allow that lists INVITE and not REFER. Exit 0 on success, 1 otherwise.
// usage: node e2e/tls-options.mjs <port> <certificate file>
import { readFileSync } from 'node:fs'
import tls from 'node:tls'

const [port, certFile] = process.argv.slice(2)
const fail = (why) => {
  process.stderr.write(`tls-options: ${why}\n`)
  process.exit(1)
}
if (port === undefined || certFile === undefined) fail('usage: tls-options.mjs <port> <certificate file>')
const timer = setTimeout(() => fail('no answer within 5 s'), 5000)
const socket = tls.connect({ host: '127.0.0.1', port: Number(port), ca: [readFileSync(certFile)], checkServerIdentity: () => undefined }, () => {
  const { port: local } = socket.address()
  socket.write(
    [
      `OPTIONS sip:127.0.0.1:${port};transport=tls SIP/2.0`,
      `Via: SIP/2.0/TLS 127.0.0.1:${local};branch=z9hG4bKtlsprobe${process.pid}`,
      'Max-Forwards: 70',
      'From: <sip:probe@127.0.0.1>;tag=tlsprobe',
      `To: <sip:127.0.0.1:${port}>`,
      `Call-ID: tls-probe-${process.pid}@127.0.0.1`,
      'CSeq: 1 OPTIONS',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  )
})
let received = ''
socket.on('data', (chunk) => {
  received += chunk.toString()
  if (!received.includes('\r\n\r\n')) return
  clearTimeout(timer)
  socket.destroy()
  const status = received.split('\r\n', 1)[0]
  const allow = /^Allow:\s*(.*)$/im.exec(received)?.[1] ?? ''
  if (!status.startsWith('SIP/2.0 200')) fail(`answered "${status}"`)
  if (!/\bINVITE\b/.test(allow) || /\bREFER\b/.test(allow)) fail(`unexpected Allow: ${allow}`)
  process.stdout.write(`${status}; Allow: ${allow}\n`)
})
socket.on('error', (e) => fail(e.message))
