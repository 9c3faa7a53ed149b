/**
 * The worker's video, in the media engine's pipeline (media-engine.ts owns the pipeline, the
 * legs' ports and the bus; this owns every video element).
 *
 * Per leg: its camera (H.264 RTP in, decoded to I420, into a `tee`) when Parley receives video,
 * and its RTP out (payloader and `udpsink`) when Parley sends video.
 *
 * Per screen: what a viewer sees (video-layout.ts `screenFor`: a composed layout, self-view, a
 * splash screen, content) is built once per distinct screen key and encoded once, and every
 * viewer whose view gives that key takes the encoded stream from the screen's `tee` (issue 6:
 * one encode per distinct layout). A screen is built when its first viewer arrives and removed
 * with its last one. A view change moves the viewer to another screen; a camera that appears or
 * goes rebuilds the tiles that show it (a participant without video is black with the name).
 *
 * Content (BFCP, RFC 8855/8856): a room system's second video stream (`a=content:slides`) is
 * received and decoded like a camera, into a tee of its own. A Content view shows the content of
 * the floor holder the media engine names for the viewer (`contentOf`) as the main picture, the
 * active speaker small over it (DESIGN §2); a floor change re-applies every Content view. A leg
 * whose content stream Parley sends on (a room system's content line answered sendrecv or
 * sendonly, an SfB VbSS viewer) gets the floor holder's content alone on it, one encode shared by
 * every such receiver; nothing while there is none or the leg presents itself. An SRTP or ICE
 * content stream runs behind its ports' shim like the camera's (media-engine.ts keys its source).
 * Received content passes a valve that is open only while its leg holds the floor (`holdsFloor`):
 * RFC 8855 §1 (RFC 4582) has the floor control the stream, so what a room system sends without a
 * grant is read off its socket and dropped, neither decoded (no CPU) nor shown.
 *
 * Unlinking follows media-engine.ts: an aggregator's request pad is released first, then the tee
 * pad that fed it; an element leaves the pipeline only after everything pushing into it has stopped.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Logger } from 'pino'
import type { VideoStreamPlan, WireView } from '../worker/worker-protocol.js'
import type { GSocket, GstBin, GstElement, GstPad, GstPipeline, Gstreamer } from './gstreamer.js'
import { elementByName, linkPads, makeElement, requestPadOf, staticPadOf } from './graph-helpers.js'
import { pipelineRunningTime, startOwnClock } from './own-clock.js'
import {
  cameraDescription,
  compositorDescription,
  encodeDescription,
  placeholderTileDescription,
  rtcpElementNames,
  rtcpOnOwnSocket,
  rtcpStreamDescription,
  screenNames,
  tileDescription,
  tileNames,
  videoElementNames,
  videoReceives,
  videoRtcpRuns,
  videoSendDescription,
  videoSends,
} from './video-description.js'
import type { Screen, Tile, VideoFormat } from './video-layout.js'
import { screenFor } from './video-layout.js'

/*
 * A screen's compositor runs on a clock base of its own, "now" (own-clock.ts: 1.22's aggregators
 * would first produce every frame since the pipeline started), its tiles' timestamps moved by the
 * same amount (a pad offset) and its output back. Measured: a compositor added 3 s into a
 * pipeline sent 30 extra frames at once without this, none with it.
 */

interface Camera {
  readonly bin: GstBin
  readonly tee: GstElement
  /** A content decoder's valve, open while its leg holds the floor. */
  readonly gate?: { readonly valve: GstElement; open: boolean }
}

interface TeeFeed {
  readonly tee: GstElement
  readonly teePad: GstPad
}

interface VideoLeg {
  readonly id: string
  readonly handle: string
  name: string
  camera?: Camera
  /** The leg's decoded content stream (its second video m-line, BFCP slides). */
  content?: Camera
  /** Parley's content stream out to the leg, and the screen it is sent (the floor holder's content alone). */
  contentSend?: { readonly bin: GstBin }
  contentWatching?: { readonly key: string; readonly feed: TeeFeed }
  send?: { readonly bin: GstBin }
  view?: WireView
  /** The screen this leg is sent, and the tee pad it is sent from. */
  watching?: { readonly key: string; readonly feed: TeeFeed }
}

