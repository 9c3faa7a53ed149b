/**
 * The bodies of batched presence SUBSCRIBEs (PROTOCOLS 1.1):
 * - `application/msrtc-adrl-categorylist+xml` (OCS 2007+/Lync/SfB; [MS-PRES] 2.2.2.4.1):
 *   `<batchSub uri="sip:<watcher>">` → `<action name="subscribe" id>` → `<adhocList>` with
 *   `<resource uri>` entries (optionally with a `<context>` child) and `<categoryList>` with
 *   `<category name>` entries;
 * - `application/adrl+xml` (LCS 2005 "RTC/1.3"; [MS-SIP] 3.3.4.1): `<adhoclist uri>` →
 *   `<create>` / `<add>` / `<delete>` with `<resource uri>` entries.
 *
 * Clients differ in namespaces (pidgin-sipe writes `<create xmlns="">`, the MS-SIP example has
 * none), prefixes, spacing and attribute order, so elements are matched by local name only,
 * case-insensitively (`adhocList` / `adhoclist` both occur). The shape is recognised from the
 * root element, not from the Content-Type, which the caller has already used to come here.
 */
import * as E from 'fp-ts/lib/Either.js'
import { attribute, childElements, readXml } from './xml-reader.js'
import type { XmlElement, XmlError } from './xml-reader.js'

export const batchSubscribeNamespace = 'http://schemas.microsoft.com/2006/01/sip/batch-subscribe'
export const categoryListNamespace = 'http://schemas.microsoft.com/2006/09/sip/categorylist'
export const adrlNamespace = 'urn:ietf:params:xml:ns:adrl'

export type BatchFormat = 'msrtc-adrl-categorylist' | 'adrl'

/** What the watcher wants done for the listed resources. */
export type BatchOperation = 'subscribe' | 'unsubscribe'

export interface BatchAction {
  readonly operation: BatchOperation
  /** As written: `subscribe`/`unsubscribe` (batchSub) or `create`/`add`/`delete` (adrl). */
  readonly name: string
  /** batchSub `action/@id`, when given. */
  readonly id?: string
  /** The watched addresses, in order, as written (e.g. `sip:meet.alice@example.com`). */
  readonly resources: ReadonlyArray<string>
  /**
   * Category names asked for (`state`, `contactCard`, …), in order, without duplicates;
   * absent when the body has no `<categoryList>` (adrl: everything the server has).
   */
  readonly categories?: ReadonlyArray<string>
}

export interface BatchSubscription {
  readonly format: BatchFormat
  /** The watcher's own URI (`batchSub/@uri`, `adhoclist/@uri`), when given. */
  readonly watcher?: string
  readonly actions: ReadonlyArray<BatchAction>
}

export type SubscriptionBodyError =
  | { readonly _tag: 'MalformedXml'; readonly error: XmlError }
  | { readonly _tag: 'UnexpectedRoot'; readonly name: string; readonly namespace: string }
  | { readonly _tag: 'MissingAttribute'; readonly element: string; readonly attribute: string }
  | { readonly _tag: 'UnknownAction'; readonly name: string }

const named = (e: XmlElement, name: string): boolean => e.name.toLowerCase() === name.toLowerCase()
const childrenNamed = (e: XmlElement, name: string): ReadonlyArray<XmlElement> => childElements(e).filter((c) => named(c, name))

const requiredAttribute = (e: XmlElement, name: string): E.Either<SubscriptionBodyError, string> => {
  const value = attribute(e, name)?.trim()
  return value === undefined || value === ''
    ? E.left({ _tag: 'MissingAttribute', element: e.name, attribute: name })
    : E.right(value)
}

const resourceUris = (list: XmlElement): E.Either<SubscriptionBodyError, ReadonlyArray<string>> =>
  E.traverseArray((r: XmlElement) => requiredAttribute(r, 'uri'))(childrenNamed(list, 'resource'))

