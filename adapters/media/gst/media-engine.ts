/**
 * The media worker's GStreamer graph: one live pipeline for every leg and conference of the
 * worker, changed on the main thread only (node-gtk), read through its bus.
 *
 * Per leg (audio): RTP in (rtp-description.ts) into a `tee`; the leg's own `audiomixer` (what it
 * hears) into RTP out. Every mixer is `force-live`: it produces a buffer every 20 ms on the clock
 * whether or not any input has data, so a leg sends RTP from the moment it is attached (PIN
 * prompts, hold music, an empty room; far ends that hang up on a stream without packets do not),
 * and a mixer never waits for an input that has not started (a far end that has not sent yet).
 *
 * Per conference, N-1 mixing by subtraction: one `audiomixer` sums every member (the total);
 * each member's own mixer takes the total and the member's own voice inverted (`audioamplify
 * amplification=-1`). Everyone hears everyone but themselves with one N-input mixer and N
 * three-input mixers per conference — O(N) pads and mixing work — where a mixer per listener
 * fed by the N-1 others is O(N²) (measured with gst-launch, 20 ms F32 buffers, 10 s: 30 members
 * cost 0.26 core this way, 0.9 core with a mixer per listener). The subtraction is exact because
 * the mix runs in float (the total never clips) and every mixer's output grid starts on the same
 * 20 ms boundaries (mix-format.ts), so a sample lands on the same output sample in both mixers.
 *
 * A leg's tee pushes its voice into the conference total first and then, inverted, straight into
 * its own mixer, in its own streaming thread (no `queue` and thread per leg). That mixer runs one
 * stage behind the total, so the inverted voice waits in the mixer's input pad, which holds the
 * mixer's latency plus its upstream's (the jitter buffer's): several 20 ms buffers; the push
 * returns at once and the next buffer is in time for the total. A queue and its thread there cost
 * two context switches per leg every 20 ms, and an audio leg's cost is mostly context switches:
 * gst-launch with the same graph, 40 legs each way side by side on a loaded host, used 7-14 % less
 * CPU without the queues (bench/media-audio.bench.ts).
 *
 * Pads are unlinked in the order that cannot deadlock: a mixer's request pad is released first
 * (the aggregator sets it flushing and wakes a streaming thread waiting to push into it), then
 * the tee pad that fed it; an element leaves the pipeline only after everything pushing into it
 * has stopped.
 *
 * Every mixer runs on a clock base of its own (own-clock.ts): its running time 0 is the next grid
 * boundary after it is made, its input pads move what they receive back by that epoch and its
 * output pad forward again. A mixer made while the worker has been up for minutes then sends in
 * real time from its start (1.22 would first send all the audio since the pipeline started), and
 * every mix still runs on the shared 20 ms grid in the pipeline's running time.
 */
import dgram from 'node:dgram'
import { readFileSync } from 'node:fs'
import { isIPv6 } from 'node:net'
import * as E from 'fp-ts/lib/Either.js'
import type { Logger } from 'pino'
import type { AudioStreamPlan, LegPlan, RtpStreamKind, WireView, WorkerEvent } from '../worker/worker-protocol.js'
import type { ActiveSpeakerState } from './active-speaker.js'
import { stepActiveSpeaker } from './active-speaker.js'
import { dtmfEventDigit, levelRmsDb } from './bus-messages.js'
import type { GSocket, GstBin, GstElement, GstMessage, GstObject, GstPad, GstPipeline, Gstreamer } from './gstreamer.js'
import { elementByName, linkPads, makeElement, requestPadOf, staticPadOf } from './graph-helpers.js'
import { gridStart, mixBufferNs, mixCaps } from './mix-format.js'
import { pipelineRunningTime, startOwnClock } from './own-clock.js'
import type { PromptSound } from './prompts/prompt-catalogue.js'
import { promptPath, prompts } from './prompts/prompt-catalogue.js'
import { wavDurationNs } from './prompts/wav-file.js'
import { primingAddress } from './priming-packet.js'
import type { BoundPair } from './rtp-port-pool.js'
import { RtpPortPool } from './rtp-port-pool.js'
import { elementNames, receiveDescription, receives, sendDescription, sends } from './rtp-description.js'
import { SecureLegs } from './srtp-ice-legs.js'
import { videoFeedbackCaps } from './video-description.js'
import { VideoEngine } from './video-engine.js'
import type { VideoFormat } from './video-layout.js'
import { defaultVideoFormat } from './video-layout.js'

