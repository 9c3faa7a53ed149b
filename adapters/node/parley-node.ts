/**
 * The running node: starts what listens (HTTP, then SIP when a SIP adapter is bound), logs the
 * single `ready` line of DESIGN §6 with the ports actually bound, and stops everything it
 * started, in reverse order.
 */
import { isIPv6 } from 'node:net'
import { inject, injectable, optional } from 'inversify'
import type { HttpServer } from '../http/http-server.js'
import type { LoadedConfig } from './config-source.js'
import { describeOrigin } from './config-source.js'
import type { Environment } from './env.js'
import type { Logger } from './logger.js'
import type { NodeListening, SipPorts, SipService } from './sip-service.js'
import * as Token from './tokens.js'
import type { Versions } from './versions.js'

/** An IPv6 address goes in brackets in a URL (RFC 3986 §3.2.2). */
const urlHost = (host: string): string => (isIPv6(host) ? `[${host}]` : host)

export interface ReadyReport {
  /** Absent when no SIP adapter is bound. */
  readonly sip: SipPorts | undefined
  readonly http: number
}

@injectable('Singleton')
export class ParleyNode {
  private running: { readonly sip: SipService | undefined; readonly http: HttpServer } | undefined
  private stopping: Promise<void> | undefined

  constructor(
    @inject(Token.Environment) private readonly env: Environment,
    @inject(Token.Logger) private readonly logger: Logger,
    @inject(Token.Versions) private readonly versions: Versions,
    @inject(Token.LoadedConfig) private readonly config: LoadedConfig,
    @inject(Token.HttpServer) private readonly http: HttpServer,
    @inject(Token.SipService) @optional() private readonly sip: SipService | undefined,
  ) {}

  /** Resolves once everything listens; rejects (having closed what it opened) otherwise. */
  async start(): Promise<ReadyReport> {
    if (this.running !== undefined) throw new Error('ParleyNode started twice')
    const { env, logger } = this
    const http = await this.http.listen(env.httpBind, env.httpPort)
    const listening: NodeListening = { http, avatarBaseUrl: `http://${urlHost(env.publicHost)}:${http}` }
    let sip: SipPorts | undefined
    try {
      sip = this.sip === undefined ? undefined : await this.sip.start(listening)
    } catch (e) {
      await this.http.close()
      throw e
    }
    this.running = { sip: this.sip, http: this.http }
    if (sip === undefined) logger.warn('SIP is not started: no SIP adapter is bound in this assembly')
    logger.info(
      {
        sip: sip === undefined ? null : { udp: sip.udp, tcp: sip.tcp, tls: sip.tls },
        http,
        bind: env.sipBind,
        httpBind: env.httpBind,
        publicHost: env.publicHost,
        dataDir: env.dataDir,
        config: describeOrigin(this.config.origin),
        conferences: this.config.config.vmrs.length,
        rules: this.config.config.rules.length,
        version: this.versions.parley,
      },
      'ready',
    )
    return { sip, http }
  }

  /** Idempotent: a second call waits for the first. */
  stop(): Promise<void> {
    this.stopping ??= this.stopNow()
    return this.stopping
  }

  private async stopNow(): Promise<void> {
    const running = this.running
    if (running === undefined) return
    this.logger.info('stopping')
    try {
      await running.sip?.stop()
    } catch (e) {
      this.logger.error({ err: e }, 'SIP did not stop cleanly')
    }
    await running.http.close()
    this.running = undefined
    this.logger.info('stopped')
  }
}