/**
 * A content decoder's description with a closed valve before its jitter buffer: after the SRTP
 * stage, whose rollover counter must see every packet (RFC 3711 §3.3.1), and before everything
 * that costs CPU. The socket is still read, so a grant starts from packets sent after it.
 */
const withFloorGate = (description: string, valve: string): string => {
  const stages = description.split(' ! ')
  const at = stages.findIndex((stage) => stage.startsWith('rtpjitterbuffer'))
  if (at < 0) throw new Error('a camera description without a jitter buffer')
  return [...stages.slice(0, at), `valve name=${valve} drop=true`, ...stages.slice(at)].join(' ! ')
}

/** A leg's content stream out as a screen's viewer, beside the leg's main picture (which may be the same screen). */
const contentViewer = (leg: string): string => `${leg}#content`

interface BuiltTile {
  readonly tile: Tile
  readonly chain: GstBin
  readonly compositorPad: GstPad
  readonly feed?: TeeFeed
}

interface BuiltScreen {
  readonly screen: Screen
  readonly id: string
  readonly compositor: GstElement
  /** The pipeline running time at which the compositor's own running time is 0. */
  readonly epoch: bigint
  readonly encode: GstBin
  readonly tee: GstElement
  tiles: BuiltTile[]
  readonly viewers: Set<string>
}

export interface VideoEngineOptions {
  readonly gst: Gstreamer
  readonly pipeline: GstPipeline
  readonly logger: Logger
  readonly format: VideoFormat
  /** The leg whose content stream `viewer`'s Content view shows (the floor holder of its conference), if any. */
  readonly contentOf?: (viewer: string) => string | undefined
  /** Whether the leg holds its conference's content floor (absent: all received content is decoded). */
  readonly holdsFloor?: (leg: string) => boolean
}

export interface VideoStats {
  readonly screens: number
  readonly elements: number
}

/**
 * How far in the past a running camera's frames may be stamped when a new screen takes them (see
 * buildScreen): measured under 100 ms (no abort in 14 runs at a load average of 12 with 100 ms).
 */
const cameraLatencyMarginNs = 500_000_000n

const maxBigint = (a: bigint, b: bigint): bigint => (a > b ? a : b)

export class VideoEngine {
  private readonly gst: Gstreamer
  private readonly pipeline: GstPipeline
  private readonly logger: Logger
  private readonly format: VideoFormat
  private readonly contentOf: (viewer: string) => string | undefined
  private readonly holdsFloor: (leg: string) => boolean
  private readonly legs = new Map<string, VideoLeg>()
  private readonly screens = new Map<string, BuiltScreen>()
  private serial = 0
  private elementCount = 0

  constructor(options: VideoEngineOptions) {
    this.gst = options.gst
    this.pipeline = options.pipeline
    this.logger = options.logger
    this.format = options.format
    this.contentOf = options.contentOf ?? (() => undefined)
    this.holdsFloor = options.holdsFloor ?? (() => true)
  }

  /**
   * Starts (or replaces) the leg's video as negotiated; `plan` undefined = no video stream. For
   * an SRTP or ICE leg, `socket` and the plan's remote are its port shim's (srtp-ice-legs.ts) and
   * `port` the public one; the caller keys the camera's source (`cameraSource`).
   */
  attach(
    legId: string,
    handle: string,
    plan: VideoStreamPlan | undefined,
    socket: GSocket | undefined,
    port: number | undefined,
    displayName: string | undefined,
    rtcpSocket?: GSocket,
  ): E.Either<string, void> {
    if (plan !== undefined && socket === undefined) return E.left(`leg ${legId} has no video port (allocatePorts with video first)`)
    if (plan?.localPort !== undefined && plan.localPort !== port) return E.left(`leg ${legId}: the answer says video port ${plan.localPort}, the worker holds ${port} for it`)
    const leg = this.legOf(legId, handle)
    if (displayName !== undefined) leg.name = displayName
    const hadCamera = leg.camera !== undefined
    this.stopWatching(leg)
    this.removeStreams(leg)
    if (plan !== undefined && socket !== undefined) {
      try {
        this.buildStreams(leg, plan, socket, rtcpSocket)
      } catch (error) {
        this.removeStreams(leg)
        return E.left(`leg ${legId} video: ${error instanceof Error ? error.message : String(error)}`)
      }
    }
    if (hadCamera || leg.camera !== undefined) this.rebuildTilesOf(leg.id)
    this.applyView(leg)
    return E.right(undefined)
  }

