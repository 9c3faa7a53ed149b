/**
 * The Pexip-compatible management API (DESIGN §6), under `/api/admin/configuration/v1/`:
 * `conference`, `conference_alias`, `automatic_participant`, `gateway_routing_rule` (list,
 * create, get, patch, put, delete) and `global/1/` (get, patch, put), plus the avatar upload
 * `PUT .../conference/<id>/avatar/`.
 *
 * Shapes are Tastypie's, as Pexip answers: lists `{"meta": {...}, "objects": [...]}` (paging and
 * filters in list-query.ts); `POST` 201 with `Location` = the new `resource_uri`; `PATCH` 202;
 * `PUT` 200; `DELETE` 204. Unlike Pexip's default, 201/202/200 carry the object as stored, so a
 * client sees ids and defaults without a second request. Errors: 400
 * `{"<resource>": {"<field path>": ["message"]}}` (`__all__` for the body as a whole), 404 for
 * a missing id, 401 without Basic auth as `admin` (admin-auth.ts).
 *
 * Translation only: bodies are decoded with the configuration file's own codecs
 * (core/config/codecs.ts); the store checks uniqueness and relations and validates the whole
 * resulting configuration before it commits (adapters/store/config-store.ts).
 */
import * as E from 'fp-ts/lib/Either.js'
import type { FastifyError, FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import type * as t from 'io-ts'
import {
  apiPrefix,
  AutomaticParticipantCodec,
  ConferenceAliasCodec,
  ConferenceCodec,
  GatewayRoutingRuleCodec,
  GlobalCodec,
  problemOf,
} from '../../../core/config/codecs.js'
import type { ConfigProblem, ResourceName } from '../../../core/config/codecs.js'
import type { ConfigStore, JsonObject, ResourceValues, StoreWriteError } from '../../store/config-store.js'
import { sha1Hex } from '../logo/product-logo.js'
import { AdminAuthenticator } from './admin-auth.js'
import { maxAvatarBytes, recogniseAvatar } from './avatar-image.js'
import { listMeta, parseListQuery } from './list-query.js'
import type { QueryParams } from './list-query.js'

/** What the API needs of the store (ConfigStore has it all). */
export type ConfigurationRepository = Pick<
  ConfigStore,
  'list' | 'get' | 'create' | 'replace' | 'remove' | 'getGlobal' | 'replaceGlobal' | 'setAvatar' | 'verifyAdmin' | 'credentialVersion'
>

export interface ConfigurationApiDeps {
  readonly store: ConfigurationRepository
}

type ResourceKey = ResourceName | 'global'

const resources: ReadonlyArray<ResourceName> = ['conference', 'conference_alias', 'automatic_participant', 'gateway_routing_rule']

const codecs: { readonly [R in ResourceName]: t.Type<ResourceValues[R], unknown, unknown> } = {
  conference: ConferenceCodec,
  conference_alias: ConferenceAliasCodec,
  automatic_participant: AutomaticParticipantCodec,
  gateway_routing_rule: GatewayRoutingRuleCodec,
}

/**
 * Fields the server owns: ignored in request bodies, as Tastypie ignores read-only fields. A
 * conference's avatar changes only by upload; its ADPs only through the ADP's `conference`.
 */
const readOnlyFields: Readonly<Record<ResourceKey, ReadonlyArray<string>>> = {
  conference: ['id', 'resource_uri', 'creation_time', 'avatar', 'automatic_participants'],
  conference_alias: ['id', 'resource_uri', 'creation_time'],
  automatic_participant: ['id', 'resource_uri', 'creation_time'],
  gateway_routing_rule: ['id', 'resource_uri', 'creation_time'],
  global: ['id', 'resource_uri'],
}

interface RouteConfig {
  readonly resource: ResourceKey
}

const resourceOf = (request: FastifyRequest): ResourceKey => (request.routeOptions.config as Partial<RouteConfig>).resource ?? 'global'

/** `{"conference": {"aliases[0].alias": ["..."]}}`; a problem with the whole body is `__all__`. */
export const problemsBody = (resource: ResourceKey, problems: ReadonlyArray<ConfigProblem>): Record<string, Record<string, string[]>> => {
  const fields: Record<string, string[]> = {}
  for (const p of problems) (fields[p.path === '' ? '__all__' : p.path] ??= []).push(p.message)
  return { [resource]: fields }
}

const isJsonObject = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u) && !Buffer.isBuffer(u)

const withoutReadOnly = (resource: ResourceKey, body: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(body).filter(([key]) => !readOnlyFields[resource].includes(key)))

const decodeWith = <A>(codec: t.Type<A, unknown, unknown>, json: unknown): E.Either<ReadonlyArray<ConfigProblem>, A> =>
  E.mapLeft((errors: t.Errors) => errors.map(problemOf))(codec.decode(json))

const idOf = (text: string): number | undefined => (/^[1-9][0-9]{0,15}$/.test(text) ? Number(text) : undefined)

const notFound = (reply: FastifyReply, resource: ResourceKey, id: string): FastifyReply =>
  reply.code(404).send({ error: `there is no ${resource} with id ${id}` })

