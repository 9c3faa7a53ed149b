/**
 * The node's HTTP server (adapters/http/http-server.ts) with the management API and the store's
 * avatar lookup mounted as the composition root mounts them, over a store in a fresh data dir.
 */
import pino from 'pino'
import type { ConfigStore } from '../../../store/config-store.js'
import { openStore, temporaryDataDir } from '../../../store/testing/store-fixtures.js'
import { createHttpServer } from '../../http-server.js'
import type { HttpServer } from '../../http-server.js'
import { loadProductLogo } from '../../logo/product-logo.js'
import { configurationApi } from '../configuration-api.js'

export const adminPassword = 'correct horse battery staple'
export const basicAuth = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`
export const admin = { authorization: basicAuth('admin', adminPassword) }

export const v1 = '/api/admin/configuration/v1/'

export interface ApiWorld {
  readonly server: HttpServer
  readonly store: ConfigStore
}

export const withApi = async (use: (world: ApiWorld) => Promise<void>): Promise<void> => {
  const data = temporaryDataDir()
  const { store } = openStore(data.dir, { adminPassword })
  const server = createHttpServer({
    logger: pino({ level: 'silent' }),
    uptime: () => 1,
    versions: { parley: 'test' },
    logo: loadProductLogo(),
    avatars: store.avatarLookup,
    routes: [configurationApi({ store })],
  })
  try {
    await server.app.ready()
    await use({ server, store })
  } finally {
    await server.close()
    store.close()
    data.remove()
  }
}
