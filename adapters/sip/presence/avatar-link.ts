/**
 * Where a watcher fetches a contact's picture and the hash it caches it under (DESIGN §6
 * "Avatars"; PROTOCOLS 1.2 contactCard/photo, 2.1 CIPID icon). Clients re-fetch only when the
 * hash changes (pidgin-sipe `sipe_buddy_update_photo`), so the hash is the image's content hash.
 */
import type { Avatar } from '../../../core/node/effect.js'

export interface AvatarSource {
  /**
   * Scheme, public host and HTTP port the watcher can reach, e.g. `http://192.0.2.10:8080`
   * (PARLEY_PUBLIC_HOST and the bound HTTP port); a trailing `/` is allowed.
   */
  readonly baseUrl: string
  /** Content hash of the served product logo (`loadProductLogo().sha1`). */
  readonly productLogoHash: string
}

export interface AvatarLink {
  readonly uri: string
  readonly hash: string
}

/** `…/avatar/<conference id>.png` for a VMR's own image, `…/avatar/default.png` for the logo. */
export const avatarLink = (avatar: Avatar, source: AvatarSource): AvatarLink => {
  const base = source.baseUrl.replace(/\/+$/, '')
  return avatar._tag === 'ProductLogo'
    ? { uri: `${base}/avatar/default.png`, hash: source.productLogoHash }
    : { uri: `${base}/avatar/${encodeURIComponent(avatar.conference)}.png`, hash: avatar.hash }
}
