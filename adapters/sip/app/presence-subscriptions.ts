/**
 * Presence subscriptions over SIP, as the PresenceDelivery port (DESIGN §2 "Presence and
 * avatar", §3; PROTOCOLS 1.1, 2.1). One core subscription per watched resource: a plain
 * RFC 3856 SUBSCRIBE watches its Request-URI; an SfB categoryList / adrl SUBSCRIBE watches every
 * resource of its body (MS-PRES 2.2.2.4.1), however many, in one SIP dialog.
 *
 * The answer: once the core has answered every resource of the dialog, 200 — with the first
 * notification in it when the watcher supports `ms-piggyback-first-notify` (MS-SIP 3.4.5.1; the
 * first NOTIFY is then skipped), else 200 and a NOTIFY (RFC 6665 §4.2.1). The body is what
 * `chooseFormat` says: msrtc categories or PIDF, batched as multipart/related + RLMI (RFC 4662)
 * for resource lists. A later change of one resource is a NOTIFY with that resource only
 * (`fullState="false"`) for lists, the document for single subscriptions. NOTIFYs in one
 * dialog go one at a time (RFC 6665 §4.2.2: not before the previous one is answered).
 *
 * Refresh (SUBSCRIBE in the dialog) answers again with the full state; `Expires: 0` and expiry
 * end it with a NOTIFY `terminated` and PresenceUnsubscribed for each resource. Subscriptions
 * are capped per source and overall (503 with Retry-After beyond); trusted peers (an SfB pool
 * carrying all its users' subscriptions) only by the overall cap.
 */
import { randomBytes } from 'node:crypto'
import * as E from 'fp-ts/lib/Either.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import type { Logger } from 'pino'
import type { SubscriptionId } from '../../../core/model/ids.js'
import type { PresenceAnswer, PresenceDocument, PresenceNotify } from '../../../core/node/effect.js'
import type { Input } from '../../../core/node/input.js'
import type { Clock } from '../../../core/ports/clock.js'
import type { Ids } from '../../../core/ports/ids.js'
import type { PresenceDelivery, PresenceDeliveryError } from '../../../core/ports/presence-delivery.js'
import type { SipHeader } from '../dialect/sip-headers.js'
import type { AvatarSource } from '../presence/avatar-link.js'
import { renderBatchedAnswer } from '../presence/batched-answer.js'
import { categoriesContentType, renderCategoriesDocument } from '../presence/categories-document.js'
import { pidfContentType, renderPidfDocument } from '../presence/pidf-document.js'
import type { PresenceFormat } from '../presence/presence-format.js'
import { adrlContentType, categoryListContentType, chooseFormat, mediaTypeOf, producedContentTypes } from '../presence/presence-format.js'
import { parseBatchSubscription, subscribedResources } from '../presence/subscription-body.js'
import { header } from '../stack/message-writer.js'
import type { Dialog, DialogEnd, ServerRequest, SipRequest } from '../stack/stack-types.js'
import { dialledAddress, eventPackage, expiresOf, fromUri, isTrusted, reasonHeader, sourceOf, supportedTags } from './request-reading.js'
import type { NodeMetricsSink } from '../../node/metrics-sink.js'

export interface SubscriptionLimits {
  /** RFC 3856 §6.4 suggests an hour; longer requests are shortened to this (RFC 6665 §4.2.1.1). */
  readonly maxExpiresS: number
  /** Shorter non-zero requests get 423 with Min-Expires (RFC 6665 §4.2.1.1). */
  readonly minExpiresS: number
  /** Watched resources over all subscriptions. */
  readonly maxTotal: number
  /** Watched resources per source address that is not a trusted peer. */
  readonly maxPerUntrustedSource: number
}

export const defaultSubscriptionLimits: SubscriptionLimits = { maxExpiresS: 3600, minExpiresS: 60, maxTotal: 200_000, maxPerUntrustedSource: 1_000 }

/** RFC 3856 §6.4: the default duration when the SUBSCRIBE has no Expires. */
const defaultExpiresS = 3600
/** How long to wait before a refused watcher retries (503). */
const retryAfterS = 60

export interface PresenceSubscriptionsOptions {
  readonly clock: Clock
  readonly ids: Ids
  readonly logger: Logger
  readonly trustedPeers: () => ReadonlyArray<string>
  readonly isOwnHost: (host: string) => boolean
  readonly limits?: Partial<SubscriptionLimits>
  /** Counts each NOTIFY sent (GET /metrics). */
  readonly metrics?: Pick<NodeMetricsSink, 'notifySent'>
}

