/**
 * What one process of the wire profile keeps from scenario to scenario (DESIGN §5): the run
 * directory with its TLS pair, the edge, the loopback addresses handed out, and the node.
 *
 * The first scenario starts a node with the configuration file its Given steps wrote (a fresh
 * data dir, seeded from that file). A later scenario keeps the node once it is idle (no
 * participant left, by the status API) and gives it its own configuration the way an
 * operator's `parley config import` does: the whole document is imported into the node's
 * configuration store from this process, and one write through the management API makes the
 * node read the store at once (it would otherwise notice within a second). A node that does
 * not become idle is replaced by a fresh one; with `nodePerFeature` (DESIGN §5's "each feature
 * starts a real node") a new feature gets a new node too. Starts, imports and reuses are
 * counted, so what the policy costs can be measured: a start is ~1.2 s alone and 3-7 s while
 * other workers start theirs (the node loads its TypeScript through tsx), an import ~150 ms.
 */
import * as E from 'fp-ts/lib/Either.js'
import { re2PatternEngine } from '../../adapters/regex/re2-pattern-engine.js'
import { ConfigStore } from '../../adapters/store/config-store.js'
import { demoSeed } from '../../adapters/store/seed-source.js'
import { AdminApi } from './admin-api.js'
import { LoopbackAddresses } from './loopback-addresses.js'
import { describeStartFailure, ParleyProcess } from './parley-process.js'
import { RunDirectory } from './run-directory.js'
import { WireEdge } from './sip-network.js'

interface CurrentNode {
  readonly feature: string
  configuration: string
  readonly process: ParleyProcess
  readonly dataDir: string
  readonly api: AdminApi
}

export interface RunFigures {
  readonly starts: number
  readonly startMs: number
  readonly imports: number
  readonly importMs: number
  readonly reuses: number
}

export interface WireNode {
  readonly process: ParleyProcess
  readonly api: AdminApi
}

export const wireAdminPassword = 'wire-world-admin'

/** How long a node may take to let its last participant go before it is replaced. */
const idleBoundMs = 3_000

const participantsPath = '/api/admin/status/v1/participant/'

export interface NodePolicy {
  /** A new feature gets a new node (DESIGN §5); otherwise a worker keeps its node and imports each scenario's configuration. */
  readonly nodePerFeature: boolean
}

export class WireRun {
  readonly directory = new RunDirectory()
  readonly addresses = new LoopbackAddresses()
  private edgeOpening: Promise<WireEdge> | undefined
  private current: CurrentNode | undefined
  private readonly figures = { starts: 0, startMs: 0, imports: 0, importMs: 0, reuses: 0 }

  constructor(private readonly policy: NodePolicy = { nodePerFeature: false }) {}

  edge(): Promise<WireEdge> {
    this.edgeOpening ??= WireEdge.open(this.directory.tls)
    return this.edgeOpening
  }

  get counts(): RunFigures {
    return { ...this.figures }
  }

  /** A node for this feature holding exactly this configuration document. */
  async node(feature: string, document: unknown): Promise<WireNode> {
    const configuration = JSON.stringify(document)
    const current = this.current
    if (current !== undefined && (current.feature === feature || !this.policy.nodePerFeature) && current.process.alive && (await this.idle(current))) {
      if (current.configuration === configuration) {
        this.figures.reuses += 1
        return current
      }
      const began = performance.now()
      if (await this.reconfigure(current, document)) {
        current.configuration = configuration
        this.figures.imports += 1
        this.figures.importMs += performance.now() - began
        return current
      }
    }
    await this.stopNode()
    return this.start(feature, document, configuration)
  }

  /** The node's configuration was changed while it ran (the administrator, mid-scenario). */
  nodeChanged(document: unknown): void {
    if (this.current !== undefined) this.current.configuration = JSON.stringify(document)
  }

  async stopNode(): Promise<void> {
    const current = this.current
    if (current === undefined) return
    this.current = undefined
    await current.process.stop()
    this.directory.forget(current.dataDir)
  }

  async close(): Promise<void> {
    await this.stopNode()
    if (this.edgeOpening !== undefined) await (await this.edgeOpening).close()
    this.directory.remove()
  }

  private async start(feature: string, document: unknown, configuration: string): Promise<WireNode> {
    const began = performance.now()
    const { dataDir, configFile } = this.directory.nextStart(document)
    const tls = this.directory.tls
    const started = await ParleyProcess.start({ configFile, dataDir, adminPassword: wireAdminPassword, tls, extraCaFile: tls.certFile, logLevel: 'debug' })
    if (E.isLeft(started)) throw new Error(describeStartFailure(started.left))
    const process = started.right
    if (process.ready.sip === null) {
      await process.stop()
      throw new Error('the node started without SIP: no SIP adapter is bound')
    }
    this.figures.starts += 1
    this.figures.startMs += performance.now() - began
    const current: CurrentNode = { feature, configuration, process, dataDir, api: new AdminApi(`http://127.0.0.1:${process.ready.http}`, wireAdminPassword) }
    this.current = current
    return current
  }

  /** No participant left on the node (the previous scenario's calls have all ended there too). */
  private async idle(current: CurrentNode): Promise<boolean> {
    const deadline = performance.now() + idleBoundMs
    for (;;) {
      const listed = await current.api.get(participantsPath).catch(() => undefined)
      const objects = (listed as { objects?: unknown[] } | undefined)?.objects
      if (Array.isArray(objects) && objects.length === 0) return true
      if (performance.now() > deadline) return false
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }

  /** `parley config import`, done in this process on the node's store, then one API write so the node reads it now. */
  private async reconfigure(current: CurrentNode, document: unknown): Promise<boolean> {
    const opened = ConfigStore.open({ dataDir: current.dataDir, engine: re2PatternEngine, seed: demoSeed, adminPassword: wireAdminPassword })
    if (E.isLeft(opened)) return false
    const store = opened.right.store
    try {
      const imported = store.importConfigFile(document)
      if (E.isLeft(imported)) throw new Error(`the node's store refused the scenario's configuration: ${JSON.stringify(imported.left)}`)
    } finally {
      store.close()
    }
    const global = ((document as { global?: Record<string, unknown> }).global ?? {}) as Record<string, unknown>
    await current.api.send({ method: 'PATCH', path: '/api/admin/configuration/v1/global/1/', body: { pin_entry_timeout_s: global['pin_entry_timeout_s'] ?? 60 } })
    return true
  }
}
