/**
 * GStreamer 1.22 through node-gtk (GObject introspection), typed as far as the worker uses it.
 * node-gtk ships no types for introspected libraries; this file is the one place that casts.
 *
 * node-gtk can run JavaScript only on the main thread: the worker never connects a handler to a
 * signal GStreamer emits on a streaming thread (pad probes, pad-added, appsink). It reads the
 * bus, whose watch runs on GLib's default main context. That context is iterated from a Node
 * timer (`pumpMainContext`) rather than by `GLib.MainLoop.run()`: under ES modules node-gtk starts
 * the blocking loop from inside a timer callback, and on Node 20 no other timer fires after that.
 */
import { createRequire } from 'node:module'
import * as E from 'fp-ts/lib/Either.js'

export type ClockTime = bigint

export interface GstObject {
  readonly name: string
  getParent(): GstObject | null
}

export interface GstPad extends GstObject {
  link(sink: GstPad): number
  unlink(sink: GstPad): boolean
  getPeer(): GstPad | null
  setOffset(offset: bigint): void
  isLinked(): boolean
}

export interface GstElement extends GstObject {
  setState(state: number): number
  getState(timeout: ClockTime): [number, number, number]
  syncStateWithParent(): boolean
  getStaticPad(name: string): GstPad | null
  requestPadSimple(template: string): GstPad | null
  releaseRequestPad(pad: GstPad): void
  link(dest: GstElement): boolean
  getClock(): { getTime(): ClockTime } | null
  getBaseTime(): ClockTime
}

export interface GstBin extends GstElement {
  add(element: GstElement): boolean
  remove(element: GstElement): boolean
  getByName(name: string): GstElement | null
  numchildren?: number
}

export interface GstStructure {
  getName(): string
  toString(): string
}

export interface GstMessage {
  readonly type: number
  readonly src: GstObject | null
  getStructure(): GstStructure | null
  parseError(): [{ message: string } | null, string | null]
  parseWarning(): [{ message: string } | null, string | null]
}

export interface GstBus {
  addSignalWatch(): void
  removeSignalWatch(): void
  on(signal: 'message', handler: (message: GstMessage) => void): void
}

export interface GstPipeline extends GstBin {
  getBus(): GstBus
}

export interface GSocket {
  bind(address: unknown, allowReuse: boolean): boolean
  close(): boolean
  /** The bound address (a socket bound to port 0 learns its port here). */
  getLocalAddress(): { getPort(): number }
}

export interface Gstreamer {
  readonly version: string
  readonly State: { readonly NULL: number; readonly READY: number; readonly PAUSED: number; readonly PLAYING: number }
  readonly MessageType: { readonly ERROR: number; readonly WARNING: number; readonly ELEMENT: number; readonly EOS: number }
  readonly newPipeline: (name: string) => GstPipeline
  readonly makeElement: (factory: string, name: string) => GstElement | null
  /** One element from a gst-launch description, for construct-only properties (`audiomixer force-live=true`). */
  readonly parseElement: (description: string) => GstElement
  /**
   * `gst_parse_bin_from_description`, with ghost pads `src` and `sink` on the named elements'
   * pads. (GStreamer's own ghosting of "unlinked pads" would take a pad that a delayed link to a
   * demuxer's sometimes pad is waiting for.)
   */
  readonly parseBin: (description: string, ghosts: { readonly src?: string; readonly sink?: string }) => GstBin
  /** A UDP socket bound to `host:port`, or the bind error. */
  readonly bindUdp: (host: string, port: number) => E.Either<string, GSocket>
  readonly caps: (description: string) => unknown
  /** Sets a GObject property (node-gtk maps `kebab-case` to camelCase). */
  readonly setProperty: (target: GstElement, name: string, value: unknown) => void
  /**
   * Sends an upstream force-key-unit event (GstVideo's `GstForceKeyUnit` custom event, all
   * headers) into `pad`; the encoder upstream makes its next frame a keyframe. False if refused.
   */
  readonly forceKeyUnit: (pad: GstPad) => boolean
  /** Runs GLib's default main context every `intervalMs` (bus watches); returns a stop function. */
  readonly pumpMainContext: (intervalMs: number) => () => void
}

interface NodeGtk {
  require(namespace: string, version?: string): unknown
}

