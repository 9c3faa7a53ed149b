/**
 * The answer to a batched (resource list) subscription: `multipart/related;
 * type="application/rlmi+xml"` with an RLMI `<list>` part first and one presence document part
 * per resource (RFC 4662 §5; [MS-SIP] 3.3.5.1 and 4.3, where SfB gets it piggybacked in the 200
 * OK or in a NOTIFY/BENOTIFY; PROTOCOLS 1.1).
 *
 * Every resource — Available or Unknown — is an `active` instance with a body part: for Unknown
 * that part is the empty document (`<categories uri/>`, or a PIDF without tuples). Choice, per
 * RFC 4662 §5.2: `terminated` (with reason `rejected`/`noresource`) would tell the watcher that
 * no further state will come for that resource, but DESIGN §2 keeps presence current — an
 * address that is unknown today becomes Available when the operator adds it, and its watchers
 * must hear of it. `pending` means "authorization pending", which is not the case either.
 *
 * Content-IDs: the RLMI `cid` attribute never has angle brackets (RFC 4662 §5.2). The MIME
 * `Content-ID` header and the `start` parameter are written bare for SfB watchers, exactly as
 * Microsoft's servers send them ([MS-SIP] 3.3.5.1: `start=resourceList`, `Content-ID:
 * resourceList`), and bracketed for everyone else, as RFC 2392/2387 and RFC 4662's examples do.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { PresenceDocument } from '../../../core/node/effect.js'
import type { AvatarSource } from './avatar-link.js'
import { categoriesContentType, renderCategoriesDocument } from './categories-document.js'
import { pidfContentType, renderPidfDocument } from './pidf-document.js'
import { element, serializeXml } from './xml-writer.js'

export const rlmiContentType = 'application/rlmi+xml'
export const rlmiNamespace = 'urn:ietf:params:xml:ns:rlmi'

/** What each resource's part carries. */
export type PartFormat = 'msrtc-categories' | 'pidf'

export interface BatchedResource {
  /** The address as the watcher listed it; echoed in RLMI `resource/@uri` and the part's document. */
  readonly uri: string
  readonly document: PresenceDocument
  /** The watcher's categoryList for this resource (msrtc parts only). */
  readonly categories?: ReadonlyArray<string>
}

export interface BatchedAnswer {
  /** RLMI `list/@uri`: for SfB the watcher's own URI (the batched SUBSCRIBE's request-URI). */
  readonly listUri: string
  /**
   * RLMI `version`: RFC 4662 §5.2 starts at 0 and adds one per document sent on this
   * subscription (Microsoft's example starts at 1; SfB only needs it to grow). The caller counts.
   */
  readonly version: number
  /** `true` for the first answer and refreshes; `false` for a NOTIFY with only changed resources. */
  readonly fullState: boolean
  readonly resources: ReadonlyArray<BatchedResource>
  readonly partFormat: PartFormat
  /** A fresh random token per message (RFC 2046 §5.1.1 boundary characters, 1-70 of them). */
  readonly boundary: string
  readonly avatars: AvatarSource
  /** Passed to the msrtc documents. */
  readonly publishTime?: string
}

export interface RenderedBody {
  /** The full Content-Type header value. */
  readonly contentType: string
  readonly body: string
}

export type BatchedAnswerError =
  | { readonly _tag: 'InvalidBoundary'; readonly boundary: string }
  /** A part contains the delimiter: the caller draws another boundary and renders again. */
  | { readonly _tag: 'BoundaryInBody'; readonly boundary: string }
  | { readonly _tag: 'InvalidVersion'; readonly version: number }

/** RFC 2046 §5.1.1 bchars, without the space (a trailing space is illegal and an inner one needless). */
const boundaryPattern = /^[0-9A-Za-z'()+_,\-./:=?]{1,70}$/

const contentIdOf = (id: string, partFormat: PartFormat): string => (partFormat === 'msrtc-categories' ? id : `<${id}>`)

export const renderBatchedAnswer = (answer: BatchedAnswer): E.Either<BatchedAnswerError, RenderedBody> => {
  const { boundary, partFormat } = answer
  if (!boundaryPattern.test(boundary)) return E.left({ _tag: 'InvalidBoundary', boundary })
  if (!Number.isSafeInteger(answer.version) || answer.version < 0) return E.left({ _tag: 'InvalidVersion', version: answer.version })

  // Content-IDs are unique within the message, which is all a multipart/related needs.
  const listId = `list.${boundary}@parley`
  const resourceId = (i: number): string => `r${i}.${boundary}@parley`

  const list = serializeXml(
    element(
      'list',
      [['xmlns', rlmiNamespace], ['uri', answer.listUri], ['version', String(answer.version)], ['fullState', String(answer.fullState)]],
      answer.resources.map((r, i) =>
        element('resource', [['uri', r.uri]], [element('instance', [['id', '0'], ['state', 'active'], ['cid', resourceId(i)]])]),
      ),
    ),
  )
  // Microsoft's servers label parts without parameters; RFC 4662's example adds the charset.
  const labelled = (type: string): string => (partFormat === 'msrtc-categories' ? type : `${type};charset="UTF-8"`)
  const partContentType = partFormat === 'msrtc-categories' ? categoriesContentType : pidfContentType
  const parts: Array<{ readonly id: string; readonly contentType: string; readonly body: string }> = [
    { id: listId, contentType: labelled(rlmiContentType), body: list },
    ...answer.resources.map((r, i) => ({
      id: resourceId(i),
      contentType: labelled(partContentType),
      body:
        partFormat === 'msrtc-categories'
          ? renderCategoriesDocument(r.uri, r.document, {
              avatars: answer.avatars,
              ...(r.categories === undefined ? {} : { categories: r.categories }),
              ...(answer.publishTime === undefined ? {} : { publishTime: answer.publishTime }),
            })
          : renderPidfDocument(r.uri, r.document, answer.avatars),
    })),
  ]
  const delimiter = `--${boundary}`
  if (parts.some((p) => p.body.includes(delimiter))) return E.left({ _tag: 'BoundaryInBody', boundary })

  // RFC 2046 §5.1.1: each body part is preceded by CRLF "--" boundary CRLF; the last one is
  // followed by CRLF "--" boundary "--". SIP sends the bytes as they are (binary).
  const body =
    parts
      .map(
        (p) =>
          `${delimiter}\r\nContent-Transfer-Encoding: binary\r\nContent-ID: ${contentIdOf(p.id, partFormat)}\r\nContent-Type: ${p.contentType}\r\n\r\n${p.body}`,
      )
      .join('\r\n') + `\r\n${delimiter}--\r\n`
  const contentType = `multipart/related; type="${rlmiContentType}"; start="${contentIdOf(listId, partFormat)}"; boundary="${boundary}"`
  return E.right({ contentType, body })
}