/** Slack each mixer gives late inputs beyond upstream latency (scheduling jitter on a busy host). */
const mixerLatencyNs = 20_000_000n
/** How far ahead of "now" a new mixer's first output, or a prompt's first sample, is placed. */
const startAheadNs = 40_000_000n
/** A looping prompt's next round is linked this long before the current one ends. */
const loopLeadMs = 300

/** A request pad on a tee feeding a request pad on a mixer. */
interface Feed {
  readonly tee: GstElement
  readonly teePad: GstPad
  readonly mixer: GstElement
  readonly mixerPad: GstPad
}

/** A static source pad (a bin's ghost `src`, `audioamplify`) feeding a mixer's request pad. */
interface Input {
  readonly mixer: GstElement
  readonly mixerPad: GstPad
}

interface Receive {
  readonly bin: GstBin
  readonly tee: GstElement
}

interface Send {
  readonly mixer: GstElement
  readonly bin: GstBin
}

interface AttachedAudio {
  readonly plan: AudioStreamPlan
  readonly receive?: Receive
  readonly send?: Send
}

interface PromptRound {
  readonly bin: GstBin
  readonly input: Input
  readonly timers: Array<ReturnType<typeof setTimeout>>
}

interface Playing {
  readonly sound: PromptSound
  rounds: PromptRound[]
}

interface Membership {
  /** Leg tee → conference total (absent when the leg does not receive). */
  readonly toTotal?: Feed
  /** Conference total tee → leg's mixer (absent when the leg does not send). */
  readonly fromTotal?: Feed
  /** Leg tee → queue → negate → leg's mixer (both directions only). */
  readonly withoutSelf?: { readonly feed: Feed; readonly chain: GstBin; readonly input: Input }
}

interface Leg {
  readonly id: string
  readonly handle: string
  readonly ports: Map<RtpStreamKind, BoundPair<GSocket>>
  audio?: AttachedAudio
  conference?: string
  membership?: Membership
  playing?: Playing
  view?: string
  floor: boolean
}

interface Conference {
  readonly id: string
  readonly handle: string
  readonly mixer: GstElement
  readonly caps: GstElement
  readonly tee: GstElement
  readonly members: Set<string>
  speaker: ActiveSpeakerState<string>
  readonly levels: Map<string, number>
}

export interface MediaEngineOptions {
  readonly gst: Gstreamer
  readonly logger: Logger
  readonly emit: (event: WorkerEvent) => void
  /** Milliseconds on a monotonic clock (active-speaker hold times). */
  readonly now?: () => number
  /** Size and rate of every composed screen (video-layout.ts). */
  readonly video?: VideoFormat
}

export interface EngineStats {
  readonly legs: number
  readonly attached: number
  readonly conferences: number
  readonly mixerPads: number
  readonly elements: number
}

type Result = E.Either<string, void>
const ok: Result = E.right(undefined)

export class MediaEngine {
  private readonly gst: Gstreamer
  private readonly logger: Logger
  private readonly emit: (event: WorkerEvent) => void
  private readonly now: () => number
  private readonly pipeline: GstPipeline
  private readonly legs = new Map<string, Leg>()
  private readonly byHandle = new Map<string, Leg>()
  private readonly conferences = new Map<string, Conference>()
  private readonly durations = new Map<PromptSound, bigint>()
  private readonly secure: SecureLegs
  /** The video ports' shims and keying (one per leg, beside its audio ports' own). */
  private readonly secureVideo: SecureLegs
  /** The content ports' shims and keying (BFCP slides or SfB VbSS over SRTP/ICE), likewise. */
  private readonly secureContent: SecureLegs
  private pool: RtpPortPool<GSocket> | undefined
  private bindHost = '0.0.0.0'
  private serial = 0
  private mixerPads = 0
  private elements = 0
  /** Each mixer's epoch: the pipeline running time of its own running time 0 (own-clock.ts). */
  private readonly epochs = new Map<GstElement, bigint>()
  private readonly video: VideoEngine

  constructor(options: MediaEngineOptions) {
    this.gst = options.gst
    this.logger = options.logger
    this.emit = options.emit
    this.now = options.now ?? (() => performance.now())
    this.secure = new SecureLegs({ gst: this.gst, logger: this.logger, onLegFailed: (leg, reason) => this.emit({ _tag: 'LegFailed', leg, reason }) })
    this.secureVideo = new SecureLegs({ gst: this.gst, logger: this.logger, onLegFailed: (leg, reason) => this.emit({ _tag: 'LegFailed', leg, reason }) })
    this.secureContent = new SecureLegs({ gst: this.gst, logger: this.logger, onLegFailed: (leg, reason) => this.emit({ _tag: 'LegFailed', leg, reason }) })
    this.pipeline = this.gst.newPipeline('parley-media')
    const bus = this.pipeline.getBus()
    bus.addSignalWatch()
    bus.on('message', (message) => this.onBusMessage(message))
    this.pipeline.setState(this.gst.State.PLAYING)
    this.video = new VideoEngine({
      gst: this.gst,
      pipeline: this.pipeline,
      logger: this.logger,
      format: options.video ?? defaultVideoFormat,
      contentOf: (viewer) => this.floorHolderFor(viewer),
      holdsFloor: (leg) => this.legs.get(leg)?.floor === true,
    })
  }