  /**
   * Starts (or replaces) the leg's content stream; `plan` undefined = none. Received content is
   * decoded (the tiles showing it are rebuilt on it); content Parley sends carries the floor
   * holder's. For an SRTP or ICE leg, `socket` and the plan's remote are its content port shim's
   * and the caller keys the decoder's source (`contentSource`), as for the camera.
   */
  attachContent(legId: string, handle: string, plan: VideoStreamPlan | undefined, socket: GSocket | undefined, port: number | undefined, rtcpSocket?: GSocket): E.Either<string, void> {
    if (plan !== undefined && socket === undefined) return E.left(`leg ${legId} has no content port (allocatePorts with content first)`)
    if (plan?.localPort !== undefined && plan.localPort !== port) return E.left(`leg ${legId}: the answer says content port ${plan.localPort}, the worker holds ${port} for it`)
    const leg = this.legOf(legId, handle)
    const hadContent = leg.content !== undefined
    this.removeContent(leg)
    if (plan !== undefined && socket !== undefined) {
      try {
        const withRtcp = videoRtcpRuns(plan) ? this.buildRtcpStream(`c${leg.handle}`, plan, socket, rtcpSocket, true) : undefined
        if (withRtcp?.camera !== undefined) leg.content = withRtcp.camera
        else if (withRtcp === undefined && videoReceives(plan)) leg.content = this.buildDecoder(`c${leg.handle}`, plan, socket, true)
        this.gateContent(leg)
        if (withRtcp?.send !== undefined) leg.contentSend = withRtcp.send
        else if (withRtcp === undefined && videoSends(plan)) leg.contentSend = { bin: this.buildSend(`c${leg.handle}`, plan, socket) }
      } catch (error) {
        this.removeContent(leg)
        return E.left(`leg ${legId} content: ${error instanceof Error ? error.message : String(error)}`)
      }
    }
    if (hadContent || leg.content !== undefined) {
      this.rebuildTilesOf(leg.id)
      return this.refreshContentViews()
    }
    try {
      this.applyContentOut(leg)
    } catch (error) {
      return E.left(`leg ${legId} content out: ${error instanceof Error ? error.message : String(error)}`)
    }
    return E.right(undefined)
  }

  /** Every Content view again: the floor moved (each content valve follows it), or a presenter's content stream came or went. */
  refreshContentViews(): E.Either<string, void> {
    for (const leg of this.legs.values()) {
      try {
        this.gateContent(leg)
        if (leg.view?._tag === 'Content') this.applyView(leg)
        this.applyContentOut(leg)
      } catch (error) {
        return E.left(`leg ${leg.id} content view: ${error instanceof Error ? error.message : String(error)}`)
      }
    }
    return E.right(undefined)
  }

  show(legId: string, handle: string, view: WireView): E.Either<string, void> {
    const leg = this.legOf(legId, handle)
    leg.view = view
    try {
      this.applyView(leg)
    } catch (error) {
      return E.left(`leg ${legId} view ${view._tag}: ${error instanceof Error ? error.message : String(error)}`)
    }
    return E.right(undefined)
  }

  release(legId: string): void {
    const leg = this.legs.get(legId)
    if (leg === undefined) return
    this.stopWatching(leg)
    const hadCamera = leg.camera !== undefined || leg.content !== undefined
    this.removeStreams(leg)
    this.removeContent(leg)
    this.legs.delete(legId)
    // Tiles that showed the leg's camera show its name on black until the next view change.
    if (hadCamera) this.rebuildTilesOf(legId)
    // Its content gone, Content views show the presenter's name instead.
    const refreshed = hadCamera ? this.refreshContentViews() : E.right(undefined)
    if (E.isLeft(refreshed)) this.logger.warn({ leg: legId, reason: refreshed.left }, 'content views not refreshed')
  }

