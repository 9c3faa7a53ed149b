/**
 * gst-launch descriptions of one leg's audio RTP in and out (parsed by `gst_parse_bin_from_description`
 * in the worker). Pure strings, so that they are checked without GStreamer.
 *
 * In: `udpsrc` (on the socket the worker bound) → `rtpptdemux` → the codec's payload type through
 * a jitter buffer, depayloader and decoder to the mix format, `level` (active speaker); RFC 4733
 * telephone-events to `rtpdtmfdepay`, which posts a `dtmf-event` message per digit on the bus.
 * The demuxer's pads appear with the first packet of each payload type; the description names
 * them (`demux.src_0`) so GStreamer links them itself, in C, on the streaming thread: no
 * JavaScript runs there (node-gtk can only run JavaScript on the main thread). Every other
 * payload type (comfort noise, RTCP on a muxed port, a codec not negotiated) is dropped by the
 * demuxer instead of stopping the source with not-linked.
 *
 * Out: from the leg's mixer, the encoder's rate and format, encoder, payloader, and `udpsink` on
 * the same socket (symmetric RTP: the far end and NATs see one port).
 */
import type { AudioStreamPlan } from '../worker/worker-protocol.js'
import { audioCodecs } from './audio-codecs.js'
import { mixCaps } from './mix-format.js'
import { srtpReceiveStage, srtpSendStage, srtpSourceCaps } from './srtp-description.js'

/** How long the jitter buffer waits for late packets (RFC 3550 §A.8 reordering, LAN and WAN alike). */
export const jitterBufferMs = 60
/**
 * How often `level` reports, for active-speaker detection (active-speaker.ts: a new speaker must
 * be the loudest for 400 ms, so the second report, 500 ms on, switches; 100 ms reports switched at
 * 400 ms). Every report is a bus message posted from the leg's streaming thread, and GStreamer
 * 1.22's bus queue (GstAtomicQueue) busy-waits while another poster is between taking a slot and
 * filling it: legs whose packets arrive together post together, and on a loaded host a poster
 * preempted there keeps the others spinning for their whole time slice. Profiled (perf) with
 * bench/media-audio's 60 legs in gst-launch on 2 cores at a load average of 30-36: with 100 ms
 * reports 64-100 % of the samples spun in gst_atomic_queue_push under `level` and a third of the
 * legs went unserved; with 500 ms reports (5x fewer posts, and 5x fewer for the worker's main
 * thread to read) none did and every leg was served.
 */
export const levelIntervalNs = 500_000_000n

const allPayloadTypes = Array.from({ length: 128 }, (_, pt) => pt)

export const ignoredPayloadTypes = (plan: AudioStreamPlan): ReadonlyArray<number> =>
  allPayloadTypes.filter((pt) => pt !== plan.codec.payloadType && pt !== plan.telephoneEvent?.payloadType)

export interface ElementNames {
  readonly source: string
  /** The send chain's first element (the bin's ghost `sink`). */
  readonly sendInput: string
  readonly level: string
  readonly dtmf: string
  readonly sink: string
}

export const elementNames = (handle: string): ElementNames => ({
  source: `rtpsrc-${handle}`,
  sendInput: `sendcaps-${handle}`,
  level: `level-${handle}`,
  dtmf: `dtmf-${handle}`,
  sink: `rtpsink-${handle}`,
})

/** Ends in the mix format at `level`, whose source pad becomes the bin's ghost `src`. */
export const receiveDescription = (plan: AudioStreamPlan, handle: string): string => {
  const codec = audioCodecs[plan.codec.name]
  const names = elementNames(handle)
  const caps = sourceCaps(plan)
  // SRTP (srtp-description.ts): the source speaks SRTP with the far end's key, srtpdec before the demuxer.
  const main = [
    `udpsrc name=${names.source} close-socket=false caps="${plan.srtp === undefined ? caps : srtpSourceCaps(caps, plan.srtp, 0)}"`,
    ...(plan.srtp === undefined ? [] : [srtpReceiveStage(handle)]),
    `rtpptdemux name=demux-${handle} ignored-payload-types="<${ignoredPayloadTypes(plan).join(',')}>"`,
  ].join(' ! ')
  const decode = [
    `demux-${handle}.src_${plan.codec.payloadType}`,
    `rtpjitterbuffer latency=${jitterBufferMs} do-lost=true`,
    codec.depayloader,
    codec.decoder,
    'audioconvert',
    'audioresample',
    `capsfilter caps="${mixCaps}"`,
    `level name=${names.level} interval=${levelIntervalNs} post-messages=true peak-ttl=0`,
  ].join(' ! ')
  const event = plan.telephoneEvent
  // The demuxer gives the event pad the source caps with only the payload changed; the event's own name and clock go on here.
  const dtmf =
    event === undefined
      ? ''
      : ` demux-${handle}.src_${event.payloadType} ! capssetter caps="application/x-rtp,encoding-name=TELEPHONE-EVENT,clock-rate=${event.clockRate}" ! rtpdtmfdepay name=${names.dtmf} ! fakesink sync=false async=false`
  return `${main} ${decode}${dtmf}`
}

/** The receive source's caps (the SSRC watch puts them back with each SSRC learnt). */
export const sourceCaps = (plan: AudioStreamPlan): string =>
  `application/x-rtp,media=audio,clock-rate=${plan.codec.clockRate},encoding-name=${audioCodecs[plan.codec.name].encodingName},payload=${plan.codec.payloadType}`

/** Starts in the mix format at `sendInput`, whose sink pad becomes the bin's ghost `sink`. */
export const sendDescription = (plan: AudioStreamPlan, handle: string): string => {
  const codec = audioCodecs[plan.codec.name]
  return [
    `capsfilter name=${elementNames(handle).sendInput} caps="${mixCaps}"`,
    'audioconvert',
    'audioresample',
    `capsfilter caps="audio/x-raw,format=S16LE,rate=${codec.sampleRate},channels=1"`,
    codec.encoder,
    `${codec.payloader} pt=${plan.codec.payloadType}`,
    ...(plan.srtp === undefined ? [] : [srtpSendStage(plan.srtp, handle)]),
    `udpsink name=${elementNames(handle).sink} close-socket=false sync=false async=false host=${plan.remote.address} port=${plan.remote.port}`,
  ].join(' ! ')
}

export const receives = (plan: AudioStreamPlan): boolean => plan.direction === 'sendrecv' || plan.direction === 'recvonly'
export const sends = (plan: AudioStreamPlan): boolean => plan.direction === 'sendrecv' || plan.direction === 'sendonly'