const badRequest = (reply: FastifyReply, resource: ResourceKey, problems: ReadonlyArray<ConfigProblem>): FastifyReply =>
  reply.code(400).send(problemsBody(resource, problems))

const notAnObject: ReadonlyArray<ConfigProblem> = [{ path: '', message: 'expected a JSON object' }]

const failed = (request: FastifyRequest, reply: FastifyReply, resource: ResourceKey, error: StoreWriteError): FastifyReply => {
  switch (error._tag) {
    case 'NotFound':
      return notFound(reply, error.resource, String(error.id))
    case 'Rejected':
      return badRequest(reply, resource, error.problems)
    case 'StoreFailed':
      request.log.error({ reason: error.reason }, 'configuration store write failed')
      return reply.code(500).send({ error: `the configuration store failed: ${error.reason}` })
  }
}

type IdRequest = FastifyRequest<{ Params: { id: string } }>

/** Pexip's paths end in `/`; the same route without it is answered too. */
const bothForms = (path: string): ReadonlyArray<string> => [path, path.slice(0, -1)]

const registerResource = <R extends ResourceName>(api: FastifyInstance, store: ConfigurationRepository, resource: R): void => {
  const listPath = `${apiPrefix}${resource}/`
  const config: RouteConfig = { resource }
  const codec = codecs[resource]

  for (const path of bothForms(listPath)) {
    api.get(path, { config }, async (request, reply) => {
      const query = parseListQuery(resource, request.query as QueryParams)
      if (E.isLeft(query)) return badRequest(reply, resource, query.left)
      const page = store.list(resource, query.right.filters, query.right.limit, query.right.offset)
      return reply.send({ meta: listMeta(listPath, query.right, page.total), objects: page.objects })
    })

    api.post(path, { config }, async (request, reply) => {
      if (!isJsonObject(request.body)) return badRequest(reply, resource, notAnObject)
      const value = decodeWith(codec, withoutReadOnly(resource, request.body))
      if (E.isLeft(value)) return badRequest(reply, resource, value.left)
      const created = store.create(resource, value.right)
      if (E.isLeft(created)) return failed(request, reply, resource, created.left)
      return reply.code(201).header('location', String(created.right['resource_uri'])).send(created.right)
    })
  }

  for (const path of bothForms(`${listPath}:id/`)) {
    api.get(path, { config }, async (request: IdRequest, reply) => {
      const id = idOf(request.params.id)
      const object = id === undefined ? undefined : store.get(resource, id)
      return object === undefined ? notFound(reply, resource, request.params.id) : reply.send(object)
    })

    // PATCH: the fields given replace the stored ones; a conference's `aliases`, when given,
    // become its whole alias list (aliases kept by value keep their ids).
    api.patch(path, { config }, async (request: IdRequest, reply) => {
      const id = idOf(request.params.id)
      const current = id === undefined ? undefined : store.get(resource, id)
      if (id === undefined || current === undefined) return notFound(reply, resource, request.params.id)
      if (!isJsonObject(request.body)) return badRequest(reply, resource, notAnObject)
      const value = decodeWith(codec, { ...current, ...withoutReadOnly(resource, request.body) })
      if (E.isLeft(value)) return badRequest(reply, resource, value.left)
      const replaced = store.replace(resource, id, value.right)
      return E.isLeft(replaced) ? failed(request, reply, resource, replaced.left) : reply.code(202).send(replaced.right)
    })

    // PUT: the body is the whole object; fields it leaves out take their defaults.
    api.put(path, { config }, async (request: IdRequest, reply) => {
      const id = idOf(request.params.id)
      if (id === undefined) return notFound(reply, resource, request.params.id)
      if (!isJsonObject(request.body)) return badRequest(reply, resource, notAnObject)
      const value = decodeWith(codec, withoutReadOnly(resource, request.body))
      if (E.isLeft(value)) return badRequest(reply, resource, value.left)
      const replaced = store.replace(resource, id, value.right)
      return E.isLeft(replaced) ? failed(request, reply, resource, replaced.left) : reply.send(replaced.right)
    })

    api.delete(path, { config }, async (request: IdRequest, reply) => {
      const id = idOf(request.params.id)
      if (id === undefined) return notFound(reply, resource, request.params.id)
      const removed = store.remove(resource, id)
      return E.isLeft(removed) ? failed(request, reply, resource, removed.left) : reply.code(204).send()
    })
  }
}