  /** The `udpsrc` of the leg's camera (absent when it receives no video). */
  cameraSource(legId: string): GstElement | undefined {
    const leg = this.legs.get(legId)
    return leg?.camera === undefined ? undefined : (leg.camera.bin.getByName(videoElementNames(leg.handle).source) ?? undefined)
  }

  /** The `udpsrc` of the leg's received content stream (absent when it receives none). */
  contentSource(legId: string): GstElement | undefined {
    const leg = this.legs.get(legId)
    return leg?.content === undefined ? undefined : (leg.content.bin.getByName(videoElementNames(`c${leg.handle}`).source) ?? undefined)
  }

  stats(): VideoStats {
    return { screens: this.screens.size, elements: this.elementCount }
  }

  // ---- legs -----------------------------------------------------------------------------------

  private legOf(id: string, handle: string): VideoLeg {
    const known = this.legs.get(id)
    if (known !== undefined) return known
    const leg: VideoLeg = { id, handle, name: '' }
    this.legs.set(id, leg)
    return leg
  }

  private buildStreams(leg: VideoLeg, plan: VideoStreamPlan, socket: GSocket, rtcpSocket: GSocket | undefined): void {
    if (videoRtcpRuns(plan)) {
      const built = this.buildRtcpStream(leg.handle, plan, socket, rtcpSocket, false)
      if (built?.send !== undefined) leg.send = built.send
      if (built?.camera !== undefined) leg.camera = built.camera
      return
    }
    if (videoSends(plan)) leg.send = { bin: this.buildSend(leg.handle, plan, socket) }
    if (videoReceives(plan)) leg.camera = this.buildDecoder(leg.handle, plan, socket)
  }

  /** An encoded screen's way out as H.264 RTP on `socket` (the main video, or content under its own handle). */
  private buildSend(handle: string, plan: VideoStreamPlan, socket: GSocket): GstBin {
    const names = videoElementNames(handle)
    const bin = this.gst.parseBin(videoSendDescription(plan, handle), { sink: names.sendInput })
    this.gst.setProperty(bin, 'name', `vtx-${handle}`)
    this.gst.setProperty(elementByName(bin, names.sink), 'socket', socket)
    this.add(bin)
    bin.syncStateWithParent()
    return bin
  }

  /** H.264 RTP on `socket` decoded into a tee (a camera, or a content stream under its own handle, `gated` by the floor). */
  private buildDecoder(handle: string, plan: VideoStreamPlan, socket: GSocket, gated = false): Camera {
    const names = videoElementNames(handle)
    const valve = `vgate-${handle}`
    const description = gated ? withFloorGate(cameraDescription(plan, handle), valve) : cameraDescription(plan, handle)
    const bin = this.gst.parseBin(description, { src: names.cameraOut })
    this.gst.setProperty(bin, 'name', `vrx-${handle}`)
    this.gst.setProperty(elementByName(bin, names.source), 'socket', socket)
    const tee = makeElement(this.gst, 'tee', `vtee-${handle}`, { 'allow-not-linked': true })
    this.add(bin)
    this.add(tee)
    linkPads(staticPadOf(bin, 'src'), staticPadOf(tee, 'sink'))
    tee.syncStateWithParent()
    bin.syncStateWithParent()
    return gated ? { bin, tee, gate: { valve: elementByName(bin, valve), open: false } } : { bin, tee }
  }

