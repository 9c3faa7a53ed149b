import type { TransportProtocol } from './transport-types.js'

/** Why a listener could not be started. */
export type TransportStartError =
  | { readonly _tag: 'BindFailed'; readonly protocol: TransportProtocol; readonly host: string; readonly port: number; readonly reason: string }
  | { readonly _tag: 'TlsCredentialsInvalid'; readonly reason: string }
