/**
 * The store's tables, as numbered migrations recorded in `schema_version` (DESIGN §4: the node
 * is run for months and upgraded in place). A migration is applied once, in its own
 * transaction with its version row, so a crash leaves the schema at the last whole step. A
 * database written by a newer Parley is refused rather than guessed at.
 *
 * The tables hold the management API's objects (PROTOCOLS 3.5-3.7) field by field. Nothing
 * here is stricter than `decodeConfigFile`, or a valid configuration file could fail to import;
 * the UNIQUE and FOREIGN KEY constraints are the ones that decoder enforces too (conference
 * names, alias keys, relations), kept as a second line of defence.
 */
import type { Database } from 'better-sqlite3'

export interface Migration {
  readonly version: number
  readonly description: string
  readonly sql: string
}

export const migrations: ReadonlyArray<Migration> = [
  {
    version: 1,
    description: 'configuration resources, avatars, the admin credential',
    sql: `
      CREATE TABLE global (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        pin_entry_timeout_s REAL NOT NULL,
        host_wait_timeout_s REAL NOT NULL,
        guests_only_timeout_s REAL NOT NULL,
        only_one_participant_timeout_s REAL NOT NULL,
        adp_delay_s REAL NOT NULL,
        trusted_peers TEXT NOT NULL,
        rtp_port_min INTEGER NOT NULL,
        rtp_port_max INTEGER NOT NULL,
        pin_lockout_failures INTEGER NOT NULL,
        pin_lockout_window_s REAL NOT NULL,
        pin_lockout_block_s REAL NOT NULL,
        default_sip_proxy TEXT,
        default_mssip_proxy TEXT
      );

      -- AUTOINCREMENT: an id is never given again, so an old resource_uri cannot come to name
      -- another object.
      CREATE TABLE conference (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL UNIQUE,
        description TEXT NOT NULL,
        service_type TEXT NOT NULL,
        pin TEXT NOT NULL,
        guest_pin TEXT NOT NULL,
        allow_guests INTEGER NOT NULL,
        call_type TEXT NOT NULL,
        host_view TEXT NOT NULL,
        guest_view TEXT NOT NULL,
        guests_can_present INTEGER NOT NULL,
        enable_chat TEXT NOT NULL,
        audio_only_view TEXT NOT NULL
      );

      -- alias_key: the normalized user@domain callers are matched by (dial-string aliasKey).
      CREATE TABLE conference_alias (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        conference_id INTEGER NOT NULL REFERENCES conference (id) ON DELETE CASCADE,
        alias TEXT NOT NULL,
        alias_key TEXT NOT NULL UNIQUE,
        description TEXT NOT NULL
      );
      CREATE INDEX conference_alias_by_conference ON conference_alias (conference_id);

      CREATE TABLE automatic_participant (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        alias TEXT NOT NULL,
        description TEXT NOT NULL,
        protocol TEXT NOT NULL,
        call_type TEXT NOT NULL,
        role TEXT NOT NULL,
        dtmf_sequence TEXT NOT NULL,
        keep_conference_alive TEXT NOT NULL,
        routing TEXT NOT NULL,
        remote_display_name TEXT NOT NULL
      );

      -- position keeps the order the operator listed the conferences in.
      CREATE TABLE automatic_participant_conference (
        automatic_participant_id INTEGER NOT NULL REFERENCES automatic_participant (id) ON DELETE CASCADE,
        conference_id INTEGER NOT NULL REFERENCES conference (id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        PRIMARY KEY (automatic_participant_id, conference_id)
      );
      CREATE INDEX automatic_participant_by_conference ON automatic_participant_conference (conference_id);

      CREATE TABLE gateway_routing_rule (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL,
        description TEXT NOT NULL,
        priority INTEGER NOT NULL,
        enable INTEGER NOT NULL,
        match_incoming_calls INTEGER NOT NULL,
        match_outgoing_calls INTEGER NOT NULL,
        match_incoming_sip INTEGER NOT NULL,
        match_incoming_h323 INTEGER NOT NULL,
        match_incoming_mssip INTEGER NOT NULL,
        match_incoming_webrtc INTEGER NOT NULL,
        match_incoming_only_if_registered INTEGER NOT NULL,
        match_string TEXT NOT NULL,
        replace_string TEXT NOT NULL,
        outgoing_protocol TEXT NOT NULL,
        call_type TEXT NOT NULL,
        sip_proxy TEXT,
        mssip_proxy TEXT,
        h323_gatekeeper TEXT,
        treat_as_trusted INTEGER NOT NULL
      );

      -- One uploaded picture per VMR (DESIGN §6 "Avatars"); sha1 is the contactCard photo hash.
      CREATE TABLE avatar (
        conference_id INTEGER PRIMARY KEY REFERENCES conference (id) ON DELETE CASCADE,
        content_type TEXT NOT NULL CHECK (content_type IN ('image/png', 'image/jpeg')),
        bytes BLOB NOT NULL,
        sha1 TEXT NOT NULL
      );

      -- The admin password as an scrypt hash (admin-password.ts), never the password.
      CREATE TABLE admin_credential (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        password_hash TEXT NOT NULL
      );

      -- seeded_from: set once, with the seed, so that later starts never seed again even when
      -- the operator has deleted every VMR.
      CREATE TABLE store_meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    description: 'global ring_timeout_s (how long a dial-out may ring; NULL: the default)',
    sql: `ALTER TABLE global ADD COLUMN ring_timeout_s REAL;`,
  },
]

export type MigrationError =
  | { readonly _tag: 'SchemaTooNew'; readonly found: number; readonly supported: number }
  | { readonly _tag: 'MigrationFailed'; readonly version: number; readonly reason: string }

export const latestSchemaVersion = migrations.reduce((max, m) => Math.max(max, m.version), 0)

export const schemaVersion = (db: Database): number => {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)')
  const row = db.prepare('SELECT MAX(version) AS version FROM schema_version').get() as { version: number | null }
  return row.version ?? 0
}

/** Applies the migrations the database lacks; answers the version it is now at. */
export const migrate = (db: Database, now: () => Date): { readonly _tag: 'Migrated'; readonly from: number; readonly to: number } | MigrationError => {
  const from = schemaVersion(db)
  if (from > latestSchemaVersion) return { _tag: 'SchemaTooNew', found: from, supported: latestSchemaVersion }
  for (const migration of migrations.filter((m) => m.version > from).sort((a, b) => a.version - b.version)) {
    try {
      db.transaction(() => {
        db.exec(migration.sql)
        db.prepare('INSERT INTO schema_version (version, applied_at) VALUES (?, ?)').run(migration.version, now().toISOString())
      }).immediate()
    } catch (e) {
      return { _tag: 'MigrationFailed', version: migration.version, reason: e instanceof Error ? e.message : String(e) }
    }
  }
  return { _tag: 'Migrated', from, to: latestSchemaVersion }
}
