/**
 * Offers as real peers send them, for the SDP specs. Shapes follow the traces described in
 * PROTOCOLS 1.3-1.6 and 2.3 (SfB 2015 client, Polycom/Cisco room systems, baresip, SIPp);
 * addresses, keys and ids are made up.
 */

const sdp = (...lines: ReadonlyArray<string>): string => `${lines.join('\r\n')}\r\n`

const sfbCrypto = (key: string) => [
  `a=cryptoscale:1 client AES_CM_128_HMAC_SHA1_80 inline:${key}|2^31|1:1`,
  `a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:${key}|2^31|1:1`,
  `a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:${key}|2^31`,
]

const sfbAudioKey = 'WnqbW9Q1a4K6jTb3ZJkWmD2yR7bXc8sP0LqN5vHe'
const sfbVideoKey = 'Yk3+JfD0s9Lq2mN8vB7cX6zA5wE4rT1uI0oP9lKj'

/** SfB 2015 audio m-line: SILK, x-msrta, SIREN, G.722.1, stereo G.722 we ignore; PCMU/PCMA/G.722 and telephone-event 101 we take. */
const sfbAudio = (port: number, protocol: string) => [
  `m=audio ${port} ${protocol} 117 104 114 9 112 111 0 8 103 116 115 97 13 118 119 101`,
  'a=x-ssrc-range:2029455532-2029455532',
  'a=rtcp-fb:* x-message app send:dsh recv:dsh',
  'a=rtcp-rsize',
  'a=label:main-audio',
  'a=x-source:main-audio',
  'a=ice-ufrag:tlMR',
  'a=ice-pwd:FuwpNRsfT4UaOKa0ivlnB0n4',
  `a=candidate:1 1 UDP 2130706431 10.0.10.21 ${port} typ host `,
  `a=candidate:1 2 UDP 2130705918 10.0.10.21 ${port + 1} typ host `,
  'a=candidate:2 1 TCP-PASS 174456319 203.0.113.67 56148 typ relay raddr 10.0.10.21 rport 50024',
  'a=candidate:2 2 TCP-PASS 174455806 203.0.113.67 56148 typ relay raddr 10.0.10.21 rport 50024',
  'a=x-candidate-ipv6:3 1 UDP 33553407 2001:db8:5ef5:79fd::7cf9 2936 typ host ',
  'a=x-candidate-ipv6:3 2 UDP 33552894 2001:db8:5ef5:79fd::7cf9 2937 typ host ',
  'a=candidate:4 1 TCP-ACT 1684797439 10.0.10.21 50024 typ srflx raddr 10.0.10.21 rport 50024',
  'a=candidate:4 2 TCP-ACT 1684796926 10.0.10.21 50024 typ srflx raddr 10.0.10.21 rport 50024',
  ...sfbCrypto(sfbAudioKey),
  'a=maxptime:200',
  `a=rtcp:${port + 1}`,
  'a=rtpmap:117 G722/8000/2',
  'a=rtpmap:104 SILK/16000',
  'a=fmtp:104 useinbandfec=1; usedtx=0',
  'a=rtpmap:114 x-msrta/16000',
  'a=fmtp:114 bitrate=29000',
  'a=rtpmap:9 G722/8000',
  'a=rtpmap:112 G7221/16000',
  'a=fmtp:112 bitrate=24000',
  'a=rtpmap:111 SIREN/16000',
  'a=fmtp:111 bitrate=16000',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:103 SILK/8000',
  'a=fmtp:103 useinbandfec=1; usedtx=0',
  'a=rtpmap:116 AAL2-G726-32/8000',
  'a=rtpmap:115 x-msrta/8000',
  'a=fmtp:115 bitrate=11800',
  'a=rtpmap:97 RED/8000',
  'a=rtpmap:13 CN/8000',
  'a=rtpmap:118 CN/16000',
  'a=rtpmap:119 CN/24000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-16',
  'a=rtcp-mux',
  'a=ptime:20',
]

