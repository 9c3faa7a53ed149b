/**
 * The running node: starts what listens (HTTP, then SIP when a SIP adapter is bound), logs the
 * single `ready` line of DESIGN §6 with the ports actually bound, and stops everything it
 * started, in reverse order.
 *
 * Configuration changes apply live (DESIGN §4): every commit to the store — through the API, or
 * by `parley config import` from another process, picked up by polling the store — reaches the
 * running core as a ConfigChanged input, and the core notifies the presence watchers whose
 * document changed. The dashboard hears of every change of the core's state.
 */
import { isIPv6 } from 'node:net'
import { inject, injectable, optional } from 'inversify'
import type { HttpServer } from '../http/http-server.js'
import type { ConfigStore } from '../store/config-store.js'
import type { Environment } from './env.js'
import type { ChangeHub, LiveCore } from './live-core.js'
import type { Logger } from './logger.js'
import type { NodeListening, SipPorts, SipService } from './sip-service.js'
import * as Token from './tokens.js'
import type { Versions } from './versions.js'

/** An IPv6 address goes in brackets in a URL (RFC 3986 §3.2.2). */
const urlHost = (host: string): string => (isIPv6(host) ? `[${host}]` : host)

/** How often the store is checked for commits made by another process (`parley config import`). */
export const externalChangePollMs = 1_000

export interface ReadyReport {
  /** Absent when no SIP adapter is bound. */
  readonly sip: SipPorts | undefined
  readonly http: number
}

@injectable('Singleton')
export class ParleyNode {
  private running: { readonly sip: SipService | undefined; readonly http: HttpServer } | undefined
  private stopping: Promise<void> | undefined
  private readonly unsubscribers: Array<() => void> = []
  private poll: NodeJS.Timeout | undefined

  constructor(
    @inject(Token.Environment) private readonly env: Environment,
    @inject(Token.Logger) private readonly logger: Logger,
    @inject(Token.Versions) private readonly versions: Versions,
    @inject(Token.ConfigStore) private readonly store: ConfigStore,
    @inject(Token.HttpServer) private readonly http: HttpServer,
    @inject(Token.LiveCore) private readonly core: LiveCore,
    @inject(Token.LiveChanges) private readonly changes: ChangeHub,
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
    this.followConfigurationChanges()
    if (sip === undefined) logger.warn('SIP is not started: no SIP adapter is bound in this assembly')
    logger.info(
      {
        sip: sip === undefined ? null : { udp: sip.udp, tcp: sip.tcp, tls: sip.tls },
        media: sip?.media ?? null,
        http,
        bind: env.sipBind,
        httpBind: env.httpBind,
        publicHost: env.publicHost,
        dataDir: env.dataDir,
        store: this.store.file,
        conferences: this.store.loadNodeConfig().vmrs.length,
        rules: this.store.loadNodeConfig().rules.length,
        version: this.versions.parley,
      },
      'ready',
    )
    return { sip, http }
  }

  /**
   * From now on every committed configuration reaches the core; one committed while the node was
   * starting (HTTP listens before SIP) is handed over at once.
   */
  private followConfigurationChanges(): void {
    const runtime = this.core.runtime()
    if (runtime !== undefined) {
      if (runtime.config !== this.store.compiledConfig()) runtime.changeConfig(this.store.compiledConfig())
      this.unsubscribers.push(this.store.subscribe(({ compiled }) => runtime.changeConfig(compiled)))
      this.unsubscribers.push(runtime.onChange(this.changes.emit))
    }
    this.unsubscribers.push(this.store.subscribe(this.changes.emit))
    this.poll = setInterval(() => {
      try {
        this.store.pollExternalChanges()
      } catch (e) {
        this.logger.error({ err: e }, 'could not read the configuration store')
      }
    }, externalChangePollMs)
    // The poll alone must not keep the process alive.
    this.poll.unref()
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
    if (this.poll !== undefined) clearInterval(this.poll)
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe()
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