  // ---- requests -------------------------------------------------------------------------------

  configure(bindHost: string, portMin: number, portMax: number): Result {
    if (this.legs.size > 0) return E.left('configure before the first leg')
    this.bindHost = bindHost
    this.pool = new RtpPortPool<GSocket>(
      { min: portMin, max: portMax },
      (port) => this.gst.bindUdp(bindHost, port),
      (socket) => {
        socket.close()
      },
    )
    return ok
  }

  allocatePorts(legId: string, streams: ReadonlyArray<RtpStreamKind>): E.Either<string, Partial<Record<RtpStreamKind, number>>> {
    const pool = this.pool
    if (pool === undefined) return E.left('the worker is not configured (no port range)')
    const leg = this.legs.get(legId) ?? this.newLeg(legId)
    for (const stream of streams) {
      if (leg.ports.has(stream)) continue
      const pair = pool.acquire()
      if (E.isLeft(pair)) return E.left(`no free RTP port in ${pair.left.min}..${pair.left.max} on ${this.bindHost}`)
      leg.ports.set(stream, pair.right)
    }
    return E.right(Object.fromEntries(streams.map((s) => [s, leg.ports.get(s)?.port])))
  }

  attachLeg(plan: LegPlan): Result {
    const leg = this.legs.get(plan.leg)
    if (leg === undefined) return E.left(`leg ${plan.leg} has no ports (allocatePorts first)`)
    const video = this.attachVideo(leg, plan)
    if (E.isLeft(video)) return video
    const audio = plan.audio
    if (audio === undefined) return ok
    const keys = this.secure.check(audio)
    if (E.isLeft(keys)) return E.left(`leg ${plan.leg}: ${keys.left}`)
    const pair = leg.ports.get('audio')
    if (pair === undefined) return E.left(`leg ${plan.leg} has no audio port`)
    if (audio.localPort !== undefined && audio.localPort !== pair.port) return E.left(`leg ${plan.leg}: the answer says port ${audio.localPort}, the worker holds ${pair.port} for it`)
    // A re-INVITE: the old streams go, the mix membership and prompt come back on the new ones.
    const conference = leg.conference
    const sound = leg.playing?.sound
    if (leg.audio !== undefined) this.detachAudio(leg)
    // SRTP and ICE legs (srtp-ice-legs.ts): an ICE leg's chain sits behind its shim, on a loopback socket.
    const transport = this.secure.transport(leg.id, audio, pair, this.bindHost)
    if (E.isLeft(transport)) return E.left(`leg ${plan.leg}: ${transport.left}`)
    try {
      leg.audio = this.buildAudio(leg, transport.right.plan, transport.right.socket)
      if (leg.audio.receive !== undefined) this.secure.keyReceive(leg.id, leg.handle, leg.audio.receive.bin, audio)
    } catch (error) {
      return E.left(`leg ${plan.leg}: ${error instanceof Error ? error.message : String(error)}`)
    }
    if (leg.audio.receive !== undefined) this.prime(transport.right.primePort, this.secure.primingPacket(audio))
    if (conference !== undefined) this.linkMember(leg, this.conferences.get(conference))
    if (sound !== undefined) this.startPrompt(leg, sound)
    this.logger.debug({ leg: leg.id, codec: audio.codec.name, direction: audio.direction, port: pair.port, remote: audio.remote }, 'leg audio attached')
    return ok
  }

