/** Why an SDP body cannot be used. The upper layer answers 488 (or 400 for a malformed body). */
export type SdpError =
  /** No body at all: an INVITE without an offer (RFC 3261 §13.2.1); Parley must offer in the 200. */
  | { readonly _tag: 'EmptyBody' }
  | { readonly _tag: 'UnsupportedContentType'; readonly contentType: string }
  | { readonly _tag: 'MalformedMultipart'; readonly reason: string }
  /** A multipart body without any `application/sdp` part. */
  | { readonly _tag: 'NoSdpPart' }
  | { readonly _tag: 'MalformedSdp'; readonly reason: string }
