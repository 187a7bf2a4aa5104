/**
 * A receipt drawn once and saved twice (the receipt job's protocol copy, then the applicant's with
 * the number) prints what two receipts drawn apart print: on every page the same drawing
 * operations, at the same places, in the same fonts; and the same document subject.
 */
import { inflateSync } from 'node:zlib'
import { test } from '@japa/runner'
import { PDFArray, PDFDocument, type PDFObject, type PDFRawStream } from 'pdf-lib'
import { loadForms } from '#forms/load_forms'
import { PdfSheet, wrap } from '#services/infrastructure/pdf_sheet'
import { receiptDocument, receiptPdf, type ReceiptInput } from '#services/submissions/receipt_pdf'

const forms = await loadForms()
const refezione = forms.find((f) => f.id === 'refezione.iscrizione')!

function input(lang: 'it' | 'en' = 'it'): ReceiptInput {
  return {
    tenantName: 'Comune di Prova',
    formTitle: 'Iscrizione alla refezione scolastica',
    submissionId: 7,
    protocol: null,
    submittedAt: '15/01/2026 10:00',
    applicant: { name: 'Mario Rossi', fiscalCode: 'RSSMRA85T10A562S', email: 'mario@example.org' },
    onBehalfOf: 'Anna Bianchi',
    schema: refezione.schema as Record<string, unknown>,
    data: structuredClone(refezione.sample) as Record<string, unknown>,
    lang,
  }
}

/**
 * Each page's drawing operations (`q … Q`), sorted: their order in the streams aside, the page
 * prints the same. Font resource names are random per document, so they are compared by font.
 */
async function drawing(bytes: Uint8Array) {
  const pdf = await PDFDocument.load(bytes)
  return {
    subject: pdf.getSubject(),
    pages: pdf.getPages().map((page) => {
      const contents = page.node.Contents()
      const refs: PDFObject[] = contents instanceof PDFArray ? contents.asArray() : contents ? [contents] : []
      const text = refs
        .map((ref) => inflateSync((pdf.context.lookup(ref) as PDFRawStream).getContents()).toString('latin1'))
        .join('\n')
        .replace(/\/(Helvetica(?:-Bold)?)-\d+/g, '/$1')
      return [...text.matchAll(/^q\n[\s\S]*?\nQ$/gm)].map((m) => m[0]).sort()
    }),
  }
}

const protocol = { label: '2026/0000007', date: '2026-01-15' }

test.group('Receipt PDF: drawn once, saved with and without the protocol number', () => {
  for (const lang of ['it', 'en'] as const) {
    test(`${lang}: the two saves print what two separate receipts print`, async ({ assert }) => {
      const document = await receiptDocument(input(lang))
      const pending = await drawing(await document.save(null))
      const numbered = await drawing(await document.save(protocol))
      const pendingAlone = await drawing(await receiptPdf(input(lang)))
      const numberedAlone = await drawing(await receiptPdf({ ...input(lang), protocol }))
      assert.deepEqual(pending, pendingAlone)
      assert.deepEqual(numbered, numberedAlone)
      assert.notDeepEqual(pending.pages[0], numbered.pages[0])
      assert.equal(numbered.subject, lang === 'it' ? 'Protocollo 2026/0000007' : 'Protocol 2026/0000007')
      // A third save (a retry) is the first again: the number's row is replaced, not added.
      assert.deepEqual(await drawing(await document.save(null)), pendingAlone)
    })
  }

  test('a protocol value of two rows moves what follows down by one row', async ({ assert }) => {
    const long = { label: '2026/0000007 registro generale del Comune di Prova, ufficio protocollo', date: '2026-01-15' }
    const sheet = await PdfSheet.create({ title: 't', subject: 's' })
    const value = `n. ${long.label} del ${long.date}`
    assert.lengthOf(wrap(value, sheet.regular, 10, sheet.width - 170), 2, 'the value takes two rows')
    const one = (await drawing(await receiptPdf({ ...input(), protocol }))).pages[0].join('\n')
    const two = (await drawing(await receiptPdf({ ...input(), protocol: long }))).pages[0].join('\n')
    // The application number's row: "Domanda n. / Application no." in bold, at the label's place.
    const label = Buffer.from('Domanda n. / Application no.', 'latin1').toString('hex').toUpperCase()
    const rowOf = (text: string) =>
      Number(new RegExp(`1 0 0 1 50 ([\\d.]+) Tm\\n<${label}> Tj`).exec(text)?.[1] ?? Number.NaN)
    assert.closeTo(rowOf(one) - rowOf(two), 14, 1e-6)
  })
})
