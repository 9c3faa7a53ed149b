/**
 * Avatar lookup over the loaded configuration, until the store holds uploaded images: a VMR the
 * configuration knows gets the product logo, anything else is unknown (404). The store's lookup
 * replaces this binding and answers `Uploaded` for VMRs with an `avatarHash`.
 */
import type { CompiledConfig } from '../../core/config/compiled.js'
import type { AvatarLookup } from '../http/avatar-routes.js'

export const avatarLookupFromConfig =
  (current: () => CompiledConfig): AvatarLookup =>
  async (conference) =>
    current().vmrById.has(conference) ? { _tag: 'ProductLogo' } : { _tag: 'UnknownConference' }