  /** The leg's video; an SRTP or ICE video stream runs behind its ports' shim, as audio does. */
  private attachVideo(leg: Leg, plan: LegPlan): Result {
    const pair = leg.ports.get('video')
    const video = plan.video
    const content = this.attachContent(leg, plan)
    if (E.isLeft(content)) return content
    if (video === undefined || pair === undefined) return this.video.attach(leg.id, leg.handle, video, pair?.rtp, pair?.port, plan.displayName)
    const keys = this.secureVideo.check(video)
    if (E.isLeft(keys)) return E.left(`leg ${plan.leg} video: ${keys.left}`)
    if (video.localPort !== undefined && video.localPort !== pair.port) return E.left(`leg ${plan.leg}: the answer says video port ${video.localPort}, the worker holds ${pair.port} for it`)
    const transport = this.secureVideo.transport(leg.id, video, pair, this.bindHost)
    if (E.isLeft(transport)) return E.left(`leg ${plan.leg} video: ${transport.left}`)
    // A plain leg's RTCP without mux uses its RTCP socket; a shimmed one runs RTCP only muxed, SRTCP through the shim's RTCP socket (video-description.ts videoRtcpRuns).
    const rtcpSocket = transport.right.socket === pair.rtp ? pair.rtcp : transport.right.rtcpSocket
    const attached = this.video.attach(leg.id, leg.handle, transport.right.plan, transport.right.socket, pair.port, plan.displayName, rtcpSocket)
    if (E.isLeft(attached)) return attached
    const source = this.video.cameraSource(leg.id)
    if (source === undefined) this.secureVideo.forgetReceive(leg.id)
    else this.secureVideo.keySource(leg.id, source, videoFeedbackCaps(video), video.srtp)
    return ok
  }

  /**
   * The leg's content stream (BFCP slides, RFC 4796 `a=content:slides`; SfB VbSS,
   * `a=label:applicationsharing-video`) on its `content` port; an SRTP or ICE one behind that
   * port's own shim and keying, as the camera's (RFC 4568 keys are per m-line).
   */
  private attachContent(leg: Leg, plan: LegPlan): Result {
    const content = plan.content
    const pair = leg.ports.get('content')
    if (content === undefined || pair === undefined) return this.video.attachContent(leg.id, leg.handle, content, pair?.rtp, pair?.port)
    const keys = this.secureContent.check(content)
    if (E.isLeft(keys)) return E.left(`leg ${plan.leg} content: ${keys.left}`)
    if (content.localPort !== undefined && content.localPort !== pair.port) return E.left(`leg ${plan.leg}: the answer says content port ${content.localPort}, the worker holds ${pair.port} for it`)
    const transport = this.secureContent.transport(leg.id, content, pair, this.bindHost)
    if (E.isLeft(transport)) return E.left(`leg ${plan.leg} content: ${transport.left}`)
    const attached = this.video.attachContent(leg.id, leg.handle, transport.right.plan, transport.right.socket, pair.port, transport.right.socket === pair.rtp ? pair.rtcp : transport.right.rtcpSocket)
    if (E.isLeft(attached)) return attached
    const source = this.video.contentSource(leg.id)
    if (source === undefined) this.secureContent.forgetReceive(leg.id)
    else this.secureContent.keySource(leg.id, source, videoFeedbackCaps(content), content.srtp)
    return ok
  }

  /**
   * The floor holder whose content `viewer` is shown: one in the viewer's conference (DESIGN §2:
   * one presenter at a time per conference), or, for a viewer in none, any.
   */
  private floorHolderFor(viewer: string): string | undefined {
    const conference = this.legs.get(viewer)?.conference
    for (const leg of this.legs.values()) if (leg.floor && (conference === undefined || leg.conference === conference)) return leg.id
    return undefined
  }

  releaseLeg(legId: string): Result {
    const leg = this.legs.get(legId)
    if (leg === undefined) return ok
    if (leg.conference !== undefined) this.leave(leg, leg.conference)
    if (leg.audio !== undefined) this.detachAudio(leg)
    this.secure.release(leg.id)
    this.video.release(legId)
    this.secureVideo.release(leg.id)
    this.secureContent.release(leg.id)
    for (const pair of leg.ports.values()) this.pool?.release(pair)
    this.legs.delete(legId)
    this.byHandle.delete(leg.handle)
    return ok
  }

  joinMix(legId: string, conferenceId: string): Result {
    const leg = this.legs.get(legId) ?? this.newLeg(legId)
    if (leg.conference === conferenceId) return ok
    if (leg.conference !== undefined) this.leave(leg, leg.conference)
    const conference = this.conferences.get(conferenceId) ?? this.newConference(conferenceId)
    conference.members.add(leg.id)
    leg.conference = conferenceId
    this.linkMember(leg, conference)
    return ok
  }

  leaveMix(legId: string, conferenceId: string): Result {
    const leg = this.legs.get(legId)
    if (leg !== undefined && leg.conference === conferenceId) this.leave(leg, conferenceId)
    return ok
  }

  bridge(a: string, b: string): Result {
    const conference = `bridge:${a}:${b}`
    const first = this.joinMix(a, conference)
    return E.isLeft(first) ? first : this.joinMix(b, conference)
  }