interface Resource {
  readonly subscription: SubscriptionId
  readonly uri: string
  readonly categories?: ReadonlyArray<string>
  document?: PresenceDocument
}

type Phase =
  /** Waiting for the core's first answers, then the 200. */
  | 'answering'
  | 'active'
  /** A refresh: waiting for the core's answers, then a full-state NOTIFY. */
  | 'refreshing'
  | 'ended'

interface SubscriptionRecord {
  readonly request: ServerRequest
  readonly source: string
  readonly trusted: boolean
  readonly format: PresenceFormat
  /** RLMI `list/@uri` (batched only): the watcher's list, i.e. its own URI for SfB. */
  readonly listUri: string
  readonly resources: ReadonlyArray<Resource>
  readonly piggyback: boolean
  phase: Phase
  /** Core answers still awaited in this phase. */
  awaiting: Set<SubscriptionId>
  /** `Expires: 0` on the initial SUBSCRIBE: one NOTIFY with the state, then the end (RFC 6665 §4.4.3 fetch). */
  fetch: boolean
  dialog?: Dialog
  expiresAt: number
  cancelExpiry?: () => void
  /** RLMI version: one more for every list document sent in this dialog (RFC 4662 §5.2). */
  rlmiVersion: number
  /** NOTIFYs go one after the other. */
  notifying: Promise<unknown>
  /**
   * Resources changed since the queued NOTIFY was queued: that NOTIFY, when its turn comes,
   * carries all of them (RFC 6665 §4.2.2: a notifier may hold back and merge state changes;
   * RFC 4662 §5.2: a partial-state list NOTIFY names any number of resources).
   */
  pending: Set<Resource> | undefined
}

type Refusal = { readonly status: number; readonly reason: string; readonly headers: ReadonlyArray<SipHeader> }

const refusal = (status: number, reason: string, ...headers: ReadonlyArray<SipHeader>): Refusal => ({ status, reason, headers: [reasonHeader(status, reason), ...headers] })

/**
 * Multipart boundaries: a random prefix per process and a counter. A boundary need only be
 * absent from the parts (RFC 2046 §5.1.1; renderBatchedAnswer checks, and render draws again),
 * not unpredictable; drawing 12 random bytes per NOTIFY cost ~17 us of a batched NOTIFY's CPU.
 */
const boundaryPrefix = randomBytes(9).toString('hex')
let boundaryCount = 0
const boundary = (): string => `${boundaryPrefix}${(boundaryCount++).toString(36)}`

/** A document's identity for the render cache: everything a single-resource body is made from. */
const documentKey = (d: PresenceDocument): string =>
  d._tag === 'Unknown' ? 'U' : `A\n${d.displayName}\n${d.avatar._tag === 'ProductLogo' ? '' : `${d.avatar.conference}\n${d.avatar.hash}`}`

/** Rendered single-resource bodies kept; the cache is emptied when it reaches this. */
const renderCacheSize = 4096

/**
 * NOTIFYs awaiting their final response, over all dialogs; more wait for a place. A change
 * watched by 10 000 sent all its NOTIFYs at once, and their 200s arrived faster than the loop
 * read them: those read after Timer E's 500 ms were retransmitted, 800-8 000 of the 10 000 per
 * change (issue 8). A place is given back at the response, or after `notifyPlaceHoldMs`, so
 * that watchers who never answer cannot hold up the rest.
 */
const notifiesInFlight = 500
const notifyPlaceHoldMs = 200

export class PresenceSubscriptions implements PresenceDelivery {
  private consumer: (input: Input) => void = () => undefined
  private readonly bySubscription = new Map<SubscriptionId, { readonly record: SubscriptionRecord; readonly resource: Resource }>()
  private readonly perSource = new Map<string, number>()
  private total = 0
  private readonly limits: SubscriptionLimits
  private avatars: AvatarSource = { baseUrl: 'http://127.0.0.1', productLogoHash: '' }
  /**
   * Single-resource bodies by format, address, categories and document: every watcher of a
   * room gets the same bytes, so a change watched by many is rendered once, not once per
   * NOTIFY (the render was ~40 us of a PIDF NOTIFY's CPU in the fan-out profile, issue 8).
   */
  private readonly rendered = new Map<string, string>()
  private inFlight = 0
  /** NOTIFYs waiting for a place, first come first served (`waitingHead` is the next). */
  private waiting: Array<() => void> = []
  private waitingHead = 0