/* eslint-disable @typescript-eslint/no-explicit-any -- the introspected namespaces are untyped; this is the boundary. */
const camel = (name: string): string => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())

/** Loads node-gtk and GStreamer; a Left says what is missing (the worker reports it and exits). */
export const loadGstreamer = (): E.Either<string, Gstreamer> => {
  let gi: NodeGtk
  try {
    gi = createRequire(import.meta.url)('node-gtk') as NodeGtk
  } catch (error) {
    return E.left(`node-gtk is not installed or not built (npm ci builds it; see scripts/install-deps.sh): ${error instanceof Error ? error.message : String(error)}`)
  }
  let Gst: any, GLib: any, Gio: any
  try {
    Gst = gi.require('Gst', '1.0')
    GLib = gi.require('GLib', '2.0')
    Gio = gi.require('Gio', '2.0')
    Gst.init(null)
  } catch (error) {
    return E.left(`GStreamer 1.0 introspection data is missing (gir1.2-gstreamer-1.0): ${error instanceof Error ? error.message : String(error)}`)
  }
  const missing = ['udpsrc', 'udpsink', 'rtpptdemux', 'rtpjitterbuffer', 'rtpdtmfdepay', 'capssetter', 'audiomixer', 'audioamplify', 'level', 'tee', 'wavparse', 'opusenc', 'avenc_g722', 'mulawenc', 'alawenc'].filter(
    (factory) => Gst.ElementFactory.find(factory) === null,
  )
  if (missing.length > 0) return E.left(`GStreamer elements missing: ${missing.join(', ')} (gstreamer1.0-plugins-{base,good,bad,ugly}, gstreamer1.0-libav)`)
  const version = (Gst.version() as number[]).slice(0, 3).join('.')
  return E.right({
    version,
    State: Gst.State,
    MessageType: Gst.MessageType,
    newPipeline: (name) => new Gst.Pipeline({ name }) as GstPipeline,
    makeElement: (factory, name) => Gst.ElementFactory.make(factory, name) as GstElement | null,
    parseElement: (description) => Gst.parseLaunch(description) as GstElement,
    caps: (description) => Gst.Caps.fromString(description),
    parseBin: (description, ghosts) => {
      const bin = Gst.parseBinFromDescription(description, false)
      for (const direction of ['src', 'sink'] as const) {
        const name = ghosts[direction]
        if (name === undefined) continue
        const target = bin.getByName(name)?.getStaticPad(direction)
        if (target === null || target === undefined) throw new Error(`no ${direction} pad on ${name} to ghost`)
        bin.addPad(Gst.GhostPad.new(direction, target))
      }
      return bin as GstBin
    },
    bindUdp: (host, port) => {
      const family = host.includes(':') ? Gio.SocketFamily.IPV6 : Gio.SocketFamily.IPV4
      try {
        const socket = Gio.Socket.new(family, Gio.SocketType.DATAGRAM, Gio.SocketProtocol.UDP) as GSocket
        socket.bind(Gio.InetSocketAddress.newFromString(host, port), false)
        return E.right(socket)
      } catch (error) {
        return E.left(error instanceof Error ? error.message : String(error))
      }
    },
    setProperty: (target, name, value) => {
      ;(target as unknown as Record<string, unknown>)[camel(name)] = value
    },
    forceKeyUnit: (pad) => {
      const structure = Gst.Structure.fromString('GstForceKeyUnit, all-headers=(boolean)true, count=(uint)0')
      // node-gtk returns [structure, end] for the out parameter of gst_structure_from_string.
      const event = Gst.Event.newCustom(Gst.EventType.CUSTOM_UPSTREAM, Array.isArray(structure) ? structure[0] : structure)
      return (pad as unknown as { sendEvent(event: unknown): boolean }).sendEvent(event)
    },
    pumpMainContext: (intervalMs) => {
      const context = GLib.MainContext.default()
      const timer = setInterval(() => {
        // Bounded, so that a flood of bus messages cannot keep the channel from being read.
        for (let i = 0; i < 200 && context.iteration(false) === true; i++);
      }, intervalMs)
      return () => clearInterval(timer)
    },
  })
}
/* eslint-enable @typescript-eslint/no-explicit-any */
