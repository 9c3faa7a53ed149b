/**
 * Reads just enough of a message head to frame it: the Content-Length and the number of header
 * lines. The full grammar parse happens later, above the transport (RFC 3261 §18.3 only needs
 * the length).
 */
export interface HeadScan {
  /** Absent when the head has no Content-Length (or compact `l`) header. */
  readonly contentLength: number | undefined
  /** Set when a Content-Length is not a decimal number, or two disagree. */
  readonly invalidContentLength?: string
  readonly headerCount: number
}

const digitsOnly = /^[0-9]{1,10}$/

/** `head` is the start line and header lines, without the blank line that ends them. */
export const scanHead = (head: string): HeadScan => {
  let contentLength: number | undefined
  let invalid: string | undefined
  let headerCount = 0
  let lineStart = head.indexOf('\r\n')
  if (lineStart === -1) return { contentLength: undefined, headerCount: 0 }
  lineStart += 2
  while (lineStart < head.length) {
    let lineEnd = head.indexOf('\r\n', lineStart)
    if (lineEnd === -1) lineEnd = head.length
    const first = head.charCodeAt(lineStart)
    // A line starting with SP or HT continues the previous header (RFC 3261 §7.3.1).
    if (first !== 0x20 && first !== 0x09) {
      headerCount++
      const colon = head.indexOf(':', lineStart)
      if (colon !== -1 && colon < lineEnd) {
        const name = head.slice(lineStart, colon).trim().toLowerCase()
        if (name === 'content-length' || name === 'l') {
          const value = head.slice(colon + 1, lineEnd).trim()
          if (!digitsOnly.test(value)) invalid = value
          else {
            const n = Number(value)
            if (contentLength !== undefined && contentLength !== n) invalid = value
            contentLength = n
          }
        }
      }
    }
    lineStart = lineEnd + 2
  }
  return invalid === undefined ? { contentLength, headerCount } : { contentLength, invalidContentLength: invalid, headerCount }
}
