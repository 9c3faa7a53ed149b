/**
 * Injection tokens of the composition root (CONVENTIONS 8): one Symbol per interface, named like
 * it. Import as a namespace (`import * as Token from './tokens.js'`) so a token and the type it
 * stands for never clash: `@inject(Token.Logger) logger: Logger`.
 */
export const Environment = Symbol('Environment')
export const Logger = Symbol('Logger')
export const Versions = Symbol('Versions')
/** The configuration store (adapters/store/), opened by serve before anything is bound. */
export const ConfigStore = Symbol('ConfigStore')
/** The configuration the core starts with (the store's, as it is when SIP starts). */
export const CompiledConfig = Symbol('CompiledConfig')
export const PatternEngine = Symbol('PatternEngine')
export const TlsCredentials = Symbol('TlsCredentials')
/** An `Image`: the product logo served at /avatar/default.png. */
export const ProductLogo = Symbol('ProductLogo')
export const AvatarLookup = Symbol('AvatarLookup')
export const HttpServer = Symbol('HttpServer')
export const SipService = Symbol('SipService')
export const Clock = Symbol('Clock')
export const Ids = Symbol('Ids')
export const Signalling = Symbol('Signalling')
/** live: a `NodeMediaFactory` (PARLEY_MEDIA), started by SIP with the RTP range; sim: the recording `FakeMedia`. */
export const Media = Symbol('Media')
export const PresenceDelivery = Symbol('PresenceDelivery')
export const ParleyNode = Symbol('ParleyNode')
/** A `LiveCore`: the running runtime and media snapshot, for status, dashboard and metrics. */
export const LiveCore = Symbol('LiveCore')
/** A `ChangeHub`: "the core's state changed", for the dashboard's event streams. */
export const LiveChanges = Symbol('LiveChanges')
/** The PrometheusMetrics registry, also the NodeMetricsSink the runtime and SIP count into. */
export const Metrics = Symbol('Metrics')
