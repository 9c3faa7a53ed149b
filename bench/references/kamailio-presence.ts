/**
 * The presence bench's reference (issue 8): Kamailio 5.6 (Debian `kamailio` +
 * `kamailio-presence-modules`) as an RFC 3856 presence server, in a competent configuration:
 * - `presence` + `presence_xml`, subscriptions in memory only (`subs_db_mode 0`), presentities
 *   in memory only (`publ_cache 2`), no periodic database writes (`db_update_period 0`);
 *   db_text (a copy of Debian's empty tables in a temp dir) is there only because the module
 *   refuses to serve without a `db_url`;
 * - `force_active 1`: every watcher is authorised, as every Parley watcher is (no XCAP rules);
 * - the TLSF shared-memory allocator (`-x tlsf`), 1 GB shared (256 MB ran out after a few
 *   republished changes: transactions and presentity versions wait for their timers), 16 MB
 *   private per process;
 * - two UDP workers (`children=2`, one per core of this machine) and the same 4 MB receive buffer
 *   as Parley (`maxbuffer`);
 * - the route does only what presence needs: PUBLISH → handle_publish, SUBSCRIBE →
 *   handle_subscribe, in a transaction (the modules' documented use), anything else 405.
 * The configuration is generated into the bench's temp dir; nothing is installed or left behind.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { cpSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { killOnExit, stopChild } from '../support/child-processes.js'
import { freePort, udpPortTaken } from '../support/free-port.js'
import { childPids } from '../support/sip-udp-peer.js'

const modulePath = '/usr/lib/x86_64-linux-gnu/kamailio/modules/'
const emptyTables = '/usr/share/kamailio/dbtext/kamailio'

export const kamailioSettings = 'Kamailio 5.6 presence+presence_xml, subs_db_mode 0, publ_cache 2, tlsf 1 GB shm, 2 workers, 4 MB rcvbuf'

export interface KamailioPresence {
  readonly port: number
  readonly alive: () => boolean
  /** The main process and its workers. */
  readonly pids: () => Promise<ReadonlyArray<number>>
  readonly logTail: () => string
  readonly stop: () => Promise<void>
}

export const kamailioConfig = (options: { readonly host: string; readonly port: number; readonly dbDir: string }): string =>
  [
    '#!KAMAILIO',
    'debug=1',
    'log_stderror=yes',
    'children=2',
    'auto_aliases=no',
    'maxbuffer=4194304',
    `listen=udp:${options.host}:${options.port}`,
    `mpath="${modulePath}"`,
    ...['tm', 'sl', 'pv', 'textops', 'db_text', 'presence', 'presence_xml'].map((m) => `loadmodule "${m}.so"`),
    `modparam("presence", "db_url", "text://${options.dbDir}")`,
    'modparam("presence", "subs_db_mode", 0)',
    'modparam("presence", "publ_cache", 2)',
    'modparam("presence", "db_update_period", 0)',
    'modparam("presence", "subs_htable_size", 14)',
    'modparam("presence", "pres_htable_size", 12)',
    `modparam("presence_xml", "db_url", "text://${options.dbDir}")`,
    'modparam("presence_xml", "force_active", 1)',
    'request_route {',
    '  if (is_method("PUBLISH|SUBSCRIBE")) {',
    '    if (!t_newtran()) { sl_reply_error(); exit; }',
    '    if (is_method("PUBLISH")) { handle_publish(); } else { handle_subscribe(); }',
    '    t_release();',
    '    exit;',
    '  }',
    '  sl_send_reply("405", "Method Not Allowed");',
    '}',
    '',
  ].join('\n')

export const startKamailioPresence = async (workDir: string, host: string): Promise<KamailioPresence> => {
  mkdirSync(workDir, { recursive: true })
  const dbDir = join(workDir, 'db')
  cpSync(emptyTables, dbDir, { recursive: true })
  const port = await freePort(host)
  const configFile = join(workDir, 'kamailio.cfg')
  writeFileSync(configFile, kamailioConfig({ host, port, dbDir }))
  const logFile = join(workDir, 'kamailio.log')
  const log = openSync(logFile, 'w')
  // Its own process group: Kamailio forks its workers, and killing the main process alone
  // (SIGKILL when the bench exits) would leave them running.
  const child: ChildProcess = spawn('kamailio', ['-f', configFile, '-DD', '-E', '-x', 'tlsf', '-m', '1024', '-M', '16', '-w', workDir, '-P', join(workDir, 'kamailio.pid')], {
    stdio: ['ignore', log, log],
    detached: true,
  })
  killOnExit(child)
  const killGroup = (): void => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
    } catch {
      // Already gone.
    }
  }
  process.on('exit', killGroup)
  const alive = (): boolean => child.exitCode === null && child.signalCode === null
  const logTail = (): string => readFileSync(logFile, 'utf8').slice(-2000)
  for (let i = 0; i < 100 && !(await udpPortTaken(host, port)); i++) {
    if (!alive()) break
    await sleep(50)
  }
  if (!alive() || !(await udpPortTaken(host, port))) {
    await stopChild(child, 1000)
    throw new Error(`kamailio did not start on ${host}:${port}:\n${logTail()}`)
  }
  const pid = child.pid ?? 0
  return {
    port,
    alive,
    pids: async () => [pid, ...(await childPids(pid))],
    logTail,
    stop: async () => {
      await stopChild(child, 3000)
      killGroup()
    },
  }
}
