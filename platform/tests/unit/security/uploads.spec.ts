import { test } from '@japa/runner'
import { PassThrough } from 'node:stream'
import type { IncomingMessage } from 'node:http'
import { MultipartRefused, readMultipart } from '#services/infrastructure/uploads'

const BOUNDARY = 'sportello-unit'
const BOUNDS = { fileBytes: 1024 * 1024, fields: 10, fieldBytes: 8192 }

/** A request as the HTTP server hands it over: a stream of the body with its headers. */
function fakeRequest(headers: Record<string, string> = {}) {
  const request = new PassThrough() as PassThrough & { headers: Record<string, string>; complete: boolean }
  request.headers = { 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, ...headers }
  request.complete = false
  request.on('end', () => (request.complete = true))
  return request
}

const part = (head: string, body: string) => `--${BOUNDARY}\r\n${head}\r\n\r\n${body}\r\n`

test.group('Upload bodies', () => {
  test('fields and the file are read into memory, empty fields as null, UTF-8 and %22 in the name', async ({
    assert,
  }) => {
    const request = fakeRequest()
    const reading = readMultipart(request as unknown as IncomingMessage, BOUNDS, '1 MB')
    request.end(
      part('content-disposition: form-data; name="type"', 'identity') +
        part('content-disposition: form-data; name="notes"', '') +
        part(
          'content-disposition: form-data; name="file"; filename="Ștefan %22CI%22.pdf"\r\ncontent-type: application/pdf',
          '%PDF-1.4 carta'
        ) +
        `--${BOUNDARY}--\r\n`
    )
    const body = await reading
    assert.deepEqual(body.fields, { type: 'identity', notes: null })
    assert.equal(body.files.length, 1)
    assert.equal(body.files[0].fileName, 'Ștefan "CI".pdf')
    assert.equal(body.files[0].bytes.toString(), '%PDF-1.4 carta')
  })

  test('a body without a length is counted as it arrives, outside the file too, and cut long after its refusal', async ({
    assert,
  }) => {
    const request = fakeRequest()
    const outcome = readMultipart(request as unknown as IncomingMessage, BOUNDS, '1 MB').catch((e: unknown) => e)
    // Bytes before the first boundary are no part at all: only the count of the body bounds them.
    const chunk = Buffer.alloc(64 * 1024, 0x61)
    let written = 0
    while (written <= 4 * (BOUNDS.fileBytes + 256 * 1024) && !request.destroyed) {
      request.write(chunk)
      written += chunk.length
      await new Promise((resolve) => setImmediate(resolve))
    }
    const error = await outcome
    assert.instanceOf(error, MultipartRefused)
    assert.equal((error as MultipartRefused).status, 413)
    assert.isTrue(request.destroyed)
  })

  test('a body that declares more than the limit is refused before a byte is read', async ({ assert }) => {
    const request = fakeRequest({ 'content-length': String(50 * 1024 * 1024) })
    const error = await readMultipart(request as unknown as IncomingMessage, BOUNDS, '1 MB').catch((e: unknown) => e)
    assert.equal((error as MultipartRefused).status, 413)
    assert.equal(request.readableLength, 0)
  })
})