  /**
   * A stream with RTCP (video-description.ts `rtcpStreamDescription`): one bin for both
   * directions around the stream's `rtpsession`; the leg's camera (or content) and its way out
   * share it. Nothing when the stream neither sends nor receives. Without mux the RTCP source
   * and sink use the leg's RTCP socket (the port above the RTP one, RFC 3550 §11).
   */
  private buildRtcpStream(
    handle: string,
    plan: VideoStreamPlan & { readonly rtcp: NonNullable<VideoStreamPlan['rtcp']> },
    socket: GSocket,
    rtcpSocket: GSocket | undefined,
    gated: boolean,
  ): { readonly camera?: Camera; readonly send?: { readonly bin: GstBin } } | undefined {
    const receives = videoReceives(plan)
    const sends = videoSends(plan)
    if (!receives && !sends) return undefined
    const ownSocket = rtcpOnOwnSocket(plan)
    if (ownSocket && rtcpSocket === undefined) throw new Error('RTCP without mux, or SRTCP, needs the leg\'s RTCP socket')
    const names = videoElementNames(handle)
    const rtcp = rtcpElementNames(handle)
    const valve = `vgate-${handle}`
    const description = gated && receives ? withFloorGate(rtcpStreamDescription(plan, handle), valve) : rtcpStreamDescription(plan, handle)
    const bin = this.gst.parseBin(description, { ...(receives ? { src: names.cameraOut } : {}), ...(sends ? { sink: names.sendInput } : {}) })
    this.gst.setProperty(bin, 'name', `vrtcp-${handle}`)
    this.gst.setProperty(elementByName(bin, names.source), 'socket', socket)
    if (sends) this.gst.setProperty(elementByName(bin, names.sink), 'socket', socket)
    const rtcpOut = ownSocket ? rtcpSocket : socket
    this.gst.setProperty(elementByName(bin, rtcp.rtcpSink), 'socket', rtcpOut)
    if (ownSocket) this.gst.setProperty(elementByName(bin, rtcp.rtcpSource), 'socket', rtcpSocket)
    this.add(bin)
    if (!receives) {
      bin.syncStateWithParent()
      return { send: { bin } }
    }
    const tee = makeElement(this.gst, 'tee', `vtee-${handle}`, { 'allow-not-linked': true })
    this.add(tee)
    linkPads(staticPadOf(bin, 'src'), staticPadOf(tee, 'sink'))
    tee.syncStateWithParent()
    bin.syncStateWithParent()
    const camera: Camera = gated ? { bin, tee, gate: { valve: elementByName(bin, valve), open: false } } : { bin, tee }
    return sends ? { camera, send: { bin } } : { camera }
  }

  /** Opens the leg's content valve while it holds the floor and closes it otherwise. */
  private gateContent(leg: VideoLeg): void {
    const gate = leg.content?.gate
    if (gate === undefined) return
    const open = this.holdsFloor(leg.id)
    if (gate.open === open) return
    this.gst.setProperty(gate.valve, 'drop', !open)
    gate.open = open
    this.logger.info({ leg: leg.id }, open ? 'content decoded: the leg holds the floor' : 'content dropped undecoded: the leg does not hold the floor')
  }

  private removeContent(leg: VideoLeg): void {
    this.stopWatchingContent(leg)
    if (leg.contentSend !== undefined) {
      this.removeElements([leg.contentSend.bin])
      delete leg.contentSend
    }
    if (leg.content === undefined) return
    this.removeDecoder(leg.content)
    delete leg.content
  }

  /** Tiles fed by the decoder let go of its tee first (rebuilt by the caller), then it goes. */
  private removeDecoder(decoder: Camera): void {
    for (const screen of this.screens.values()) for (const built of screen.tiles) if (built.feed?.tee === decoder.tee) this.unfeed(built.feed)
    this.removeElements([decoder.bin, decoder.tee])
  }

  private removeStreams(leg: VideoLeg): void {
    if (leg.camera !== undefined) {
      this.removeDecoder(leg.camera)
      delete leg.camera
    }
    if (leg.send !== undefined) {
      this.removeElements([leg.send.bin])
      delete leg.send
    }
  }

  // ---- viewers --------------------------------------------------------------------------------

  /** Sends the leg the screen its view gives it, or nothing (no video stream, NoVideo, no view yet). */
  private applyView(leg: VideoLeg): void {
    const send = leg.send
    const content = leg.view?._tag === 'Content' ? this.contentOf(leg.id) : undefined
    const shown = content !== undefined && this.legs.get(content)?.content !== undefined ? content : undefined
    const wanted = send === undefined || leg.view === undefined ? undefined : screenFor(leg.view, leg.id, this.format, shown)
    if (wanted?.key === leg.watching?.key) return
    this.stopWatching(leg)
    if (send === undefined || wanted === undefined) return
    const screen = this.screens.get(wanted.key) ?? this.buildScreen(wanted)
    const teePad = requestPadOf(screen.tee, 'src_%u')
    linkPads(teePad, staticPadOf(send.bin, 'sink'))
    // A viewer joining a running encode gets a keyframe now, not at the next periodic one (up to
    // key-int-max, a second, later): it can decode nothing before one. The event goes up through
    // the tee to the screen's x264enc; a new screen's encoder starts with a keyframe anyway.
    if (screen.viewers.size > 0 && !this.gst.forceKeyUnit(teePad)) this.logger.debug({ leg: leg.id, screen: wanted.key }, 'force-key-unit refused')
    screen.viewers.add(leg.id)
    leg.watching = { key: wanted.key, feed: { tee: screen.tee, teePad } }
    this.logger.debug({ leg: leg.id, screen: wanted.key, viewers: screen.viewers.size }, 'leg watches a screen')
  }