  play(legId: string, sound: PromptSound | 'conference'): Result {
    const leg = this.legs.get(legId) ?? this.newLeg(legId)
    this.stopPrompt(leg)
    if (sound === 'conference') return ok
    const duration = this.durationOf(sound)
    if (E.isLeft(duration)) return duration
    leg.playing = { sound, rounds: [] }
    if (leg.audio?.send !== undefined) this.startPrompt(leg, sound)
    return ok
  }

  show(legId: string, view: WireView): Result {
    const leg = this.legs.get(legId) ?? this.newLeg(legId)
    leg.view = view._tag
    return this.video.show(leg.id, leg.handle, view)
  }

  floor(legId: string, granted: boolean): Result {
    const leg = this.legs.get(legId) ?? this.newLeg(legId)
    if (leg.floor === granted) return ok
    leg.floor = granted
    return this.video.refreshContentViews()
  }

  stats(): EngineStats {
    return {
      legs: this.legs.size,
      attached: [...this.legs.values()].filter((l) => l.audio !== undefined).length,
      conferences: this.conferences.size,
      mixerPads: this.mixerPads,
      elements: this.elements + this.video.stats().elements,
    }
  }

  /** Stops the pipeline and closes every socket (the worker is leaving). */
  shutdown(): void {
    for (const leg of [...this.legs.values()]) for (const round of leg.playing?.rounds ?? []) for (const t of round.timers) clearTimeout(t)
    // Mixers on their own clock base do not follow the pipeline's state.
    for (const mixer of this.epochs.keys()) mixer.setState(this.gst.State.NULL)
    this.epochs.clear()
    this.pipeline.setState(this.gst.State.NULL)
    this.secure.close()
    this.secureVideo.close()
    this.secureContent.close()
    for (const leg of this.legs.values()) for (const pair of leg.ports.values()) this.pool?.release(pair)
    this.legs.clear()
  }

  // ---- legs -----------------------------------------------------------------------------------

  private newLeg(id: string): Leg {
    const leg: Leg = { id, handle: `l${++this.serial}`, ports: new Map(), floor: false }
    this.legs.set(id, leg)
    this.byHandle.set(leg.handle, leg)
    return leg
  }

  private buildAudio(leg: Leg, plan: AudioStreamPlan, socket: GSocket): AttachedAudio {
    let send: Send | undefined
    let receive: Receive | undefined
    if (sends(plan)) {
      const bin = this.gst.parseBin(sendDescription(plan, leg.handle), { sink: elementNames(leg.handle).sendInput })
      this.gst.setProperty(bin, 'name', `tx-${leg.handle}`)
      this.gst.setProperty(elementByName(bin, elementNames(leg.handle).sink), 'socket', socket)
      const mixer = this.newMixer(`out-${leg.handle}`)
      this.add(bin)
      this.add(mixer)
      linkPads(staticPadOf(mixer, 'src'), staticPadOf(bin, 'sink'))
      bin.syncStateWithParent()
      this.startMixer(mixer)
      send = { mixer, bin }
    }
    if (receives(plan)) {
      const bin = this.gst.parseBin(receiveDescription(plan, leg.handle), { src: elementNames(leg.handle).level })
      this.gst.setProperty(bin, 'name', `rx-${leg.handle}`)
      this.gst.setProperty(elementByName(bin, elementNames(leg.handle).source), 'socket', socket)
      const tee = makeElement(this.gst, 'tee', `tee-${leg.handle}`, { 'allow-not-linked': true })
      this.add(bin)
      this.add(tee)
      linkPads(staticPadOf(bin, 'src'), staticPadOf(tee, 'sink'))
      tee.syncStateWithParent()
      bin.syncStateWithParent()
      receive = { bin, tee }
    }
    return { plan, ...(send === undefined ? {} : { send }), ...(receive === undefined ? {} : { receive }) }
  }

  private detachAudio(leg: Leg): void {
    const audio = leg.audio
    if (audio === undefined) return
    this.secure.forgetReceive(leg.id)
    const conference = leg.conference === undefined ? undefined : this.conferences.get(leg.conference)
    if (conference !== undefined) this.unlinkMember(leg)
    this.stopRounds(leg)
    if (audio.receive !== undefined) this.removeElements([audio.receive.bin, audio.receive.tee])
    if (audio.send !== undefined) {
      this.removeElements([audio.send.mixer, audio.send.bin])
    }
    delete leg.audio
  }

  private prime(port: number, packet: Buffer): void {
    const host = primingAddress(this.bindHost)
    const socket = dgram.createSocket(isIPv6(host) ? 'udp6' : 'udp4')
    socket.send(packet, port, host, (error) => {
      if (error !== null) this.logger.warn({ port, err: error.message }, 'priming packet not sent')
      socket.close()
    })
  }

  // ---- conferences ----------------------------------------------------------------------------