  constructor(private readonly options: PresenceSubscriptionsOptions) {
    this.limits = { ...defaultSubscriptionLimits, ...options.limits }
  }

  readonly onInput = (deliver: (input: Input) => void): void => {
    this.consumer = deliver
  }

  /** Where avatars are served; known once HTTP listens (SipService.start). */
  setAvatarSource(source: AvatarSource): void {
    this.avatars = source
    this.rendered.clear()
  }

  /** Watched resources now. */
  get watched(): number {
    return this.total
  }

  private now(): number {
    return this.options.clock.now()
  }

  // ---- new subscriptions -----------------------------------------------------------------------

  receiveSubscribe(incoming: ServerRequest): void {
    const request = incoming.request
    const refused = (r: Refusal): void => void incoming.respond({ status: r.status, reason: r.reason, headers: r.headers })
    const event = eventPackage(request)
    // RFC 6665 §4.2.1.2: a package we do not serve.
    if (event !== 'presence') return refused(refusal(489, event === undefined ? 'No Event header' : `Event package ${event} is not served`, header('Allow-Events', 'presence')))
    const expires = this.grantedExpires(request)
    if (E.isLeft(expires)) return refused(expires.left)
    const contentType = request.getHeader('Content-Type')
    const format = chooseFormat(request.getHeader('Accept'), contentType)
    if (E.isLeft(format)) return refused(refusal(406, 'None of the presence formats Parley sends is acceptable', header('Accept', producedContentTypes.join(', '))))
    const watched = this.watchedResources(request, contentType)
    if (E.isLeft(watched)) return refused(watched.left)
    const list = watched.right
    if (list.resources.length === 0) return refused(refusal(400, 'The subscription names no resource'))
    if (list.resources.length > 1 && !format.right.batched)
      return refused(refusal(406, 'A resource list is answered as multipart/related with RLMI (RFC 4662)', header('Accept', producedContentTypes.join(', '))))
    const source = sourceOf(incoming.flow)
    const trusted = isTrusted(incoming.flow, this.options.trustedPeers())
    const over = this.overCap(source, trusted, list.resources.length)
    if (over !== undefined) return refused(refusal(503, over, header('Retry-After', String(retryAfterS))))

    const resources: Resource[] = list.resources.map((r) => ({
      subscription: this.options.ids.subscription(),
      uri: r.uri,
      ...(r.categories === undefined ? {} : { categories: r.categories }),
    }))
    const record: SubscriptionRecord = {
      request: incoming,
      source,
      trusted,
      format: format.right,
      listUri: list.listUri,
      resources,
      piggyback: supportedTags(request).has('ms-piggyback-first-notify'),
      phase: 'answering',
      awaiting: new Set(resources.map((r) => r.subscription)),
      fetch: expires.right === 0,
      expiresAt: this.now() + expires.right * 1000,
      rlmiVersion: 0,
      notifying: Promise.resolve(),
      pending: undefined,
    }
    this.count(record, +1)
    for (const resource of resources) this.bySubscription.set(resource.subscription, { record, resource })
    const watcher = fromUri(request)
    this.options.logger.debug({ callId: request.callId, resources: resources.length, format: format.right, source }, 'presence subscription')
    for (const resource of resources) {
      this.consumer({ _tag: 'PresenceSubscribed', at: this.now(), subscription: resource.subscription, target: resource.uri, watcher })
    }
    this.checkAnswered(record)
  }

  private grantedExpires(request: SipRequest): E.Either<Refusal, number> {
    const expires = expiresOf(request)
    switch (expires._tag) {
      case 'Absent':
        return E.right(Math.min(defaultExpiresS, this.limits.maxExpiresS))
      case 'Malformed':
        return E.left(refusal(400, `Malformed Expires: ${expires.value}`))
      case 'Seconds':
        if (expires.seconds !== 0 && expires.seconds < this.limits.minExpiresS)
          return E.left(refusal(423, 'Subscription too brief', header('Min-Expires', String(this.limits.minExpiresS))))
        return E.right(Math.min(expires.seconds, this.limits.maxExpiresS))
    }
  }