/** SfB video: X-H264UC (MS SVC H.264), plus plain H.264 where the client offers it, x-rtvc1, x-ulpfecuc. */
const sfbVideo = (port: number, withH264: boolean) => [
  `m=video ${port} RTP/SAVP 122 ${withH264 ? '123 ' : ''}121 124`,
  'a=x-ssrc-range:2029455533-2029455632',
  'a=rtcp-fb:* x-message app send:src,x-pli recv:src,x-pli',
  'a=rtcp-rsize',
  'a=label:main-video',
  'a=x-source:main-video',
  'a=ice-ufrag:R3PS',
  'a=ice-pwd:MQlXI6fnw5qgMejVCKOTps5O',
  'a=x-caps:121 263:1920:1080:30.0:2000000:1;4359:1280:720:30.0:1500000:1;8455:640:480:30.0:600000:1',
  `a=candidate:1 1 UDP 2130706431 10.0.10.21 ${port} typ host`,
  `a=candidate:1 2 UDP 2130705918 10.0.10.21 ${port + 1} typ host`,
  'a=x-candidate-ipv6:6 1 UDP 2130703871 fd00:7:495:1::4c 10802 typ host',
  'a=candidate:7 1 TCP-ACT 1684796415 10.0.10.21 16312 typ srflx raddr 10.0.10.21 rport 16312',
  ...sfbCrypto(sfbVideoKey),
  `a=rtcp:${port + 1}`,
  'a=rtpmap:122 X-H264UC/90000',
  'a=fmtp:122 packetization-mode=1;mst-mode=NI-TC',
  ...(withH264 ? ['a=rtpmap:123 H264/90000', 'a=fmtp:123 profile-level-id=42C02A;packetization-mode=1'] : []),
  'a=rtpmap:121 x-rtvc1/90000',
  'a=rtpmap:124 x-ulpfecuc/90000',
  'a=rtcp-mux',
]

const sfbSession = (version: number) => [
  'v=0',
  `o=- 0 ${version} IN IP4 10.0.10.21`,
  's=session',
  'c=IN IP4 10.0.10.21',
  'b=CT:99980',
  't=0 0',
  'a=x-mediabw:main-video send=12000;recv=12000',
  'a=x-devicecaps:audio:send,recv;video:send,recv',
]

/** The current (RFC 5245 ICE) variant of an SfB 2015 audio+video offer. */
export const sfbAudioVideoOffer = (withH264 = true): string => sdp(...sfbSession(1), ...sfbAudio(50052, 'RTP/SAVP'), ...sfbVideo(16312, withH264))

/** SfB with encryption "supported" (not required): RTP/AVP with crypto lines, audio only. */
export const sfbAudioOnlyAvpOffer = sdp(...sfbSession(0), ...sfbAudio(50052, 'RTP/AVP'))

/** The OCS 2007 fallback variant: ICE draft 6 candidates, no ice-ufrag/pwd, no rtcp-mux. */
const sfbFallbackVariant = sdp(
  'v=0',
  'o=- 0 0 IN IP4 10.0.10.21',
  's=session',
  'c=IN IP4 10.0.10.21',
  'b=CT:99980',
  't=0 0',
  'm=audio 11650 RTP/SAVP 117 114 104 9 0 8 101',
  'a=candidate:d5lFvGToRDKh/UhyFNN9rharqthzUrF2FIRP+boPcnE 1 1Riht1AWk/x7TSyhrZQfDA UDP 0.830 10.0.10.21 31848 ',
  'a=candidate:d5lFvGToRDKh/UhyFNN9rharqthzUrF2FIRP+boPcnE 2 1Riht1AWk/x7TSyhrZQfDA UDP 0.830 10.0.10.21 31849 ',
  ...sfbCrypto(sfbAudioKey),
  'a=rtpmap:117 G722/8000/2',
  'a=rtpmap:114 x-msrta/16000',
  'a=rtpmap:104 SILK/16000',
  'a=rtpmap:9 G722/8000',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-16',
  'm=video 4778 RTP/SAVP 122 121 123',
  ...sfbCrypto(sfbVideoKey),
  'a=rtpmap:122 X-H264UC/90000',
  'a=fmtp:122 packetization-mode=1;mst-mode=NI-TC',
  'a=rtpmap:121 x-rtvc1/90000',
  'a=rtpmap:123 x-ulpfecuc/90000',
)

