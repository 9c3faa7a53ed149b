/**
 * The live SipService as specs start it: every listener on loopback at a port of its own, a
 * self-signed certificate, a silent logger, the system clock, sequential ids and the loopback
 * media unless a spec says otherwise. A spec names only what it is about (its configuration and
 * its bounds).
 */
import pino from 'pino'
import { sequentialIds } from '../../../../core/ports/fakes/recording-ports.js'
import type { Environment } from '../../../node/env.js'
import { systemClock } from '../../../node/system-clock.js'
import { makeSelfSigned } from '../../../node/tls-certificate.js'
import type { SipServiceDeps } from '../sip-service.js'
import { createSipService } from '../sip-service.js'

/** Loopback, any free port per transport, no data dir, signalling-only media. */
export const loopbackEnvironment = (overrides: Partial<Environment> = {}): Environment => ({
  sipBind: '127.0.0.1',
  sipPort: 0,
  sipsPort: 0,
  httpBind: '127.0.0.1',
  httpPort: 0,
  publicHost: '127.0.0.1',
  dataDir: '/nonexistent',
  logLevel: 'silent',
  media: 'loopback',
  ...overrides,
})

let certificate: ReturnType<typeof makeSelfSigned> | undefined

/** The self-signed certificate every loopback service serves (a TLS client's `ca`). */
export const loopbackCertificate = (): ReturnType<typeof makeSelfSigned> => (certificate ??= makeSelfSigned('127.0.0.1'))

/** A SipService with the defaults above; `deps` gives the configuration and anything else the spec sets. */
export const loopbackSipService = (deps: Partial<SipServiceDeps> & Pick<SipServiceDeps, 'config'>) => {
  const pair = loopbackCertificate()
  return createSipService({
    env: loopbackEnvironment(),
    tls: { cert: pair.cert, key: pair.key, files: { certFile: '', keyFile: '' }, origin: 'generated' },
    logger: pino({ level: 'silent' }),
    clock: systemClock,
    ids: sequentialIds('t-'),
    productLogoHash: 'feed',
    ...deps,
  })
}
