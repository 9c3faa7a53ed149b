/** Why an IM body or header gave no text. The upper layer answers 415/400 or ignores it. */
export type ImError =
  | { readonly _tag: 'UnsupportedImContentType'; readonly contentType: string }
  | { readonly _tag: 'MalformedImBody'; readonly reason: string }
  | { readonly _tag: 'EmptyMessage' }
  | { readonly _tag: 'NoEmbeddedMessage' }
  | { readonly _tag: 'NotTyping'; readonly contentType: string }
