/**
 * Splits a header value that holds a comma-separated list (Via, Route, Record-Route, Contact,
 * Supported…; RFC 3261 §7.3.1) into its elements, leaving commas inside quoted strings and
 * `<...>` URIs alone.
 */
export const splitHeaderList = (value: string): string[] => {
  const items: string[] = []
  let start = 0
  let inQuotes = false
  let inAngle = false
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (inQuotes) {
      if (c === 0x5c) i++ // backslash escapes the next character
      else if (c === 0x22) inQuotes = false
    } else if (c === 0x22) inQuotes = true
    else if (c === 0x3c) inAngle = true
    else if (c === 0x3e) inAngle = false
    else if (c === 0x2c && !inAngle) {
      const item = value.slice(start, i).trim()
      if (item !== '') items.push(item)
      start = i + 1
    }
  }
  const last = value.slice(start).trim()
  if (last !== '') items.push(last)
  return items
}