  private newConference(id: string): Conference {
    const handle = `c${++this.serial}`
    const mixer = this.newMixer(`total-${handle}`)
    const caps = makeElement(this.gst, 'capsfilter', `totalcaps-${handle}`, { caps: this.gst.caps(mixCaps) })
    const tee = makeElement(this.gst, 'tee', `totaltee-${handle}`, { 'allow-not-linked': true })
    this.add(mixer)
    this.add(caps)
    this.add(tee)
    linkPads(staticPadOf(mixer, 'src'), staticPadOf(caps, 'sink'))
    linkPads(staticPadOf(caps, 'src'), staticPadOf(tee, 'sink'))
    tee.syncStateWithParent()
    caps.syncStateWithParent()
    this.startMixer(mixer)
    const conference: Conference = {
      id,
      handle,
      mixer,
      caps,
      tee,
      members: new Set(),
      speaker: {},
      levels: new Map(),
    }
    this.conferences.set(id, conference)
    this.logger.debug({ conference: id }, 'conference mix created')
    return conference
  }

  private leave(leg: Leg, conferenceId: string): void {
    this.unlinkMember(leg)
    delete leg.conference
    const conference = this.conferences.get(conferenceId)
    if (conference === undefined) return
    conference.members.delete(leg.id)
    conference.levels.delete(leg.id)
    if (conference.speaker.speaker === leg.id || conference.speaker.candidate?.leg === leg.id) conference.speaker = {}
    if (conference.members.size > 0) return
    this.removeElements([conference.mixer, conference.caps, conference.tee])
    this.conferences.delete(conferenceId)
    this.logger.debug({ conference: conferenceId }, 'conference mix removed')
  }

  private linkMember(leg: Leg, conference: Conference | undefined): void {
    const audio = leg.audio
    if (conference === undefined || audio === undefined || leg.membership !== undefined) return
    const send = audio.send
    const receive = audio.receive
    // Listener side first, so that the leg's voice is taken out of the total before it is in it.
    const fromTotal = send === undefined ? undefined : this.feed(conference.tee, send.mixer)
    // The tee pushes to its pads in the order they were made: the pad to the total is made first
    // (linked last), so that the voice reaches the total before the leg's own mixer.
    const totalPad = receive === undefined ? undefined : requestPadOf(receive.tee, 'src_%u')
    let withoutSelf: Membership['withoutSelf']
    if (send !== undefined && receive !== undefined) {
      const chain = this.gst.parseBin('audioamplify name=negate amplification=-1', { sink: 'negate', src: 'negate' })
      this.gst.setProperty(chain, 'name', `self-${leg.handle}`)
      this.add(chain)
      const input = this.input(staticPadOf(chain, 'src'), send.mixer)
      chain.syncStateWithParent()
      const feed = this.feedPad(receive.tee, staticPadOf(chain, 'sink'), chain)
      withoutSelf = { feed, chain, input }
    }
    const toTotal = receive === undefined || totalPad === undefined ? undefined : this.feed(receive.tee, conference.mixer, totalPad)
    leg.membership = {
      ...(toTotal === undefined ? {} : { toTotal }),
      ...(fromTotal === undefined ? {} : { fromTotal }),
      ...(withoutSelf === undefined ? {} : { withoutSelf }),
    }
  }

  private unlinkMember(leg: Leg): void {
    const m = leg.membership
    if (m === undefined) return
    // The voice leaves the total before the listener stops subtracting it.
    if (m.toTotal !== undefined) this.unfeed(m.toTotal)
    if (m.withoutSelf !== undefined) {
      this.release(m.withoutSelf.input)
      this.unfeed(m.withoutSelf.feed)
      this.removeElements([m.withoutSelf.chain])
    }
    if (m.fromTotal !== undefined) this.unfeed(m.fromTotal)
    delete leg.membership
  }

  // ---- prompts --------------------------------------------------------------------------------

  private durationOf(sound: PromptSound): E.Either<string, bigint> {
    const known = this.durations.get(sound)
    if (known !== undefined) return E.right(known)
    try {
      const duration = wavDurationNs(readFileSync(promptPath(sound)))
      if (duration === undefined || duration === 0n) return E.left(`${promptPath(sound)} is not a PCM WAV file`)
      this.durations.set(sound, duration)
      return E.right(duration)
    } catch (error) {
      return E.left(`prompt ${sound} unreadable (adapters/media/gst/prompts/generate-prompts.ts makes it): ${error instanceof Error ? error.message : String(error)}`)
    }
  }

  private startPrompt(leg: Leg, sound: PromptSound): void {
    if (leg.audio?.send === undefined) return
    leg.playing = { sound, rounds: [] }
    this.addRound(leg, sound, gridStart(0n, this.runningTime(), startAheadNs))
  }

