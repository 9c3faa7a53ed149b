/**
 * The request guard on RFC 4475's messages and on anything else (fast-check): it refuses exactly
 * the shapes it names, passes well-formed requests and every response, never throws, and its
 * stateless answer is one a sender can match (Via with received, From, To with a tag, Call-ID, CSeq).
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import type { Flow } from '../transport/transport-types.js'
import { refusal } from './guarded-transport.js'
import { requestFault } from './request-guard.js'
import { rfc4475Cases, tortureBytes } from './testing/rfc4475-cases.js'

const headOf = (bytes: Buffer): string => {
  const text = bytes.toString('latin1')
  const end = text.indexOf('\r\n\r\n')
  return end < 0 ? text : text.slice(0, end)
}

const flow: Flow = { protocol: 'udp', local: { host: '127.0.0.1', port: 5060 }, remote: { host: '198.51.100.7', port: 40000 } }

const request = (startLine: string, extra: ReadonlyArray<string> = []): string =>
  [startLine, 'Via: SIP/2.0/UDP 198.51.100.7:40000;branch=z9hG4bKx;rport', 'Max-Forwards: 70', 'From: <sip:a@example.com>;tag=1', 'To: <sip:b@example.com>', 'Call-ID: c1', 'CSeq: 1 INVITE', ...extra, 'Content-Length: 0'].join('\r\n')

void describe('request guard', () => {
  void it('on RFC 4475: refuses the malformed Request-Lines, escaped headers, unknown schemes, repeated and out-of-range fields; passes the rest to the stack', () => {
    const refused = new Map<string, string>()
    for (const c of rfc4475Cases) {
      const fault = requestFault(headOf(tortureBytes(c)))
      if (fault !== undefined) refused.set(c.file, `${fault.status} ${fault._tag}`)
    }
    assert.deepEqual(Object.fromEntries(refused), {
      scalar02: '400 ScalarOutOfRange',
      ltgtruri: '400 MalformedRequestLine',
      lwsruri: '400 MalformedRequestLine',
      lwsstart: '400 MalformedRequestLine',
      trws: '400 MalformedRequestLine',
      escruri: '400 HeadersInRequestUri',
      unkscm: '416 UnsupportedScheme',
      novelsc: '416 UnsupportedScheme',
      multi01: '400 RepeatedSingleValueHeader',
      mcl01: '400 RepeatedSingleValueHeader',
    })
  })

  void it('passes ordinary requests, compact forms, tel: and a ? in the user part', () => {
    assert.equal(requestFault(request('INVITE sip:meet.alice@example.com SIP/2.0')), undefined)
    assert.equal(requestFault(request('INVITE tel:+15551234 SIP/2.0')), undefined)
    assert.equal(requestFault(request('OPTIONS sip:we?ird@example.com;transport=tcp SIP/2.0')), undefined)
    assert.equal(requestFault('SIP/2.0 200 OK\r\nCSeq: 1 INVITE\r\nCSeq: 2 INVITE'), undefined, 'responses are the stack’s')
    assert.equal(requestFault(request('INVITE sip:a@example.com SIP/2.0', ['Route: <sip:p1>', 'Route: <sip:p2>'])), undefined, 'list fields may repeat')
  })

  void it('answers statelessly with what the sender needs to match it', () => {
    const head = request('INVITE  sip:a@example.com SIP/2.0')
    const fault = requestFault(head)
    assert.ok(fault !== undefined)
    const answer = refusal(head, flow, fault, 'tg')?.toString('latin1') ?? ''
    assert.match(answer, /^SIP\/2\.0 400 Malformed Request-Line\r\n/)
    assert.match(answer, /\r\nVia: SIP\/2\.0\/UDP 198\.51\.100\.7:40000;branch=z9hG4bKx;rport=40000;received=198\.51\.100\.7\r\n|\r\nVia: SIP\/2\.0\/UDP 198\.51\.100\.7:40000;branch=z9hG4bKx;received=198\.51\.100\.7;rport=40000\r\n/)
    assert.match(answer, /\r\nTo: <sip:b@example\.com>;tag=tg\r\n/)
    assert.match(answer, /\r\nCall-ID: c1\r\nCSeq: 1 INVITE\r\n/)
    assert.ok(answer.endsWith('Content-Length: 0\r\n\r\n'))
    assert.equal(refusal('INVITE  sip:a@example.com SIP/2.0\r\nFrom: x', flow, fault, 'tg'), undefined, 'nothing to answer with')
  })

  void it('never throws, whatever the bytes (property)', () => {
    const headerLine = fc.oneof(
      fc.constantFrom('Via: SIP/2.0/UDP h;branch=z9hG4bK1', 'From: <sip:a@x>;tag=1', 'To: <sip:b@x>', 'i: c', 'CSeq: 99999999999 INVITE', 'Max-Forwards: 256', 'l: 0', ' continued', 'c: text/plain'),
      fc.string({ unit: 'binary', maxLength: 60 }),
    )
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.tuple(fc.string({ maxLength: 40 }), fc.array(headerLine, { maxLength: 12 })).map(([l, hs]) => [l, ...hs].join('\r\n'))), (head) => {
        const fault = requestFault(head)
        if (fault !== undefined) refusal(head, flow, fault, 't')
        return true
      }),
      { numRuns: 2000 },
    )
  })
})
