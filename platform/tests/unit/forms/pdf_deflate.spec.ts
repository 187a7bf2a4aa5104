/**
 * The pages' content is compressed by Node's zlib, not by pdf-lib's JavaScript deflate (pako), and
 * the document is the same: every page's content stream inflates to the operators pdf-lib's own
 * save writes, under the same /FlateDecode filter.
 */
import { createRequire } from 'node:module'
import { inflateSync } from 'node:zlib'
import { test } from '@japa/runner'
import { PDFArray, PDFDocument, PDFName, PDFRawStream, type PDFObject } from 'pdf-lib'
import { PdfSheet } from '#services/infrastructure/pdf_sheet'

/** pako as pdf-lib loads it (its own dependency, resolved from pdf-lib's place). */
const pako = createRequire(createRequire(import.meta.url).resolve('pdf-lib'))('pako') as {
  deflate: (...args: unknown[]) => Uint8Array
}

async function sheet() {
  const s = await PdfSheet.create({ title: 'Prova', subject: 'Prova', lang: 'it' })
  s.heading('Comune di Prova')
  for (let i = 0; i < 90; i++)
    s.text(`Riga ${i}: città, perché, € ${i},50 — ‘virgolette’ e testo che va a capo `.repeat(2))
  s.rule()
  s.pairs([['Protocollo / Protocol', 'n. 2026/0000007 del 15/01/2026']], 170)
  return s
}

/** Each page's content streams, inflated, with the filter each declares. */
async function pages(bytes: Uint8Array) {
  const pdf = await PDFDocument.load(bytes)
  return pdf.getPages().map((page) => {
    const contents = page.node.Contents()
    const refs: PDFObject[] = contents instanceof PDFArray ? contents.asArray() : contents ? [contents] : []
    return refs.map((ref) => {
      const stream = pdf.context.lookup(ref) as PDFRawStream
      return {
        filter: String(stream.dict.get(PDFName.of('Filter'))),
        operators: inflateSync(stream.getContents()).toString('latin1'),
      }
    })
  })
}

test.group('PDF sheet: content streams deflated by zlib', () => {
  test('saving runs no JavaScript deflate, and the pages are those pdf-lib writes itself', async ({ assert }) => {
    const ours = await sheet()
    const theirs = await sheet()
    const original = pako.deflate
    let calls = 0
    pako.deflate = (...args: unknown[]) => {
      calls++
      return original(...args)
    }
    let saved: Uint8Array
    try {
      saved = await ours.save()
    } finally {
      pako.deflate = original
    }
    assert.equal(calls, 0, 'pako.deflate called while saving a sheet')
    const reference = await theirs.doc.save({ useObjectStreams: false })
    const got = await pages(saved)
    const expected = await pages(reference)
    assert.isAbove(got.length, 1, 'the sample flows onto a second page')
    assert.deepEqual(got, expected)
    for (const page of got) for (const stream of page) assert.equal(stream.filter, '/FlateDecode')
  })
})