  /** The resources a SUBSCRIBE watches: those of a list body, else its own target. */
  private watchedResources(
    request: SipRequest,
    contentType: string | undefined,
  ): E.Either<Refusal, { readonly listUri: string; readonly resources: ReadonlyArray<{ readonly uri: string; readonly categories?: ReadonlyArray<string> }> }> {
    const type = mediaTypeOf(contentType)
    const target = dialledAddress(request, this.options.isOwnHost)
    if ((type === categoryListContentType || type === adrlContentType) && request.bodyBytes.length > 0) {
      const batch = parseBatchSubscription(request.bodyBytes.toString('utf8'))
      if (E.isLeft(batch)) return E.left(refusal(400, `Unreadable subscription list: ${batch.left._tag}`))
      return E.right({ listUri: batch.right.watcher ?? request.requestUri, resources: subscribedResources(batch.right) })
    }
    // A filter or any other body does not change what is watched (RFC 3856 §6.3: filters are optional).
    return E.right({ listUri: request.requestUri, resources: [{ uri: target }] })
  }

  private overCap(source: string, trusted: boolean, adding: number): string | undefined {
    if (this.total + adding > this.limits.maxTotal) return `Parley watches ${this.limits.maxTotal} presence resources at most`
    if (!trusted && (this.perSource.get(source) ?? 0) + adding > this.limits.maxPerUntrustedSource)
      return `at most ${this.limits.maxPerUntrustedSource} presence resources per source`
    return undefined
  }

  private count(record: SubscriptionRecord, sign: 1 | -1): void {
    const n = record.resources.length * sign
    this.total += n
    const next = (this.perSource.get(record.source) ?? 0) + n
    if (next === 0) this.perSource.delete(record.source)
    else this.perSource.set(record.source, next)
  }

  // ---- the core's answers -------------------------------------------------------------------------

  readonly perform = (effect: PresenceAnswer | PresenceNotify): TE.TaskEither<PresenceDeliveryError, void> => {
    const entry = this.bySubscription.get(effect.subscription)
    if (entry === undefined || entry.record.phase === 'ended') return TE.left({ _tag: 'SubscriptionGone', subscription: effect.subscription })
    const { record, resource } = entry
    resource.document = effect.document
    if (record.awaiting.delete(effect.subscription)) {
      this.checkAnswered(record)
      return TE.right(undefined)
    }
    // A change while the dialog is active (the core only notifies watchers it has answered).
    if (record.phase === 'active' && effect._tag === 'PresenceNotify') this.queueChange(record, resource)
    return TE.right(undefined)
  }

  /** A NOTIFY for a changed resource, merged with any other change made before it goes out. */
  private queueChange(record: SubscriptionRecord, resource: Resource): void {
    if (record.pending !== undefined) {
      record.pending.add(resource)
      return
    }
    const pending = new Set([resource])
    record.pending = pending
    void this.notify(
      record,
      () => {
        record.pending = undefined
        return [...pending]
      },
      false,
    )
  }

  private checkAnswered(record: SubscriptionRecord): void {
    if (record.awaiting.size > 0) return
    if (record.phase === 'answering') this.accept(record)
    else if (record.phase === 'refreshing') {
      record.phase = 'active'
      void this.notify(record, record.resources, true)
    }
  }

  /** The 200 for a new subscription, with the first notification in it or in a NOTIFY after it. */
  private accept(record: SubscriptionRecord): void {
    const seconds = Math.max(0, Math.round((record.expiresAt - this.now()) / 1000))
    const headers: SipHeader[] = [header('Expires', String(seconds))]
    const body = record.piggyback && !record.fetch ? this.render(record, record.resources, true) : undefined
    if (body !== undefined) {
      headers.push(
        header('Event', 'presence'),
        header('Subscription-State', `active;expires=${seconds}`),
        header('Supported', 'ms-piggyback-first-notify'),
        ...(record.format.batched ? [header('Require', 'eventlist')] : []),
      )
    }
    const answered = record.request.respond({ status: 200, headers, ...(body === undefined ? {} : { body }) })
    if (E.isLeft(answered) || answered.right === undefined) {
      this.end(record, undefined)
      return
    }
    const dialog = answered.right
    record.dialog = dialog
    dialog.setHandler({
      onRequest: (request) => this.receiveInDialog(record, request),
      onTerminated: (end) => this.dialogEnded(record, end),
    })
    if (record.fetch) {
      void this.finish(record, 'timeout', true)
      return
    }
    record.phase = 'active'
    this.scheduleExpiry(record)
    if (body === undefined) void this.notify(record, record.resources, true)
  }