  /**
   * Sends the leg's content stream the floor holder's content alone (no speaker, no name: the
   * receiver shows it as content beside its main picture), or nothing: no content stream out, no
   * floor holder with decoded content, or the leg presents itself. Its screen is shared with every
   * other such receiver of that content; the viewer key keeps it apart from the leg's main picture.
   */
  private applyContentOut(leg: VideoLeg): void {
    const send = leg.contentSend
    const holder = send === undefined ? undefined : this.contentOf(leg.id)
    const shown = holder !== undefined && holder !== leg.id && this.legs.get(holder)?.content !== undefined ? holder : undefined
    const wanted = shown === undefined ? undefined : screenFor({ _tag: 'Content', presenter: '' }, leg.id, this.format, shown)
    if (wanted?.key === leg.contentWatching?.key) return
    this.stopWatchingContent(leg)
    if (send === undefined || wanted === undefined) return
    const screen = this.screens.get(wanted.key) ?? this.buildScreen(wanted)
    const teePad = requestPadOf(screen.tee, 'src_%u')
    linkPads(teePad, staticPadOf(send.bin, 'sink'))
    if (screen.viewers.size > 0 && !this.gst.forceKeyUnit(teePad)) this.logger.debug({ leg: leg.id, screen: wanted.key }, 'force-key-unit refused')
    screen.viewers.add(contentViewer(leg.id))
    leg.contentWatching = { key: wanted.key, feed: { tee: screen.tee, teePad } }
    this.logger.debug({ leg: leg.id, screen: wanted.key, viewers: screen.viewers.size }, 'leg receives content')
  }

  private stopWatchingContent(leg: VideoLeg): void {
    const watching = leg.contentWatching
    if (watching === undefined) return
    this.unfeed(watching.feed)
    delete leg.contentWatching
    const screen = this.screens.get(watching.key)
    if (screen === undefined) return
    screen.viewers.delete(contentViewer(leg.id))
    if (screen.viewers.size === 0) this.removeScreen(screen)
  }

  private stopWatching(leg: VideoLeg): void {
    const watching = leg.watching
    if (watching === undefined) return
    this.unfeed(watching.feed)
    delete leg.watching
    const screen = this.screens.get(watching.key)
    if (screen === undefined) return
    screen.viewers.delete(leg.id)
    if (screen.viewers.size === 0) this.removeScreen(screen)
  }

  // ---- screens --------------------------------------------------------------------------------

  private buildScreen(screen: Screen): BuiltScreen {
    const id = `s${++this.serial}`
    const names = screenNames(id)
    const compositor = this.gst.parseElement(compositorDescription(id))
    const encode = this.gst.parseBin(encodeDescription(this.format, id, screen.text !== undefined), { sink: names.input, src: names.output })
    this.gst.setProperty(encode, 'name', `encode-${id}`)
    if (screen.text !== undefined) this.gst.setProperty(elementByName(encode, names.text), 'text', screen.text)
    const tee = makeElement(this.gst, 'tee', names.tee, { 'allow-not-linked': true })
    this.add(compositor)
    this.add(encode)
    this.add(tee)
    linkPads(staticPadOf(compositor, 'src'), staticPadOf(encode, 'sink'))
    linkPads(staticPadOf(encode, 'src'), staticPadOf(tee, 'sink'))
    tee.syncStateWithParent()
    encode.syncStateWithParent()
    // The compositor's running time 0 is put half a second back, not now: a camera already decoding
    // pushes frames stamped up to its latency (jitter buffer, decoder threads) in the past, and
    // GStreamer 1.22's videoaggregator aborts the worker, every call with it, on an input whose
    // running time falls before its own start (g_assert in gst_video_aggregator_fill_queues).
    // The price: that half second of the new screen is composed at once as it starts, and a viewer
    // moving to it sees the RTP timestamps step back by as much (video-engine.spec.ts bounds it).
    const epoch = startOwnClock(this.gst, this.pipeline, compositor, maxBigint(0n, pipelineRunningTime(this.pipeline) - cameraLatencyMarginNs))
    // Back to the pipeline's running time downstream: RTP timestamps (rtpbasepayload derives them
    // from it) run on when a viewer moves to another screen, rather than jump back to its start.
    staticPadOf(compositor, 'src').setOffset(epoch)
    const built: BuiltScreen = { screen, id, compositor, epoch, encode, tee, tiles: [], viewers: new Set() }
    built.tiles = screen.tiles.map((tile) => this.buildTile(built, tile))
    this.screens.set(screen.key, built)
    this.logger.debug({ screen: screen.key, tiles: screen.tiles.length }, 'screen composed')
    return built
  }

