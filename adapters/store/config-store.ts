/**
 * The configuration store (DESIGN §4, §6): SQLite in `<PARLEY_DATA_DIR>/parley.db`, behind the
 * core's Directory port, and the management API's repository.
 *
 * - Seeded once, at first start, from the configuration file or the demo; later starts keep the
 *   operator's edits (`store_meta.seeded_from` records that the seed happened).
 * - Every write is one transaction, and before it commits the whole resulting configuration is
 *   decoded and compiled exactly as the node loads it (`decodeConfigFile`, `compileConfig` with
 *   the RE2 engine): the store never holds a configuration the node cannot run. A problem is
 *   reported at the field of the request that caused it.
 * - Durability: WAL with `synchronous=FULL`, so a write is on disk (the WAL fsynced) before it is
 *   acknowledged. NORMAL would survive a `kill -9` too (the WAL is in the OS's page cache) but
 *   could lose the last writes on power loss; configuration writes are rare enough that one
 *   fsync each is free.
 * - After each commit the new configuration, decoded and compiled, goes to every subscriber
 *   (the running node turns it into a ConfigChanged input).
 */
import { chmodSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import type { Database as SqliteDatabase } from 'better-sqlite3'
import * as E from 'fp-ts/lib/Either.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import type { Logger } from 'pino'
import { ConfigFileCodec, configuredAliasKey, decodeConfigFile, encodeConfigFile, resourceUri } from '../../core/config/codecs.js'
import type { ConfigProblem, GlobalResource, ResourceName } from '../../core/config/codecs.js'
import { compileConfig } from '../../core/config/compile.js'
import type { CompiledConfig } from '../../core/config/compiled.js'
import type { NodeConfig } from '../../core/config/model.js'
import { ConferenceId } from '../../core/model/ids.js'
import type { Directory, DirectoryError } from '../../core/ports/directory.js'
import type { PatternEngine } from '../../core/ports/pattern-engine.js'
import type { AvatarLookup } from '../http/avatar-routes.js'
import { generatePassword as randomPassword, hashPassword, verifyPassword } from './admin-password.js'
import { ConfigTables } from './config-tables.js'
import type { ConfigDocument, ListFilter, StoredImage } from './config-tables.js'
import type { JsonObject } from './resource-rows.js'
import { removeResource, writeAvatar, writeGlobal, writers } from './resource-writes.js'
import type { Blame, ResourceValues, StoreWriteError, Written } from './resource-writes.js'
import { migrate } from './schema.js'
import type { SeedSource } from './seed-source.js'

export type { StoreWriteError, ResourceValues } from './resource-writes.js'
export type { ConfigDocument, ListFilter, StoredImage } from './config-tables.js'
export type { JsonObject } from './resource-rows.js'

export const storeFileName = 'parley.db'
export const adminUser = 'admin'

export interface ConfigStoreOptions {
  readonly dataDir: string
  /** The engine operator regexes are compiled with: RE2 in the node (DESIGN §2). */
  readonly engine: PatternEngine
  /** Read only when the store is empty. */
  readonly seed: SeedSource
  /** PARLEY_ADMIN_PASSWORD: when given, it replaces the stored one. */
  readonly adminPassword?: string
  readonly logger?: Logger
  readonly generatePassword?: () => string
  readonly now?: () => Date
}

export type AdminPasswordOrigin =
  /** Made at first start: the caller shows it once; only its hash is kept. */
  | { readonly _tag: 'Generated'; readonly password: string }
  | { readonly _tag: 'FromEnvironment' }
  | { readonly _tag: 'Stored' }

export interface OpenedStore {
  readonly store: ConfigStore
  /** Where this start seeded the store from; undefined when it already held a configuration. */
  readonly seededFrom: string | undefined
  readonly adminPassword: AdminPasswordOrigin
  readonly schema: { readonly from: number; readonly to: number }
}

export type StoreOpenError =
  | { readonly _tag: 'StoreUnavailable'; readonly file: string; readonly reason: string }
  | { readonly _tag: 'SchemaTooNew'; readonly file: string; readonly found: number; readonly supported: number }
  | { readonly _tag: 'SeedUnreadable'; readonly origin: string; readonly reason: string }
  | { readonly _tag: 'SeedInvalid'; readonly origin: string; readonly problems: ReadonlyArray<ConfigProblem> }
  /** A store another version filled with what this one refuses; nothing is changed. */
  | { readonly _tag: 'StoredConfigInvalid'; readonly file: string; readonly problems: ReadonlyArray<ConfigProblem> }

export type StoreImportError =
  /** Paths are the file's own (`conference[2].pin`). */
  | { readonly _tag: 'Rejected'; readonly problems: ReadonlyArray<ConfigProblem> }
  | { readonly _tag: 'StoreFailed'; readonly reason: string }

export interface ConfigChange {
  readonly config: NodeConfig
  readonly compiled: CompiledConfig
}

export interface ListPage {
  readonly total: number
  readonly objects: ReadonlyArray<JsonObject>
}

/** Thrown inside a transaction to roll it back; never escapes this module. */
class Rollback extends Error {
  constructor(readonly error: StoreWriteError) {
    super(error._tag)
  }
}

const reasonOf = (e: unknown): string => (e instanceof Error ? e.message : String(e))

const validateDocument = (document: unknown, engine: PatternEngine): E.Either<ReadonlyArray<ConfigProblem>, ConfigChange> => {
  const config = decodeConfigFile(document)
  if (E.isLeft(config)) return E.left(config.left.problems)
  const compiled = compileConfig(config.right, engine)
  return E.isLeft(compiled) ? E.left(compiled.left.problems) : E.right({ config: config.right, compiled: compiled.right })
}

const documentPath = /^(conference|conference_alias|automatic_participant|gateway_routing_rule)\[(\d+)\](.*)$/

/**
 * A problem found in the whole document, moved to the request's own path when it is about a
 * row the request wrote; any other is about the document (`''`) and names the object by its URI.
 */
const localize = (problems: ReadonlyArray<ConfigProblem>, blame: ReadonlyArray<Blame>, document: ConfigDocument): ReadonlyArray<ConfigProblem> =>
  problems.map((p): ConfigProblem => {
    const join = (prefix: string, rest: string): string => (prefix === '' ? rest.replace(/^\./, '') : `${prefix}${rest}`)
    if (p.path === 'global' || p.path.startsWith('global.')) {
      const mine = blame.find((b) => b.resource === 'global')
      return mine === undefined ? { path: '', message: `global ${p.path.slice(7)}: ${p.message}` } : { path: join(mine.prefix, p.path.slice(6)), message: p.message }
    }
    const m = documentPath.exec(p.path)
    if (m === null) return { path: '', message: p.message }
    const resource = m[1] as ResourceName
    const rest = m[3] ?? ''
    const id = document[resource][Number(m[2])]?.['id']
    const mine = blame.find((b) => b.resource === resource && b.id === id)
    if (mine !== undefined) return { path: join(mine.prefix, rest), message: p.message }
    const where = typeof id === 'number' ? resourceUri(resource, id) : resource
    return { path: '', message: `${where} ${rest.replace(/^\./, '')}: ${p.message}` }
  })

export class ConfigStore implements Directory {
  private readonly tables: ConfigTables
  private current: ConfigChange
  private readonly listeners = new Set<(change: ConfigChange) => void>()
  private passwordHash: string | undefined
  /** `PRAGMA data_version` last seen: it moves when another connection commits. */
  private dataVersion: number

  private constructor(
    private readonly db: SqliteDatabase,
    readonly file: string,
    private readonly engine: PatternEngine,
    private readonly logger: Logger | undefined,
    current: ConfigChange,
  ) {
    this.tables = new ConfigTables(db)
    this.current = current
    this.passwordHash = db.prepare('SELECT password_hash FROM admin_credential WHERE id = 1').pluck().get() as string | undefined
    this.dataVersion = this.readDataVersion()
  }

  /** Opens (creating and migrating as needed) `<dataDir>/parley.db`, seeding an empty store. */
  static open(options: ConfigStoreOptions): E.Either<StoreOpenError, OpenedStore> {
    const file = join(options.dataDir, storeFileName)
    let db: SqliteDatabase
    try {
      mkdirSync(options.dataDir, { recursive: true })
      db = new Database(file)
      // The admin credential is in here (hashed); SQLite gives the -wal and -shm files the
      // database file's mode.
      chmodSync(file, 0o600)
      db.pragma('journal_mode = WAL')
      db.pragma('synchronous = FULL')
      db.pragma('foreign_keys = ON')
      // Another process (`parley config import`) may hold the write lock for a moment.
      db.pragma('busy_timeout = 5000')
    } catch (e) {
      return E.left({ _tag: 'StoreUnavailable', file, reason: reasonOf(e) })
    }
    const opened = ConfigStore.prepare(db, file, options)
    if (E.isLeft(opened)) db.close()
    return opened
  }

  private static prepare(db: SqliteDatabase, file: string, options: ConfigStoreOptions): E.Either<StoreOpenError, OpenedStore> {
    const migrated = migrate(db, options.now ?? (() => new Date()))
    switch (migrated._tag) {
      case 'SchemaTooNew':
        return E.left({ _tag: 'SchemaTooNew', file, found: migrated.found, supported: migrated.supported })
      case 'MigrationFailed':
        return E.left({ _tag: 'StoreUnavailable', file, reason: `migration ${migrated.version}: ${migrated.reason}` })
      case 'Migrated':
        break
    }
    const tables = new ConfigTables(db)
    let seededFrom: string | undefined
    try {
      const seeded = db.prepare("SELECT value FROM store_meta WHERE key = 'seeded_from'").pluck().get() as string | undefined
      if (seeded === undefined) {
        const document = options.seed.document()
        if (E.isLeft(document)) return E.left({ _tag: 'SeedUnreadable', origin: options.seed.origin, reason: document.left })
        const valid = validateDocument(document.right, options.engine)
        if (E.isLeft(valid)) return E.left({ _tag: 'SeedInvalid', origin: options.seed.origin, problems: valid.left })
        db.transaction(() => {
          replaceAll(tables, document.right, valid.right.config)
          db.prepare("INSERT INTO store_meta (key, value) VALUES ('seeded_from', ?)").run(options.seed.origin)
        }).immediate()
        seededFrom = options.seed.origin
      }
    } catch (e) {
      return E.left({ _tag: 'StoreUnavailable', file, reason: reasonOf(e) })
    }
    const current = validateDocument(tables.document({ nestAliases: false }), options.engine)
    if (E.isLeft(current)) return E.left({ _tag: 'StoredConfigInvalid', file, problems: current.left })

    let adminPassword: AdminPasswordOrigin
    try {
      adminPassword = setUpAdminPassword(db, options)
    } catch (e) {
      return E.left({ _tag: 'StoreUnavailable', file, reason: reasonOf(e) })
    }
    const store = new ConfigStore(db, file, options.engine, options.logger, current.right)
    return E.right({ store, seededFrom, adminPassword, schema: { from: migrated.from, to: migrated.to } })
  }

  close(): void {
    this.listeners.clear()
    this.db.close()
  }

  // -------------------------------------------------------------------------------------------
  // The configuration as the node reads it

  loadNodeConfig(): NodeConfig {
    return this.current.config
  }

  compiledConfig(): CompiledConfig {
    return this.current.compiled
  }

  /** Called after every commit with the new configuration; answers an unsubscribe. */
  subscribe(listener: (change: ConfigChange) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  // Directory port (core/ports/directory.ts)
  readonly load = (): TE.TaskEither<DirectoryError, NodeConfig> => TE.right(this.current.config)

  readonly save = (config: NodeConfig): TE.TaskEither<DirectoryError, void> => {
    const imported = this.importConfigFile(encodeConfigFile(config))
    return TE.fromEither(
      E.bimap(
        (error: StoreImportError): DirectoryError =>
          error._tag === 'Rejected' ? { _tag: 'ConfigRejected', problems: error.problems } : { _tag: 'DirectoryUnavailable', reason: error.reason },
        (): void => undefined,
      )(imported),
    )
  }

  readonly onChange = (notify: (config: NodeConfig) => void): void => {
    this.subscribe((change) => notify(change.config))
  }

  /**
   * Picks up a commit made by another process on the same file (`parley config import` while
   * the node runs): cheap (one pragma), meant to be called on a timer.
   */
  pollExternalChanges(): void {
    const version = this.readDataVersion()
    if (version === this.dataVersion) return
    this.dataVersion = version
    const reloaded = validateDocument(this.tables.document({ nestAliases: false }), this.engine)
    if (E.isLeft(reloaded)) {
      this.logger?.error({ problems: reloaded.left }, 'the store was changed by another process into a configuration that does not load; keeping the previous one')
      return
    }
    this.passwordHash = this.db.prepare('SELECT password_hash FROM admin_credential WHERE id = 1').pluck().get() as string | undefined
    this.publish(reloaded.right)
  }

  // -------------------------------------------------------------------------------------------
  // The configuration file (DESIGN §6)

  /** Every object as the API shows it; `config import` and `--config` read it back unchanged. */
  exportConfigFile(): ConfigDocument {
    return this.read(() => this.tables.document({ nestAliases: true }))
  }

  /** Replaces the whole configuration in one transaction; a file with any problem changes nothing. */
  importConfigFile(json: unknown): E.Either<StoreImportError, NodeConfig> {
    const valid = validateDocument(json, this.engine)
    if (E.isLeft(valid)) return E.left({ _tag: 'Rejected', problems: valid.left })
    const written = this.transaction((): E.Either<StoreWriteError, Written> => {
      replaceAll(this.tables, json, valid.right.config)
      return E.right({ id: 0, blame: [] })
    })
    // The document was valid before it was written, so only the store itself can fail here.
    return E.bimap(
      (error: StoreWriteError): StoreImportError =>
        error._tag === 'Rejected' ? error : { _tag: 'StoreFailed', reason: error._tag === 'StoreFailed' ? error.reason : error._tag },
      (): NodeConfig => this.current.config,
    )(written)
  }

  // -------------------------------------------------------------------------------------------
  // Resources (the management API)

  list(resource: ResourceName, filters: ReadonlyArray<ListFilter>, limit: number | undefined, offset: number): ListPage {
    return this.read(() => ({ total: this.tables.count(resource, filters), objects: this.tables.page(resource, filters, limit, offset) }))
  }

  get(resource: ResourceName, id: number): JsonObject | undefined {
    return this.read(() => this.tables.get(resource, id))
  }

  create<R extends ResourceName>(resource: R, value: ResourceValues[R]): E.Either<StoreWriteError, JsonObject> {
    return this.writeAndRead(resource, () => writers[resource].create(this.tables, value))
  }

  /** The object becomes `value` (PUT, and PATCH after merging); a conference's aliases too. */
  replace<R extends ResourceName>(resource: R, id: number, value: ResourceValues[R]): E.Either<StoreWriteError, JsonObject> {
    return this.writeAndRead(resource, () => writers[resource].replace(this.tables, id, value))
  }

  remove(resource: ResourceName, id: number): E.Either<StoreWriteError, void> {
    return E.map((): void => undefined)(this.transaction(() => removeResource(this.tables, resource, id)))
  }

  getGlobal(): JsonObject {
    return this.read(() => this.tables.global() ?? {})
  }

  replaceGlobal(value: GlobalResource): E.Either<StoreWriteError, JsonObject> {
    return E.map(() => this.getGlobal())(this.transaction(() => writeGlobal(this.tables, value)))
  }

  /** Sets (or with `undefined` removes) a VMR's picture; its SHA-1 becomes the VMR's avatarHash. */
  setAvatar(conference: number, image: StoredImage | undefined): E.Either<StoreWriteError, JsonObject> {
    return this.writeAndRead('conference', () => writeAvatar(this.tables, conference, image))
  }

  avatar(conference: number): StoredImage | undefined {
    return this.tables.avatar(conference)
  }

  /** For /avatar/<id>.png (adapters/http/avatar-routes.ts): the upload, else the product logo. */
  readonly avatarLookup: AvatarLookup = async (conference) => {
    const id = /^[1-9][0-9]{0,15}$/.test(conference) ? Number(conference) : undefined
    if (id === undefined || !this.current.compiled.vmrById.has(ConferenceId(conference))) return { _tag: 'UnknownConference' }
    const image = this.tables.avatar(id)
    return image === undefined ? { _tag: 'ProductLogo' } : { _tag: 'Uploaded', image }
  }

  // -------------------------------------------------------------------------------------------
  // The admin credential

  /** Basic auth as `admin` (DESIGN §6); the check runs off the event loop. */
  async verifyAdmin(user: string, password: string): Promise<boolean> {
    const hash = this.passwordHash
    if (hash === undefined) return false
    const passwordMatches = await verifyPassword(hash, password)
    return passwordMatches && user === adminUser
  }

  /** Changes whenever the password does (for caches of successful checks). */
  credentialVersion(): string | undefined {
    return this.passwordHash
  }

  // -------------------------------------------------------------------------------------------
  // Transactions

  private readDataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number
  }

  /** A consistent read even while another process writes. */
  private read<A>(query: () => A): A {
    return this.db.transaction(query).deferred()
  }

  private writeAndRead(resource: ResourceName, write: () => E.Either<StoreWriteError, Written>): E.Either<StoreWriteError, JsonObject> {
    const result = this.transaction(write)
    if (E.isLeft(result)) return result
    const id = result.right.id
    const object = this.get(resource, id)
    return object === undefined ? E.left({ _tag: 'NotFound', resource, id }) : E.right(object)
  }

  /**
   * Runs `write`, then validates the whole resulting configuration, inside one IMMEDIATE
   * transaction; commits only when both succeed, then publishes the new configuration.
   */
  private transaction(write: () => E.Either<StoreWriteError, Written>): E.Either<StoreWriteError, Written> {
    let outcome: { readonly written: Written; readonly change: ConfigChange }
    try {
      outcome = this.db
        .transaction(() => {
          const written = write()
          if (E.isLeft(written)) throw new Rollback(written.left)
          const document = this.tables.document({ nestAliases: false })
          const validated = validateDocument(document, this.engine)
          if (E.isLeft(validated)) throw new Rollback({ _tag: 'Rejected', problems: localize(validated.left, written.right.blame, document) })
          return { written: written.right, change: validated.right }
        })
        .immediate()
    } catch (e) {
      if (e instanceof Rollback) return E.left(e.error)
      this.logger?.error({ err: e }, 'configuration store write failed')
      return E.left({ _tag: 'StoreFailed', reason: reasonOf(e) })
    }
    // Our own commit does not move data_version; another process's commits before it would
    // be in the document we just validated, so this connection is now up to date.
    this.dataVersion = this.readDataVersion()
    this.publish(outcome.change)
    return E.right(outcome.written)
  }

  private publish(change: ConfigChange): void {
    this.current = change
    for (const listener of this.listeners) {
      try {
        listener(change)
      } catch (e) {
        this.logger?.error({ err: e }, 'a configuration change listener failed')
      }
    }
  }
}

/**
 * The store's content becomes the (already validated) document: `config` is what
 * decodeConfigFile made of it, whose ids and alias lists are taken as they are; alias ids and
 * descriptions come from the document. An uploaded avatar stays when the document still names
 * it by hash for the same conference; a hash the store has no image for is dropped.
 */
const replaceAll = (tables: ConfigTables, json: unknown, config: NodeConfig): void => {
  const decoded = ConfigFileCodec.decode(json)
  if (E.isLeft(decoded)) throw new Error('replaceAll: the document was validated but does not decode')
  const file = decoded.right
  const conferenceIds = config.vmrs.map((v) => Number(v.id))

  const keptAvatars = file.conference.flatMap((c, i): Array<readonly [number, StoredImage]> => {
    const id = conferenceIds[i]!
    const image = c.avatar === undefined ? undefined : tables.avatar(id)
    return image !== undefined && image.sha1 === c.avatar ? [[id, image]] : []
  })

  tables.clearConfiguration()
  tables.writeGlobal(file.global)
  file.conference.forEach((c, i) => tables.insertConference(c, conferenceIds[i]!))

  // Alias ids: as the file's conference_alias objects give them, else numbered after those.
  const aliasObject = (conference: number, alias: string) => file.conference_alias.find((a) => a.conference === conference && a.alias === alias)
  let nextAliasId = Math.max(0, ...file.conference_alias.map((a) => a.id ?? a.resource_uri ?? 0)) + 1
  config.vmrs.forEach((vmr, i) => {
    const conference = conferenceIds[i]!
    for (const alias of vmr.aliases) {
      const key = configuredAliasKey(alias)
      if (E.isLeft(key)) throw new Error(`replaceAll: validated alias ${alias} has no key`)
      const object = aliasObject(conference, alias)
      const nested = file.conference[i]!.aliases.find((a) => a.alias === alias)
      const id = object?.id ?? object?.resource_uri ?? nextAliasId++
      tables.insertAlias({ conference, alias, description: nested?.description ?? object?.description ?? '' }, key.right, id)
    }
  })

  config.adps.forEach((adp, i) => tables.insertAdp(file.automatic_participant[i]!, [...new Set(adp.conferenceIds.map(Number))], Number(adp.id)))
  config.rules.forEach((rule, i) => tables.insertRule(file.gateway_routing_rule[i]!, Number(rule.id)))
  for (const [id, image] of keptAvatars) tables.setAvatar(id, image)
}

const setUpAdminPassword = (db: SqliteDatabase, options: ConfigStoreOptions): AdminPasswordOrigin => {
  const store = (password: string): void => {
    db.prepare(
      'INSERT INTO admin_credential (id, password_hash) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET password_hash = excluded.password_hash',
    ).run(hashPassword(password))
  }
  if (options.adminPassword !== undefined) {
    store(options.adminPassword)
    return { _tag: 'FromEnvironment' }
  }
  if (db.prepare('SELECT 1 FROM admin_credential WHERE id = 1').get() !== undefined) return { _tag: 'Stored' }
  const password = (options.generatePassword ?? randomPassword)()
  store(password)
  return { _tag: 'Generated', password }
}