export const sfbBoundary = '----=_NextPart_000_001C_01D282D0.D2055920'
export const sfbMultipartContentType = `multipart/alternative;boundary="${sfbBoundary}"`

/** The body of an SfB 2015 A/V INVITE: both variants, fallback first (PROTOCOLS 1.5). */
export const sfbMultipartBody = (current: string = sfbAudioVideoOffer()): string =>
  [
    `--${sfbBoundary}`,
    'Content-Type: application/sdp',
    'Content-Transfer-Encoding: 7bit',
    'Content-ID: <1c4a5d3e0b2f4a6c8e9d7b5a3c1e2f40@example.com>',
    'Content-Disposition: session; handling=optional; ms-proxy-2007fallback',
    '',
    sfbFallbackVariant,
    `--${sfbBoundary}`,
    'Content-Type: application/sdp',
    'Content-Transfer-Encoding: 7bit',
    'Content-ID: <2d5b6e4f1c3a5b7d9f0e8c6b4d2f3a51@example.com>',
    'Content-Disposition: session; handling=optional',
    '',
    current,
    `--${sfbBoundary}--`,
    '',
  ].join('\r\n')

/** SfB IM session offer (PROTOCOLS 1.3). */
export const sfbImOffer = sdp(
  'v=0',
  'o=- 0 0 IN IP4 10.0.10.21',
  's=session',
  'c=IN IP4 10.0.10.21',
  't=0 0',
  'm=message 5060 sip null',
  'a=accept-types:text/plain multipart/alternative image/gif text/rtf text/html application/x-ms-ink application/ms-imdn+xml text/x-msmsgsinvite ',
)

/** SfB RDP sharing INVITE ([MS-SDPEXT] applicationsharing). */
export const sfbApplicationSharingOffer = sdp(
  'v=0',
  'o=- 0 0 IN IP4 10.0.10.21',
  's=session',
  'c=IN IP4 10.0.10.21',
  'b=CT:99980',
  't=0 0',
  'm=applicationsharing 50040 TCP/RTP/SAVP 127',
  'a=ice-ufrag:Bq9Z',
  'a=ice-pwd:3gyGFpB6fvJvZ7R1DZrRSW9b',
  'a=candidate:1 1 TCP-PASS 2120613887 10.0.10.21 50040 typ host ',
  ...sfbCrypto(sfbAudioKey),
  'a=rtpmap:127 x-data/90000',
  'a=x-applicationsharing-session-id:1',
  'a=x-applicationsharing-role:sharer',
  'a=x-applicationsharing-media-type:rdp',
  'a=x-applicationsharing-contentflow:sendonly',
)

/**
 * An SfB 2016 sharing INVITE with VbSS beside RDP (decision 0007): the RDP line and an `m=video`
 * labelled `applicationsharing-video`, H.264 (also X-H264UC) of the screen, behind ICE with SDES.
 * The shape is built from [MS-SDPEXT] and pidgin-sipe's handling, not from a captured trace
 * [UNCONFIRMED]; `direction` is the VbSS line's (`sendonly` when the client presents).
 */
