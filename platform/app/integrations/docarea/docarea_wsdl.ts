import { fileURLToPath } from 'node:url'

/**
 * The DOCAREA WSDL kept with the code (the project reads nothing outside
 * itself at run time), and the service path it declares.
 */
export const DOCAREA_WSDL_PATH = fileURLToPath(new URL('./docarea.wsdl', import.meta.url))

export const DOCAREA_PATH = '/JProtocolloDocArea/services/DOCAREAProtoSoap'

/** The boundary of a multipart Content-Type header, or null when the body is not multipart. */
export function parseMultipartBoundary(contentType: string | undefined): string | null {
  if (!contentType || !/^\s*multipart\//i.test(contentType)) return null
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType)
  return match ? (match[1] ?? match[2]) : null
}