  private removeScreen(screen: BuiltScreen): void {
    for (const tile of screen.tiles) this.removeTile(screen, tile)
    screen.tiles = []
    this.removeElements([screen.compositor, screen.encode, screen.tee])
    this.screens.delete(screen.screen.key)
    this.logger.debug({ screen: screen.screen.key }, 'screen removed')
  }

  private buildTile(screen: BuiltScreen, tile: Tile): BuiltTile {
    const id = `${screen.id}t${++this.serial}`
    const names = tileNames(id)
    const shown = this.legs.get(tile.leg)
    const camera = tile.stream === 'content' ? shown?.content : shown?.camera
    const description = camera === undefined ? placeholderTileDescription(tile, id, this.format.fps) : tileDescription(tile, id)
    const chain = this.gst.parseBin(description, camera === undefined ? { src: names.label } : { sink: names.input, src: names.label })
    this.gst.setProperty(chain, 'name', `tile-${id}`)
    this.gst.setProperty(elementByName(chain, names.label), 'text', tile.label ?? shown?.name ?? '')
    this.add(chain)
    // Into the compositor's own running time (own-clock.ts).
    staticPadOf(chain, 'src').setOffset(-screen.epoch)
    const compositorPad = requestPadOf(screen.compositor, 'sink_%u')
    this.gst.setProperty(compositorPad as unknown as GstElement, 'xpos', tile.x)
    this.gst.setProperty(compositorPad as unknown as GstElement, 'ypos', tile.y)
    linkPads(staticPadOf(chain, 'src'), compositorPad)
    chain.syncStateWithParent()
    if (camera === undefined) return { tile, chain, compositorPad }
    const teePad = requestPadOf(camera.tee, 'src_%u')
    linkPads(teePad, staticPadOf(chain, 'sink'))
    return { tile, chain, compositorPad, feed: { tee: camera.tee, teePad } }
  }

  private removeTile(screen: BuiltScreen, built: BuiltTile): void {
    screen.compositor.releaseRequestPad(built.compositorPad)
    if (built.feed !== undefined && built.feed.teePad.getParent() !== null) this.unfeed(built.feed)
    this.removeElements([built.chain])
  }

  /** Every tile showing `legId` again, from its camera now (or the placeholder). */
  private rebuildTilesOf(legId: string): void {
    for (const screen of this.screens.values()) {
      screen.tiles = screen.tiles.map((built) => {
        if (built.tile.leg !== legId) return built
        this.removeTile(screen, built)
        return this.buildTile(screen, built.tile)
      })
    }
  }

  // ---- graph helpers (the shared ones are in graph-helpers.ts) ------------------------------

  private unfeed(feed: TeeFeed): void {
    feed.tee.releaseRequestPad(feed.teePad)
  }

  private add(element: GstElement): void {
    if (!this.pipeline.add(element)) throw new Error(`cannot add ${element.name} to the pipeline`)
    this.elementCount++
  }

  private removeElements(elements: ReadonlyArray<GstElement>): void {
    for (const element of elements) {
      // A stream with RTCP is one bin for its camera and its way out: it goes once.
      if (element.getParent() === null) continue
      element.setState(this.gst.State.NULL)
      this.pipeline.remove(element)
      this.elementCount--
    }
  }
}
