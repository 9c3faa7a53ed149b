/**
 * Injection tokens of the composition root (CONVENTIONS 8): one Symbol per interface, named like
 * it. Import as a namespace (`import * as Token from './tokens.js'`) so a token and the type it
 * stands for never clash: `@inject(Token.Logger) logger: Logger`.
 */
export const Environment = Symbol('Environment')
export const Logger = Symbol('Logger')
export const Versions = Symbol('Versions')
/** The configuration the node started with: where it came from, the file, decoded, compiled. */
export const LoadedConfig = Symbol('LoadedConfig')
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
export const Media = Symbol('Media')
export const PresenceDelivery = Symbol('PresenceDelivery')
export const ParleyNode = Symbol('ParleyNode')