const batchSubOperation = (name: string): BatchOperation | undefined => {
  switch (name.toLowerCase()) {
    case 'subscribe':
      return 'subscribe'
    case 'unsubscribe':
      return 'unsubscribe'
    default:
      return undefined
  }
}

const adrlOperation = (name: string): BatchOperation | undefined => {
  switch (name.toLowerCase()) {
    case 'create':
    case 'add':
      return 'subscribe'
    case 'delete':
      return 'unsubscribe'
    default:
      return undefined
  }
}

const batchSubAction = (action: XmlElement): E.Either<SubscriptionBodyError, BatchAction> => {
  const name = requiredAttribute(action, 'name')
  if (E.isLeft(name)) return name
  const operation = batchSubOperation(name.right)
  if (operation === undefined) return E.left({ _tag: 'UnknownAction', name: name.right })
  const resources = E.traverseArray(resourceUris)(childrenNamed(action, 'adhocList'))
  if (E.isLeft(resources)) return resources
  const categoryLists = childrenNamed(action, 'categoryList')
  const categoryNames = E.traverseArray((c: XmlElement) => requiredAttribute(c, 'name'))(
    categoryLists.flatMap((l) => childrenNamed(l, 'category')),
  )
  if (E.isLeft(categoryNames)) return categoryNames
  const id = attribute(action, 'id')
  return E.right({
    operation,
    name: name.right,
    ...(id === undefined ? {} : { id }),
    resources: resources.right.flat(),
    ...(categoryLists.length === 0 ? {} : { categories: [...new Set(categoryNames.right)] }),
  })
}

const adrlAction = (operationElement: XmlElement): E.Either<SubscriptionBodyError, BatchAction | undefined> => {
  const operation = adrlOperation(operationElement.name)
  if (operation === undefined) return E.right(undefined) // the schema allows extension elements (`xs:any`)
  return E.map((resources: ReadonlyArray<string>) => ({ operation, name: operationElement.name, resources }))(
    resourceUris(operationElement),
  )
}

const withWatcher = (root: XmlElement): { readonly watcher?: string } => {
  const watcher = attribute(root, 'uri')?.trim()
  return watcher === undefined || watcher === '' ? {} : { watcher }
}

/** Reads a batched SUBSCRIBE body of either shape; never throws. */
export const parseBatchSubscription = (body: string): E.Either<SubscriptionBodyError, BatchSubscription> => {
  const xml = readXml(body)
  if (E.isLeft(xml)) return E.left({ _tag: 'MalformedXml', error: xml.left })
  const root = xml.right
  if (named(root, 'batchSub')) {
    return E.map((actions: ReadonlyArray<BatchAction>) => ({
      format: 'msrtc-adrl-categorylist' as const,
      ...withWatcher(root),
      actions,
    }))(E.traverseArray(batchSubAction)(childrenNamed(root, 'action')))
  }
  if (named(root, 'adhoclist')) {
    return E.map((actions: ReadonlyArray<BatchAction | undefined>) => ({
      format: 'adrl' as const,
      ...withWatcher(root),
      actions: actions.filter((a): a is BatchAction => a !== undefined),
    }))(E.traverseArray(adrlAction)(childElements(root)))
  }
  return E.left({ _tag: 'UnexpectedRoot', name: root.name, namespace: root.namespace })
}

/** Every resource to watch, in order and without duplicates, with the categories asked for it. */
export const subscribedResources = (
  batch: BatchSubscription,
): ReadonlyArray<{ readonly uri: string; readonly categories?: ReadonlyArray<string> }> => {
  const byUri = new Map<string, { readonly uri: string; readonly categories?: ReadonlyArray<string> }>()
  for (const action of batch.actions) {
    for (const uri of action.resources) {
      if (action.operation === 'unsubscribe') byUri.delete(uri)
      else byUri.set(uri, action.categories === undefined ? { uri } : { uri, categories: action.categories })
    }
  }
  return [...byUri.values()]
}
