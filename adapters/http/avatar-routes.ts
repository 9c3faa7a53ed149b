/**
 * Avatar images (DESIGN §6 "Avatars"): `/avatar/default.png` is the product logo and
 * `/avatar/<conference id>.png` the VMR's uploaded image, or the logo when it has none; these
 * are the URLs put in contactCard `photo/uri` and CIPID `icon` (PROTOCOLS 1.2, 2.1). No auth.
 * The ETag is the image's SHA-1, the same value as the contactCard `photo/hash`.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { ConferenceId } from '../../core/model/ids.js'
import type { Image } from './logo/product-logo.js'

export type AvatarLookupResult =
  | { readonly _tag: 'UnknownConference' }
  | { readonly _tag: 'ProductLogo' }
  | { readonly _tag: 'Uploaded'; readonly image: Image }

/** Injected: the configuration store answers it (today: the loaded configuration). */
export type AvatarLookup = (conference: ConferenceId) => Promise<AvatarLookupResult>

/** Conference ids are configuration ids (Pexip: integers); anything else cannot name one. */
const avatarFile = /^([A-Za-z0-9_-]{1,64})\.png$/

const send = (request: FastifyRequest, reply: FastifyReply, image: Image): FastifyReply => {
  const etag = `"${image.sha1}"`
  void reply.header('etag', etag).header('cache-control', 'public, max-age=60, must-revalidate')
  if (request.headers['if-none-match'] === etag) return reply.code(304).send()
  return reply.type(image.contentType).send(image.bytes)
}

export const avatarRoutes =
  (deps: { readonly logo: Image; readonly avatars: AvatarLookup }): FastifyPluginAsync =>
  async (app) => {
    app.get('/avatar/default.png', async (request, reply) => send(request, reply, deps.logo))
    app.get<{ Params: { file: string } }>('/avatar/:file', async (request, reply) => {
      const id = avatarFile.exec(request.params.file)?.[1]
      if (id === undefined) return reply.code(404).send({ error: 'not found' })
      const found = await deps.avatars(ConferenceId(id))
      switch (found._tag) {
        case 'UnknownConference':
          return reply.code(404).send({ error: `no conference ${id}` })
        case 'ProductLogo':
          return send(request, reply, deps.logo)
        case 'Uploaded':
          return send(request, reply, found.image)
      }
    })
  }