/** `global/1/`, the single settings object; `global/` lists it, as Pexip does. */
const registerGlobal = (api: FastifyInstance, store: ConfigurationRepository): void => {
  const listPath = `${apiPrefix}global/`
  const config: RouteConfig = { resource: 'global' }
  for (const path of bothForms(listPath))
    api.get(path, { config }, async (_request, reply) =>
      reply.send({ meta: { limit: 20, next: null, offset: 0, previous: null, total_count: 1 }, objects: [store.getGlobal()] }),
    )

  const write = (request: IdRequest, reply: FastifyReply, merge: boolean): FastifyReply => {
    if (request.params.id !== '1') return notFound(reply, 'global', request.params.id)
    if (!isJsonObject(request.body)) return badRequest(reply, 'global', notAnObject)
    const body = withoutReadOnly('global', request.body)
    const value = decodeWith(GlobalCodec, merge ? { ...withoutReadOnly('global', store.getGlobal()), ...body } : body)
    if (E.isLeft(value)) return badRequest(reply, 'global', value.left)
    const replaced = store.replaceGlobal(value.right)
    if (E.isLeft(replaced)) return failed(request, reply, 'global', replaced.left)
    return reply.code(merge ? 202 : 200).send(replaced.right)
  }
  for (const path of bothForms(`${listPath}:id/`)) {
    api.get(path, { config }, async (request: IdRequest, reply) =>
      request.params.id === '1' ? reply.send(store.getGlobal()) : notFound(reply, 'global', request.params.id),
    )
    api.patch(path, { config }, async (request: IdRequest, reply) => write(request, reply, true))
    api.put(path, { config }, async (request: IdRequest, reply) => write(request, reply, false))
  }
}

const imageTypes = ['image/png', 'image/jpeg', 'application/octet-stream']

/**
 * `PUT .../conference/<id>/avatar/` with the image as the body (DESIGN §6 "Avatars"); its
 * SHA-1 becomes the VMR's avatarHash, so presence watchers get the new picture. DELETE goes
 * back to the product logo. Both answer the conference.
 */
const registerAvatar = async (api: FastifyInstance, store: ConfigurationRepository): Promise<void> => {
  await api.register(async (scope) => {
    scope.addContentTypeParser(imageTypes, { parseAs: 'buffer', bodyLimit: maxAvatarBytes }, (_request, body, done) => done(null, body))
    const config: RouteConfig = { resource: 'conference' }
    for (const path of bothForms(`${apiPrefix}conference/:id/avatar/`)) {
      scope.put(path, { config, bodyLimit: maxAvatarBytes }, async (request: IdRequest, reply) => {
        const id = idOf(request.params.id)
        if (id === undefined) return notFound(reply, 'conference', request.params.id)
        const bytes = request.body
        if (!Buffer.isBuffer(bytes))
          return badRequest(reply, 'conference', [{ path: 'avatar', message: 'send the image itself, as image/png or image/jpeg' }])
        const type = recogniseAvatar(bytes)
        if (E.isLeft(type)) return badRequest(reply, 'conference', [{ path: 'avatar', message: type.left }])
        const declared = (request.headers['content-type'] ?? '').split(';', 1)[0]?.trim().toLowerCase()
        if (declared !== type.right && declared !== 'application/octet-stream')
          return badRequest(reply, 'conference', [{ path: 'avatar', message: `the body is ${type.right}, not ${declared ?? 'untyped'}` }])
        const stored = store.setAvatar(id, { contentType: type.right, bytes: Buffer.from(bytes), sha1: sha1Hex(bytes) })
        return E.isLeft(stored) ? failed(request, reply, 'conference', stored.left) : reply.send(stored.right)
      })
      scope.delete(path, { config }, async (request: IdRequest, reply) => {
        const id = idOf(request.params.id)
        if (id === undefined) return notFound(reply, 'conference', request.params.id)
        const stored = store.setAvatar(id, undefined)
        return E.isLeft(stored) ? failed(request, reply, 'conference', stored.left) : reply.send(stored.right)
      })
    }
  })
}

/** Body and content-type failures found by fastify before a handler runs, in the API's shape. */
const errorHandler = (error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
  const status = error.statusCode ?? 500
  if (status >= 400 && status < 500) return reply.code(status).send(problemsBody(resourceOf(request), [{ path: '', message: error.message }]))
  request.log.error({ err: error }, 'management API failure')
  return reply.code(500).send({ error: 'internal error' })
}

/**
 * Adds the management API to `app`, and to `app` itself the Basic-auth guard of every path under
 * `/api/`: this API's routes, unknown paths, and the routes other plugins on the same server add
 * there (the status API), whichever order they are registered in (the socket spec checks it).
 */
export const registerConfigurationApi = async (app: FastifyInstance, deps: ConfigurationApiDeps): Promise<void> => {
  const authenticator = new AdminAuthenticator(deps.store)
  app.addHook('onRequest', authenticator.onRequest)
  await app.register(async (api) => {
    api.setErrorHandler(errorHandler)
    for (const resource of resources) registerResource(api, deps.store, resource)
    registerGlobal(api, deps.store)
    await registerAvatar(api, deps.store)
  })
}

/**
 * The same as a plugin for `createHttpServer({ routes })`. Marked `skip-override` (what
 * fastify-plugin does) so the auth guard lands on the server itself rather than in a child
 * context, where it would guard this API's routes only.
 */
export const configurationApi = (deps: ConfigurationApiDeps): FastifyPluginAsync => {
  const plugin: FastifyPluginAsync = (app) => registerConfigurationApi(app, deps)
  return Object.assign(plugin, { [Symbol.for('skip-override')]: true })
}

export type { JsonObject }