  /**
   * One play of the file from `start` (running time). Looping prompts link the next round shortly
   * before this one ends, starting where it ends: the file repeats without a gap and without a
   * seek, whose completion GStreamer would only report for the whole pipeline.
   */
  private addRound(leg: Leg, sound: PromptSound, start: bigint): void {
    const send = leg.audio?.send
    const playing = leg.playing
    const duration = this.durations.get(sound)
    if (send === undefined || playing === undefined || duration === undefined) return
    // The file is read faster than real time; `identity sync=true` holds each buffer until its
    // running time, so that the leg's mixer (which aggregates whenever every input has data) is
    // not driven ahead of the clock by it. The offset goes on the parser's pad, before the sync.
    const bin = this.gst.parseBin(
      `filesrc location="${promptPath(sound)}" ! wavparse name=parse ! audioconvert ! audioresample ! capsfilter caps="${mixCaps}" ! identity name=pace sync=true`,
      { src: 'pace' },
    )
    this.gst.setProperty(bin, 'name', `prompt${++this.serial}-${leg.handle}`)
    staticPadOf(elementByName(bin, 'parse'), 'src').setOffset(start)
    this.add(bin)
    const input = this.input(staticPadOf(bin, 'src'), send.mixer)
    bin.syncStateWithParent()
    const round: PromptRound = { bin, input, timers: [] }
    playing.rounds.push(round)
    const endsInMs = Number(start + duration - this.runningTime()) / 1e6
    if (prompts[sound].loop) {
      round.timers.push(setTimeout(() => this.addRound(leg, sound, start + duration), Math.max(0, endsInMs - loopLeadMs)))
    }
    round.timers.push(
      setTimeout(() => {
        this.removeRound(round)
        playing.rounds = playing.rounds.filter((r) => r !== round)
        if (!prompts[sound].loop && leg.playing === playing) {
          delete leg.playing
          this.emit({ _tag: 'PromptFinished', leg: leg.id, sound })
        }
      }, endsInMs + Number(mixBufferNs * 5n) / 1e6),
    )
  }

  private removeRound(round: PromptRound): void {
    for (const t of round.timers) clearTimeout(t)
    this.release(round.input)
    this.removeElements([round.bin])
  }

  private stopRounds(leg: Leg): void {
    for (const round of leg.playing?.rounds ?? []) this.removeRound(round)
    if (leg.playing !== undefined) leg.playing.rounds = []
  }

  private stopPrompt(leg: Leg): void {
    this.stopRounds(leg)
    delete leg.playing
  }

  // ---- bus ------------------------------------------------------------------------------------

  private onBusMessage(message: GstMessage): void {
    const { MessageType } = this.gst
    if (message.type === MessageType.ELEMENT) {
      const structure = message.getStructure()
      if (structure === null) return
      const name = structure.getName()
      const source = message.src?.name ?? ''
      if (name === 'level' && source.startsWith('level-')) return this.onLevel(source.slice('level-'.length), structure.toString())
      if (name === 'dtmf-event' && source.startsWith('dtmf-')) return this.onDtmf(source.slice('dtmf-'.length), structure.toString())
      return
    }
    if (message.type === MessageType.WARNING) {
      const [warning, debug] = message.parseWarning()
      const context = { element: message.src?.name, leg: this.legOf(message.src)?.id, debug }
      // The priming packet (priming-packet.ts) is empty on purpose; some depayloaders say so.
      if (warning?.message === 'Empty Payload.') this.logger.debug(context, 'priming packet dropped by the depayloader')
      // An SfB X-H264UC sender opens each access unit with a PACSI NAL unit (type 30, [MS-H264PF]
      // 2.2.4, RFC 6190 §4.9) that rtph264depay drops with this warning, once per frame: receivers
      // remove PACSI before decoding (RFC 6190 §6.2.1), so it is expected, not a fault.
      else if (warning?.message === 'Undefined packet type') this.logger.debug(context, 'PACSI NAL unit dropped by the depayloader')
      else this.logger.warn(context, warning?.message ?? 'GStreamer warning')
      return
    }
    if (message.type === MessageType.ERROR) {
      const [error, debug] = message.parseError()
      const leg = this.legOf(message.src)
      const context = { element: message.src?.name, leg: leg?.id, debug }
      this.logger.error(context, error?.message ?? 'GStreamer error')
      if (leg !== undefined) this.emit({ _tag: 'LegFailed', leg: leg.id, reason: error?.message ?? 'GStreamer error' })
    }
  }