  // ---- bodies and NOTIFYs -------------------------------------------------------------------------

  private render(record: SubscriptionRecord, resources: ReadonlyArray<Resource>, fullState: boolean): { contentType: string; content: string } | undefined {
    const documentOf = (r: Resource): PresenceDocument => r.document ?? { _tag: 'Unknown' }
    if (record.format.batched) {
      for (let attempt = 0; attempt < 3; attempt++) {
        const rendered = renderBatchedAnswer({
          listUri: record.listUri,
          version: record.rlmiVersion,
          fullState,
          resources: resources.map((r) => ({ uri: r.uri, document: documentOf(r), ...(r.categories === undefined ? {} : { categories: r.categories }) })),
          partFormat: record.format.document,
          boundary: boundary(),
          avatars: this.avatars,
        })
        if (E.isRight(rendered)) {
          record.rlmiVersion++
          return { contentType: rendered.right.contentType, content: rendered.right.body }
        }
      }
      this.options.logger.error({ listUri: record.listUri }, 'could not render a batched presence document')
      return undefined
    }
    const resource = resources[0]
    if (resource === undefined) return undefined
    const document = documentOf(resource)
    const format = record.format.document
    const key = `${format}\n${resource.uri}\n${resource.categories?.join(',') ?? ''}\n${documentKey(document)}`
    let content = this.rendered.get(key)
    if (content === undefined) {
      content =
        format === 'msrtc-categories'
          ? renderCategoriesDocument(resource.uri, document, {
              avatars: this.avatars,
              ...(resource.categories === undefined ? {} : { categories: resource.categories }),
            })
          : renderPidfDocument(resource.uri, document, this.avatars)
      if (this.rendered.size >= renderCacheSize) this.rendered.clear()
      this.rendered.set(key, content)
    }
    return { contentType: format === 'msrtc-categories' ? categoriesContentType : pidfContentType, content }
  }

  private subscriptionState(record: SubscriptionRecord): string {
    return `active;expires=${Math.max(0, Math.ceil((record.expiresAt - this.now()) / 1000))}`
  }

  /**
   * A NOTIFY in the dialog, after the ones before it; `state` defaults to active with the time
   * left. `resources` as a function is read when the NOTIFY's turn comes (queueChange).
   */
  private notify(
    record: SubscriptionRecord,
    which: ReadonlyArray<Resource> | (() => ReadonlyArray<Resource>),
    fullState: boolean,
    state?: string,
  ): Promise<unknown> {
    const next = record.notifying.then(async () => {
      if (record.dialog === undefined || record.dialog.state === 'terminated') return
      await this.takePlace()
      let held = true
      const giveBack = (): void => {
        if (!held) return
        held = false
        this.givePlaceBack()
      }
      const cancelHold = this.options.clock.schedule(this.now() + notifyPlaceHoldMs, giveBack)
      try {
        const resources = typeof which === 'function' ? which() : which
        const dialog = record.dialog
        if (dialog === undefined || dialog.state === 'terminated') return
        const body = resources.length === 0 ? undefined : this.render(record, resources, fullState)
        this.options.metrics?.notifySent()
        const sent = await dialog.request({
          method: 'NOTIFY',
          headers: [
            header('Event', 'presence'),
            header('Subscription-State', state ?? this.subscriptionState(record)),
            ...(record.format.batched && body !== undefined ? [header('Require', 'eventlist')] : []),
          ],
          ...(body === undefined ? {} : { body }),
        })
        if (E.isLeft(sent)) this.options.logger.debug({ callId: record.request.request.callId, failure: sent.left._tag }, 'NOTIFY got no 2xx')
      } finally {
        cancelHold()
        giveBack()
      }
    })
    record.notifying = next.catch(() => undefined)
    return next
  }

  /** Resolves at once while fewer than `notifiesInFlight` NOTIFYs await a response, else in turn. */
  private takePlace(): Promise<void> | undefined {
    if (this.inFlight < notifiesInFlight && this.waitingHead === this.waiting.length) {
      this.inFlight++
      return undefined
    }
    return new Promise((resolve) => this.waiting.push(resolve))
  }

  /** The place goes to the next NOTIFY waiting, if any. */
  private givePlaceBack(): void {
    if (this.waitingHead === this.waiting.length) {
      this.inFlight--
      return
    }
    const next = this.waiting[this.waitingHead++]!
    if (this.waitingHead === this.waiting.length) {
      this.waiting = []
      this.waitingHead = 0
    }
    next()
  }

