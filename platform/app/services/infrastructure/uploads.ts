/*
 * Multipart bodies of the upload routes, read by busboy into memory within fixed bounds.
 *
 * The framework's multipart reader wrote every file to the system's temporary directory and never
 * removed it (every identity document and certificate stayed there in clear), bounded neither a
 * part's headers nor a field's name (a name nested a million levels deep held the event loop for
 * seconds, one nested a few thousand left the request hanging), and expanded `a[b][c]` names into
 * nested objects. Here a body is at most one file and a few flat fields, each bounded, the whole
 * body is counted as it arrives, and the only copy of a file ever written to disk is the encrypted
 * one the storage keeps.
 */
import busboy from 'busboy'
import type { IncomingMessage } from 'node:http'
import type { HttpContext } from '@adonisjs/core/http'
import { LocalizedError, texts } from '#i18n/catalogue'

export interface UploadedFile {
  field: string
  fileName: string
  bytes: Buffer
}

export interface UploadBounds {
  /** Largest file, in bytes. */
  fileBytes: number
  /** Fields besides the file. */
  fields: number
  /** Longest field value, in bytes. */
  fieldBytes: number
}

/**
 * Field names are short identifiers: the upload routes take `file`, `type`, `notes`, `person_id`...
 * (busboy bounds a part's headers at 16 KB; a longer name is an unreadable body).
 */
const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]{0,39}$/
/** Room for part headers, boundaries and fields beside the file, counted in the body's bytes. */
const BODY_OVERHEAD = 256 * 1024

const uploads = new WeakMap<HttpContext, { fields: Record<string, string | null>; files: UploadedFile[] }>()

/** The HTML form encoding writes `"`, CR and LF in a file name as %22, %0D and %0A. */
const FORM_ESCAPES: Record<string, string> = { '%22': '"', '%0D': '\r', '%0A': '\n' }
const fileName = (sent: string | undefined) =>
  (sent ?? '').replace(/%22|%0D|%0A/gi, (e) => FORM_ESCAPES[e.toUpperCase()])

/** A multipart body refused: 413 past a bound, 400 when it cannot be read. */
export class MultipartRefused extends LocalizedError {}

const tooLarge = (limit: string) => new MultipartRefused(413, texts('http.tooLarge', { limit }), 'body:size')
const unreadable = () => new MultipartRefused(400, texts('http.invalidMultipart'), 'body:multipart')
const tooManyParts = (fields: number) => new MultipartRefused(413, texts('http.uploadParts', { fields }), 'body:parts')
const fieldTooLong = (name: string, max: number) =>
  new MultipartRefused(413, texts('http.uploadFieldLong', { name, max }), 'body:field')
const badFieldName = (name: string) =>
  new MultipartRefused(400, texts('http.uploadFieldName', { name: name.slice(0, 40) }), 'body:field')

/**
 * Reads the request's multipart body: its fields (empty ones as null, like the framework's) and
 * its one file. Resolves once the whole body is read; rejects on the first bound passed, and the
 * rest of the body is then read and dropped.
 */
export function readMultipart(
  request: IncomingMessage,
  bounds: UploadBounds,
  limitText: string
): Promise<{ fields: Record<string, string | null>; files: UploadedFile[] }> {
  const declared = Number(request.headers['content-length'])
  const bodyLimit = bounds.fileBytes + BODY_OVERHEAD
  if (declared > bodyLimit) return Promise.reject(tooLarge(limitText))
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy
    try {
      parser = busboy({
        headers: request.headers,
        // Browsers send names in UTF-8 (an RFC 5987 `filename*` is decoded whatever this says).
        defParamCharset: 'utf8',
        limits: {
          fieldSize: bounds.fieldBytes,
          fields: bounds.fields,
          fileSize: bounds.fileBytes,
          files: 1,
          parts: bounds.fields + 1,
          headerPairs: 8,
        },
      })
    } catch {
      reject(unreadable())
      return
    }
    const fields: Record<string, string | null> = {}
    const files: UploadedFile[] = []
    let received = 0
    let settled = false
    const fail = (error: Error) => {
      if (settled) return
      settled = true
      request.unpipe(parser)
      // The rest of the body is drained, so that the answer reaches the client (see `count`).
      request.resume()
      reject(error)
    }
    const count = (chunk: Buffer) => {
      received += chunk.length
      if (received <= bodyLimit) return
      if (!settled) fail(tooLarge(limitText))
      // A body without a length that goes on long after its refusal is cut.
      else if (received > 2 * bodyLimit) request.destroy()
    }
    const name = (field: string) => {
      if (!FIELD_NAME.test(field) || field in fields || files.some((file) => file.field === field)) {
        fail(badFieldName(field))
        return false
      }
      return true
    }

    parser.on('field', (field, value, info) => {
      if (settled || !name(field)) return
      if (info.valueTruncated) return fail(fieldTooLong(field, bounds.fieldBytes))
      fields[field] = value === '' ? null : value
    })
    parser.on('file', (field, stream, info) => {
      if (settled || !name(field)) {
        stream.resume()
        return
      }
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => {
        if (!settled) chunks.push(chunk)
      })
      stream.on('limit', () => fail(tooLarge(limitText)))
      // A body cut short errs on the file's stream as well as on the parser: answered once, there.
      stream.on('error', () => fail(unreadable()))
      stream.on('end', () => {
        if (!settled) files.push({ field, fileName: fileName(info.filename), bytes: Buffer.concat(chunks) })
      })
    })
    parser.on('fieldsLimit', () => fail(tooManyParts(bounds.fields)))
    parser.on('filesLimit', () => fail(tooManyParts(bounds.fields)))
    parser.on('partsLimit', () => fail(tooManyParts(bounds.fields)))
    parser.on('error', () => fail(unreadable()))
    parser.on('close', () => {
      if (settled) return
      settled = true
      request.off('data', count)
      resolve({ fields, files })
    })
    // A client gone before the end of its body: nothing to answer, nothing kept.
    request.on('close', () => {
      if (!request.complete) fail(unreadable())
    })
    request.on('data', count)
    request.pipe(parser)
  })
}

/** Reads the body of an upload route into the request (`uploadedFile`, `uploadedFields`). */
export async function readUploadInto(ctx: HttpContext, bounds: UploadBounds, limitText: string) {
  const body = await readMultipart(ctx.request.request, bounds, limitText)
  uploads.set(ctx, body)
  ctx.request.updateBody(body.fields)
}

/** The file sent in `field`, read when the body was; null when there is none. */
export function uploadedFile(ctx: HttpContext, field = 'file'): UploadedFile | null {
  return uploads.get(ctx)?.files.find((file) => file.field === field) ?? null
}
