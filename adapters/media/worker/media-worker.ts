/**
 * The media worker process (spawned by the supervisor, never run by hand): GStreamer through
 * node-gtk, driven over the typed channel. A media crash ends this process only; the node's
 * signalling carries on and the supervisor starts another.
 *
 * Exit codes: 0 after the parent disconnects; 78 (EX_CONFIG) when GStreamer or node-gtk is
 * missing, so that the supervisor does not restart into the same failure forever.
 */
import * as E from 'fp-ts/lib/Either.js'
import pino from 'pino'
import { serveChannel } from '../channel/channel-server.js'
import { loadGstreamer } from '../gst/gstreamer.js'
import { MediaEngine } from '../gst/media-engine.js'
import { parseVideoFormat } from '../gst/video-layout.js'
import type { WorkerEvent } from './worker-protocol.js'
import { missingMediaStackExitCode, workerProtocol } from './worker-protocol.js'

const logger = pino(
  { name: 'parley-media', level: process.env['PARLEY_LOG_LEVEL'] ?? 'info', formatters: { level: (label) => ({ level: label }) } },
  pino.destination({ dest: 1, sync: true }),
)

const gst = loadGstreamer()
if (E.isLeft(gst)) {
  logger.fatal({ problem: gst.left }, 'the media stack is missing')
  process.exit(missingMediaStackExitCode)
}

const stopPump = gst.right.pumpMainContext(10)
// The engine reports events through the channel, which is opened with the engine's handlers.
let emit: (event: WorkerEvent) => void = () => undefined
// Composed screens' size and rate, `WIDTHxHEIGHT@FPS` (default 1280x720@30; tests use small ones).
const video = parseVideoFormat(process.env['PARLEY_MEDIA_VIDEO_FORMAT'])
const engine = new MediaEngine({ gst: gst.right, logger, emit: (event) => emit(event), ...(video === undefined ? {} : { video }) })
const server = serveChannel(
  workerProtocol,
  {
    configure: ({ bindHost, portMin, portMax }) => engine.configure(bindHost, portMin, portMax),
    allocatePorts: ({ leg, streams }) => engine.allocatePorts(leg, streams),
    attachLeg: (plan) => engine.attachLeg(plan),
    releaseLeg: ({ leg }) => engine.releaseLeg(leg),
    joinMix: ({ leg, conference }) => engine.joinMix(leg, conference),
    leaveMix: ({ leg, conference }) => engine.leaveMix(leg, conference),
    bridge: ({ a, b }) => engine.bridge(a, b),
    play: ({ leg, sound }) => engine.play(leg, sound),
    show: ({ leg, view }) => engine.show(leg, view),
    floor: ({ leg, granted }) => engine.floor(leg, granted),
    stats: () => E.right(engine.stats()),
  },
  {
    onDisconnect: () => {
      engine.shutdown()
      stopPump()
      process.exit(0)
    },
  },
)
emit = server.emit
server.emit({ _tag: 'Ready', gstreamer: gst.right.version, startMs: Math.round(process.uptime() * 1000) })
logger.info({ gstreamer: gst.right.version, pid: process.pid }, 'media worker ready')