  // ---- refresh, expiry, end -----------------------------------------------------------------------

  private receiveInDialog(record: SubscriptionRecord, incoming: ServerRequest): void {
    const request = incoming.request
    if (request.method !== 'SUBSCRIBE') {
      incoming.respond({ status: 405, headers: [header('Allow', 'SUBSCRIBE')] })
      return
    }
    if (eventPackage(request) !== 'presence') {
      incoming.respond({ status: 489, headers: [header('Allow-Events', 'presence')] })
      return
    }
    const expires = this.grantedExpires(request)
    if (E.isLeft(expires)) {
      incoming.respond({ status: expires.left.status, reason: expires.left.reason, headers: expires.left.headers })
      return
    }
    if (record.phase !== 'active') {
      // A refresh while the previous one is still being answered: answered, nothing more to do.
      incoming.respond({ status: 200, headers: [header('Expires', String(expires.right))] })
      return
    }
    incoming.respond({ status: 200, headers: [header('Expires', String(expires.right))] })
    if (expires.right === 0) {
      // RFC 6665 §4.2.1.4: unsubscribing; the last NOTIFY says so and carries the state.
      void this.finish(record, 'timeout', true)
      return
    }
    record.expiresAt = this.now() + expires.right * 1000
    this.scheduleExpiry(record)
    // RFC 6665 §4.2.1.2: a refresh is followed by a NOTIFY with the full state; the core answers again.
    record.phase = 'refreshing'
    record.awaiting = new Set(record.resources.map((r) => r.subscription))
    const watcher = fromUri(record.request.request)
    for (const resource of record.resources) {
      this.consumer({ _tag: 'PresenceSubscribed', at: this.now(), subscription: resource.subscription, target: resource.uri, watcher })
    }
    this.checkAnswered(record)
  }

  private scheduleExpiry(record: SubscriptionRecord): void {
    record.cancelExpiry?.()
    record.cancelExpiry = this.options.clock.schedule(record.expiresAt, () => {
      if (record.phase === 'ended') return
      this.options.logger.debug({ callId: record.request.request.callId }, 'presence subscription expired')
      void this.finish(record, 'timeout', false)
    })
  }

  /**
   * Ends a subscription from Parley's side: the last NOTIFY (`terminated;reason=…`, with the
   * state when `withState`), then PresenceUnsubscribed for each resource, then the dialog.
   */
  private finish(record: SubscriptionRecord, reason: 'timeout' | 'deactivated', withState: boolean): Promise<void> {
    if (record.phase === 'ended') return Promise.resolve()
    const last = this.notify(record, withState ? record.resources : [], true, `terminated;reason=${reason}`)
    this.end(record, undefined)
    return last.then(() => record.dialog?.terminate())
  }

  private dialogEnded(record: SubscriptionRecord, end: DialogEnd): void {
    if (record.phase === 'ended') return
    this.options.logger.debug({ callId: record.request.request.callId, end: end._tag }, 'presence subscription dialog ended')
    this.end(record, end)
  }

  /** Forgets the subscription and tells the core, once. */
  private end(record: SubscriptionRecord, _end: DialogEnd | undefined): void {
    if (record.phase === 'ended') return
    record.phase = 'ended'
    record.cancelExpiry?.()
    this.count(record, -1)
    for (const resource of record.resources) {
      this.bySubscription.delete(resource.subscription)
      this.consumer({ _tag: 'PresenceUnsubscribed', at: this.now(), subscription: resource.subscription })
    }
  }

  /** Ends every subscription (`deactivated`: RFC 6665 §4.1.3, the watcher may subscribe again at once). */
  async endAll(withinMs: number): Promise<void> {
    const records = new Set([...this.bySubscription.values()].map((e) => e.record))
    const finished = [...records].map((r) => {
      if (r.dialog === undefined) {
        r.request.respond({ status: 503, headers: [header('Retry-After', String(retryAfterS))] })
        this.end(r, undefined)
        return Promise.resolve()
      }
      return this.finish(r, 'deactivated', false)
    })
    if (finished.length === 0) return
    let cancel: (() => void) | undefined
    await Promise.race([Promise.allSettled(finished), new Promise<void>((resolve) => (cancel = this.options.clock.schedule(this.now() + withinMs, resolve)))])
    cancel?.()
  }
}