  private onLevel(handle: string, structure: string): void {
    const leg = this.byHandle.get(handle)
    const db = levelRmsDb(structure)
    if (leg?.conference === undefined || db === undefined) return
    const conference = this.conferences.get(leg.conference)
    if (conference === undefined) return
    conference.levels.set(leg.id, db)
    const levels = [...conference.levels].map(([id, level]) => ({ leg: id, db: level }))
    const step = stepActiveSpeaker(conference.speaker, levels, this.now())
    conference.speaker = step.state
    if (step.changed !== undefined) this.emit({ _tag: 'ActiveSpeaker', conference: conference.id, leg: step.changed })
  }

  private onDtmf(handle: string, structure: string): void {
    const leg = this.byHandle.get(handle)
    const digit = dtmfEventDigit(structure)
    if (leg === undefined || digit === undefined) return
    this.logger.debug({ leg: leg.id, digit }, 'RFC 4733 digit')
    this.emit({ _tag: 'Dtmf', leg: leg.id, digit })
  }

  /** The leg whose element posted a message: the handle is in the name of the element or a parent bin. */
  private legOf(source: GstObject | null): Leg | undefined {
    for (let o: GstObject | null = source; o !== null; o = o.getParent()) {
      const match = /-(l\d+)$/.exec(o.name)
      if (match !== null) return this.byHandle.get(match[1] ?? '')
    }
    return undefined
  }

  // ---- graph helpers --------------------------------------------------------------------------

  private runningTime(): bigint {
    return pipelineRunningTime(this.pipeline)
  }

  private newMixer(name: string): GstElement {
    // force-live can only be set when the element is made.
    const mixer = this.gst.parseElement(`audiomixer name=${name} force-live=true`)
    this.gst.setProperty(mixer, 'latency', mixerLatencyNs)
    this.gst.setProperty(mixer, 'output-buffer-duration', mixBufferNs)
    // Known before any pad is requested (feed, input): its inputs are moved into its own time.
    this.epochs.set(mixer, gridStart(0n, this.runningTime(), startAheadNs))
    return mixer
  }

  /**
   * Starts a mixer (linked downstream) at its epoch, on the shared 20 ms grid: its own output
   * starts at its running time 0, which its src pad puts back at the epoch in the pipeline's time.
   */
  private startMixer(mixer: GstElement): void {
    const epoch = this.epochs.get(mixer) ?? 0n
    staticPadOf(mixer, 'src').setOffset(epoch)
    startOwnClock(this.gst, this.pipeline, mixer, epoch)
  }

  /** A new request pad on `mixer`, taking its input from the pipeline's time into the mixer's own. */
  private mixerInput(mixer: GstElement): GstPad {
    const pad = requestPadOf(mixer, 'sink_%u')
    pad.setOffset(-(this.epochs.get(mixer) ?? 0n))
    this.mixerPads++
    return pad
  }

  /** A tee pad (a new one unless given) into a new mixer pad. */
  private feed(tee: GstElement, mixer: GstElement, teePad: GstPad = requestPadOf(tee, 'src_%u')): Feed {
    const mixerPad = this.mixerInput(mixer)
    linkPads(teePad, mixerPad)
    return { tee, teePad, mixer, mixerPad }
  }

  /** A new tee pad into a static sink pad of `element` (recorded as the "mixer" of the feed for release order). */
  private feedPad(tee: GstElement, sink: GstPad, element: GstElement): Feed {
    const teePad = requestPadOf(tee, 'src_%u')
    linkPads(teePad, sink)
    return { tee, teePad, mixer: element, mixerPad: sink }
  }

  private input(src: GstPad, mixer: GstElement): Input {
    const mixerPad = this.mixerInput(mixer)
    linkPads(src, mixerPad)
    return { mixer, mixerPad }
  }

  private release(input: Input): void {
    input.mixer.releaseRequestPad(input.mixerPad)
    this.mixerPads--
  }

  private unfeed(feed: Feed): void {
    const isRequestPad = feed.mixerPad.name.startsWith('sink_')
    if (isRequestPad) this.release(feed)
    else feed.teePad.unlink(feed.mixerPad)
    feed.tee.releaseRequestPad(feed.teePad)
  }

  private add(element: GstElement): void {
    if (!this.pipeline.add(element)) throw new Error(`cannot add ${element.name} to the pipeline`)
    this.elements++
  }

  /** Upstream first: nothing pushes into an element that is being stopped. */
  private removeElements(elements: ReadonlyArray<GstElement>): void {
    for (const element of elements) {
      this.epochs.delete(element)
      element.setState(this.gst.State.NULL)
      this.pipeline.remove(element)
      this.elements--
    }
  }
}