export const sfbVbssSharingOffer = (direction: 'sendonly' | 'recvonly' = 'sendonly', role: 'sharer' | 'viewer' = 'sharer'): string =>
  sdp(
    'v=0',
    'o=- 0 0 IN IP4 10.0.10.21',
    's=session',
    'c=IN IP4 10.0.10.21',
    'b=CT:99980',
    't=0 0',
    'm=applicationsharing 50040 TCP/RTP/SAVP 127',
    'a=ice-ufrag:Bq9Z',
    'a=ice-pwd:3gyGFpB6fvJvZ7R1DZrRSW9b',
    'a=candidate:1 1 TCP-PASS 2120613887 10.0.10.21 50040 typ host ',
    ...sfbCrypto(sfbAudioKey),
    'a=rtpmap:127 x-data/90000',
    'a=x-applicationsharing-session-id:1',
    `a=x-applicationsharing-role:${role}`,
    'a=x-applicationsharing-media-type:rdp',
    'm=video 50042 RTP/SAVP 122 123',
    'a=label:applicationsharing-video',
    'a=ice-ufrag:Vb55',
    'a=ice-pwd:vbssvbssvbssvbssvbssvbss',
    'a=candidate:1 1 UDP 2130706431 10.0.10.21 50042 typ host',
    ...sfbCrypto(sfbVideoKey),
    'a=rtpmap:122 X-H264UC/90000',
    'a=fmtp:122 packetization-mode=1;mst-mode=NI-TC',
    'a=rtpmap:123 H264/90000',
    'a=fmtp:123 profile-level-id=42C02A;packetization-mode=1',
    'a=rtcp-mux',
    `a=${direction}`,
  )

/** What SIPp's uac scenario sends: PCMU only. */
export const sippPcmuOffer = sdp(
  'v=0',
  'o=user1 53655765 2353687637 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 6000 RTP/AVP 0',
  'a=rtpmap:0 PCMU/8000',
)

/** baresip with Opus, G.722, G.711, telephone-event and H.264 mode 0, RTCP muxed. */
export const baresipOffer = sdp(
  'v=0',
  'o=- 1868470426 2127163580 IN IP4 192.0.2.20',
  's=-',
  'c=IN IP4 192.0.2.20',
  't=0 0',
  'm=audio 10000 RTP/AVP 96 9 0 8 101',
  'b=AS:128',
  'a=rtpmap:96 opus/48000/2',
  'a=fmtp:96 stereo=1;sprop-stereo=1',
  'a=rtpmap:9 G722/8000',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-15',
  'a=rtcp-mux',
  'a=sendrecv',
  'a=label:1',
  'm=video 10002 RTP/AVP 100',
  'b=AS:1200',
  'a=rtpmap:100 H264/90000',
  'a=fmtp:100 packetization-mode=0;profile-level-id=42e01f',
  'a=rtcp-fb:* nack pli',
  'a=rtcp-mux',
  'a=sendrecv',
  'a=label:2',
)

/** baresip with `mediaenc srtp-mand` over IPv6, audio only, c= at media level only. */
export const baresipSrtpIpv6Offer = sdp(
  'v=0',
  'o=- 3047102933 1306543286 IN IP6 2001:db8::20',
  's=-',
  't=0 0',
  'm=audio 10000 RTP/SAVP 9 0 101',
  'c=IN IP6 2001:db8::20',
  'a=rtpmap:9 G722/8000',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-15',
  'a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:1wN5h7GxJgQGzYq1SfSY1h2+4dNrDqU+GQrcnYyY',
  'a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:jvVFxYmrt6Ew4k5kD3Ymb3u2tX2kFGgqvL6tF7oV',
  'a=sendrecv',
)

