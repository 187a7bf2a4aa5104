/**
 * `Content-Disposition` for a file whose name came from a person (RFC 6266, with the RFC 8187 /
 * RFC 5987 `filename*` parameter). Node refuses header values outside Latin-1 or with control
 * characters (ERR_INVALID_CHAR), so a raw "Ștefan_CI.pdf" or "документ.pdf" must never reach
 * `response.header`: the plain `filename` is an ASCII stand-in for old clients, and `filename*`
 * carries the real name percent-encoded in UTF-8.
 */
export function contentDisposition(kind: 'attachment' | 'inline', fileName: string): string {
  const name = String(fileName).slice(0, 255)
  // The ASCII fallback: letters with accents lose them ("Ștefan" → "Stefan"), anything else that is
  // not printable ASCII, and the characters quoting would have to escape, become "_".
  const fallback =
    name
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[^\x20-\x7e]|["\\%]/g, '_')
      .trim() || 'file'
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
  return `${kind}; filename="${fallback}"; filename*=UTF-8''${encoded}`
}