/** Polycom HDX style: G.722.1/SIREN first, H.264/H.263, TCP/BFCP c-s with a labelled content stream. */
export const polycomBfcpOffer = sdp(
  'v=0',
  'o=hdx8000 2024860525 0 IN IP4 192.0.2.113',
  's=-',
  'c=IN IP4 192.0.2.113',
  'b=AS:1920',
  't=0 0',
  'm=audio 49426 RTP/AVP 115 102 9 15 0 8 18 101',
  'a=rtpmap:115 G7221/32000',
  'a=fmtp:115 bitrate=48000',
  'a=rtpmap:102 G7221/16000',
  'a=fmtp:102 bitrate=32000',
  'a=rtpmap:9 G722/8000',
  'a=rtpmap:15 G728/8000',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:18 G729/8000',
  'a=fmtp:18 annexb=no',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-15',
  'a=sendrecv',
  'm=video 49428 RTP/AVP 109 96 34 31',
  'b=TIAS:1920000',
  'a=rtpmap:109 H264/90000',
  'a=fmtp:109 profile-level-id=42800d; max-mbps=108000; max-fs=3600; max-br=1600; sar=13',
  'a=rtpmap:96 H263-1998/90000',
  'a=fmtp:96 CIF4=2;CIF=1;QCIF=1;SQCIF=1;F;J;T',
  'a=rtpmap:34 H263/90000',
  'a=rtpmap:31 H261/90000',
  'a=sendrecv',
  'a=content:main',
  'a=label:1',
  'a=rtcp-fb:* ccm fir tmmbr',
  'm=application 34683 TCP/BFCP *',
  'a=floorctrl:c-s',
  'a=setup:actpass',
  'a=connection:new',
  'a=floorid:1 mstrm:3',
  'a=confid:1',
  'a=userid:2',
  'm=video 49430 RTP/AVP 109 34',
  'b=TIAS:1920000',
  'a=rtpmap:109 H264/90000',
  'a=fmtp:109 profile-level-id=428016; max-mbps=245000; max-fs=8192',
  'a=rtpmap:34 H263/90000',
  'a=sendrecv',
  'a=content:slides',
  'a=label:3',
  'm=application 49432 RTP/AVP 100',
  'a=rtpmap:100 H224/4800',
  'a=sendrecv',
)

/** Cisco/Tandberg style: UDP/BFCP, content video found through the floor's label only. */
export const tandbergUdpBfcpOffer = sdp(
  'v=0',
  'o=tandberg 1 2 IN IP4 198.51.100.8',
  's=-',
  'c=IN IP4 198.51.100.8',
  'b=AS:384',
  't=0 0',
  'm=audio 52120 RTP/AVP 127 120 8 0 100',
  'a=rtpmap:127 MP4A-LATM/90000',
  'a=rtpmap:120 G7221/16000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:100 telephone-event/8000',
  'a=fmtp:100 0-15',
  'a=sendrecv',
  'm=video 52130 RTP/AVP 123 97',
  'a=rtpmap:123 H264/90000',
  'a=fmtp:123 profile-level-id=42801f;max-mbps=108000;max-fs=3600;packetization-mode=1',
  'a=rtpmap:97 H263-1998/90000',
  'a=sendrecv',
  'a=label:11',
  'm=video 52128 RTP/AVP 123',
  'a=rtpmap:123 H264/90000',
  'a=fmtp:123 profile-level-id=428028;packetization-mode=1',
  'a=sendrecv',
  'a=label:12',
  'm=application 52126 UDP/BFCP *',
  'a=floorctrl:c-s',
  'a=confid:1',
  'a=floorid:2 mstrm:12',
  'a=userid:1',
  'a=bfcpver:1 2',
)

/** A Polycom that wants to be the floor control server: its BFCP line cannot be answered. */
export const polycomServerOnlyBfcpOffer = polycomBfcpOffer
  .replace('a=floorctrl:c-s', 'a=floorctrl:s-only')
  .replace('a=setup:actpass', 'a=setup:passive')

/** Every offer above with its name, for specs that hold a reader or writer to sdp-transform's on each. */
export const namedOffers = (): ReadonlyArray<readonly [string, string]> => [
  ['sfbAudioVideoOffer', sfbAudioVideoOffer()],
  ['sfbAudioVideoOffer without H.264', sfbAudioVideoOffer(false)],
  ['sfbAudioOnlyAvpOffer', sfbAudioOnlyAvpOffer],
  ['sfbImOffer', sfbImOffer],
  ['sfbApplicationSharingOffer', sfbApplicationSharingOffer],
  ['sippPcmuOffer', sippPcmuOffer],
  ['baresipOffer', baresipOffer],
  ['baresipSrtpIpv6Offer', baresipSrtpIpv6Offer],
  ['polycomBfcpOffer', polycomBfcpOffer],
  ['tandbergUdpBfcpOffer', tandbergUdpBfcpOffer],
]
