import { test } from '@japa/runner'
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PNG } from 'pngjs'
import { PDFDocument, PDFName } from 'pdf-lib'
import { pdfTextLines } from '#tests/helpers/pdf_text'
import { decodeCodes, rasterizeFills } from '#tests/helpers/pdf_codes'
import {
  renderPaymentNotice,
  PaymentNoticeError,
  type PaymentNoticeInput,
} from '#integrations/pagopa/payment_notice_pdf'
import { asciiFold, NoticeCodeError, pagopaQrPayload, posteDataMatrixPayload } from '#integrations/pagopa/notice_codes'
import { generateNotices } from '#integrations/pagopa/notice_batch'
import { italianAmount } from '#integrations/pagopa/amounts'

const SCALE = 3
/** The codes sit in the left 28 pt margin plus 25 mm. */
const STRIP = Math.round((28 + 25 * (72 / 25.4) + 6) * SCALE)

function notice(overrides: Partial<PaymentNoticeInput> = {}): PaymentNoticeInput {
  return {
    subject: 'Refezione scolastica marzo 2026 - Luca Rossi',
    creditor: {
      name: 'Comune di Piacenza',
      fiscalCode: '00229080338',
      cbill: 'AB12C',
      sector: 'Servizi educativi e scolastici',
      info: 'www.comune.piacenza.it - tel. 0523 492111',
      postalAccount: '1234567890',
    },
    debtor: { fiscalCode: 'RSSMRA85T10A562S', fullName: 'Mario Rossi', address: ['Via Roma 1', '29121 Piacenza (PC)'] },
    single: { nav: '301000000000000144', amountCents: 123456, dueDate: '2026-04-30' },
    ...overrides,
  }
}

async function codesOf(pdf: Uint8Array, page = 0) {
  return decodeCodes(await rasterizeFills(pdf, page, SCALE), STRIP, 50 * SCALE)
}

test.group('Payment notice: machine-readable codes', () => {
  test('the pagoPA QR payload', ({ assert }) => {
    assert.equal(
      pagopaQrPayload('301000000000000144', '00229080338', 4520),
      'PAGOPA|002|301000000000000144|00229080338|4520'
    )
    assert.throws(() => pagopaQrPayload('301000000000000145', '00229080338', 4520), /wrong check digits/)
    assert.throws(() => pagopaQrPayload('301000000000000144', '0022908033', 4520), NoticeCodeError as never)
    assert.throws(() => pagopaQrPayload('301000000000000144', '00229080338', 45.2), /whole number of euro cents/)
  })

  test('the Poste Data Matrix record: 256 characters in the fixed layout', ({ assert }) => {
    const payload = posteDataMatrixPayload({
      nav: '301000000000000144',
      postalAccount: '1234567890',
      amountCents: 4520,
      organizationFiscalCode: '00229080338',
      debtorFiscalCode: 'rssmra85t10a562s',
      debtorName: 'Niccolò D’Angelo',
      subject: 'Refezione scolastica marzo 2026',
    })
    assert.lengthOf(payload, 256)
    const expected =
      'codfase=NBPA;' +
      '18301000000000000144' +
      '12001234567890' +
      '100000004520' +
      '3896' +
      '1P1' +
      '00229080338' +
      'RSSMRA85T10A562S' +
      "Niccolo D'Angelo" +
      ' '.repeat(40 - 16) +
      'Refezione scolastica marzo 2026' +
      ' '.repeat(110 - 31) +
      ' '.repeat(12) +
      'A'
    assert.equal(payload, expected)
    // A legal person's 11-digit code is padded to 16.
    const company = posteDataMatrixPayload({
      nav: '301000000000000144',
      postalAccount: '1',
      amountCents: 1,
      organizationFiscalCode: '00229080338',
      debtorFiscalCode: '80004020923',
      debtorName: 'x'.repeat(60),
      subject: 'y'.repeat(200),
    })
    assert.lengthOf(company, 256)
    assert.include(company, '0022908033880004020923     ')
    assert.throws(
      () =>
        posteDataMatrixPayload({
          ...{
            nav: '301000000000000144',
            postalAccount: '1234567890123',
            amountCents: 1,
            organizationFiscalCode: '00229080338',
            debtorFiscalCode: 'RSSMRA85T10A562S',
            debtorName: 'a',
            subject: 'b',
          },
        }),
      /up to 12 digits/
    )
    assert.equal(asciiFold('Città è più'), 'Citta e piu')
  })
})

test.group('Payment notice: the PDF', () => {
  test('prints the subject, the creditor, the debtor, the amount, the due date and the code in groups of four', async ({
    assert,
  }) => {
    const lines = await pdfTextLines(await renderPaymentNotice(notice()))
    const text = lines.join('\n')
    for (const expected of [
      'AVVISO DI PAGAMENTO',
      'Refezione scolastica marzo 2026 - Luca Rossi',
      'ENTE CREDITORE',
      'Cod. Fiscale 00229080338',
      'Comune di Piacenza',
      'Servizi educativi e scolastici',
      'DESTINATARIO AVVISO',
      'Cod. Fiscale RSSMRA85T10A562S',
      'Mario Rossi',
      'Via Roma 1',
      '29121 Piacenza (PC)',
      'QUANTO E QUANDO PAGARE?',
      '€ 1.234,56 entro il 30/04/2026',
      'DOVE PAGARE?',
      'BANCHE E ALTRI CANALI',
      'RATA UNICA entro il 30/04/2026',
      'Codice CBILL',
      'AB12C',
      'Codice Avviso',
      '3010 0000 0000 0001 44',
      'BOLLETTINO POSTALE PA',
      '001234567890',
      'P1',
    ]) {
      assert.include(lines, expected, `missing line "${expected}" in:\n${text}`)
    }
  })

  test('the QR code and the Data Matrix printed read back as their payloads', async ({ assert }) => {
    const codes = await codesOf(await renderPaymentNotice(notice()))
    assert.deepEqual(
      codes.map((c) => [c.format, c.text]),
      [
        ['QR_CODE', 'PAGOPA|002|301000000000000144|00229080338|123456'],
        [
          'DATA_MATRIX',
          posteDataMatrixPayload({
            nav: '301000000000000144',
            postalAccount: '1234567890',
            amountCents: 123456,
            organizationFiscalCode: '00229080338',
            debtorFiscalCode: 'RSSMRA85T10A562S',
            debtorName: 'Mario Rossi',
            subject: 'Refezione scolastica marzo 2026 - Luca Rossi',
          }),
        ],
      ]
    )
  })

  test('without a postal account there is no postal slip and no Data Matrix', async ({ assert }) => {
    const pdf = await renderPaymentNotice(
      notice({ creditor: { ...notice().creditor, postalAccount: null, cbill: null } })
    )
    const lines = await pdfTextLines(pdf)
    assert.notInclude(lines, 'BOLLETTINO POSTALE PA')
    assert.notInclude(lines, 'Codice CBILL')
    assert.deepEqual(
      (await codesOf(pdf)).map((c) => c.format),
      ['QR_CODE']
    )
  })

  test('instalments: listed with their due dates, each with its own QR code, on as many pages as needed', async ({
    assert,
  }) => {
    const instalments = [
      { nav: '301000000000000245', amountCents: 41152, dueDate: '2026-04-30' },
      { nav: '301000000000000346', amountCents: 41152, dueDate: '2026-05-31' },
      { nav: '301000000000000447', amountCents: 41152, dueDate: '2026-06-30' },
    ]
    const pdf = await renderPaymentNotice(notice({ instalments }))
    const lines = await pdfTextLines(pdf)
    for (const expected of [
      'oppure in 3 rate:',
      '1ª rata: € 411,52 entro il 30/04/2026',
      '3ª rata: € 411,52 entro il 30/06/2026',
      'RATA 1 entro il 30/04/2026',
      'RATA 3 entro il 30/06/2026',
    ]) {
      assert.include(lines, expected)
    }
    const doc = await PDFDocument.load(pdf)
    const qrs: string[] = []
    for (let page = 0; page < doc.getPageCount(); page++) {
      for (const code of await codesOf(pdf, page)) if (code.format === 'QR_CODE') qrs.push(code.text)
    }
    assert.deepEqual(qrs, [
      'PAGOPA|002|301000000000000144|00229080338|123456',
      'PAGOPA|002|301000000000000245|00229080338|41152',
      'PAGOPA|002|301000000000000346|00229080338|41152',
      'PAGOPA|002|301000000000000447|00229080338|41152',
    ])
    assert.isAtLeast(doc.getPageCount(), 2)
  })

  test('in English, with the same codes', async ({ assert }) => {
    const pdf = await renderPaymentNotice(notice({ lang: 'en' }))
    const lines = await pdfTextLines(pdf)
    assert.includeMembers(lines, [
      'PAYMENT NOTICE',
      'HOW MUCH AND WHEN TO PAY?',
      'SINGLE PAYMENT by 30/04/2026',
      '€ 1.234,56 by 30/04/2026',
    ])
    assert.equal((await codesOf(pdf))[0].text, 'PAGOPA|002|301000000000000144|00229080338|123456')
  })

  test("the ente's logo is drawn when given", async ({ assert }) => {
    const png = new PNG({ width: 8, height: 8 })
    png.data.fill(200)
    const pdf = await renderPaymentNotice(notice({ creditor: { ...notice().creditor, logo: PNG.sync.write(png) } }))
    const doc = await PDFDocument.load(pdf)
    const resources = doc.getPages()[0].node.Resources()!
    assert.isDefined(resources.lookup(PDFName.of('XObject')))
    await assert.rejects(
      () => renderPaymentNotice(notice({ creditor: { ...notice().creditor, logo: new Uint8Array([1, 2, 3]) } })),
      /a PNG or JPEG image/
    )
  })

  test('refuses what the standard does not allow, naming the field', async ({ assert }) => {
    const error = await renderPaymentNotice(notice({ subject: 'x'.repeat(91) })).catch((e) => e)
    assert.instanceOf(error, PaymentNoticeError)
    assert.equal(error.field, 'subject')
    await assert.rejects(() => renderPaymentNotice(notice({ single: null })), /a single payment or instalments/)
    await assert.rejects(
      () => renderPaymentNotice(notice({ creditor: { ...notice().creditor, cbill: 'AB' } })),
      /cbill/
    )
    await assert.rejects(
      () => renderPaymentNotice(notice({ debtor: { fiscalCode: 'RSSMRA85T10A562S', fullName: 'x'.repeat(71) } })),
      /debtor.fullName/
    )
  })

  test('amounts in Italian format', ({ assert }) => {
    assert.equal(italianAmount(0), '0,00')
    assert.equal(italianAmount(5), '0,05')
    assert.equal(italianAmount(123456789), '1.234.567,89')
    assert.equal(italianAmount(-1050), '-10,50')
  })
})

test.group('Payment notice: massive generation', () => {
  test('one PDF per notice in the folder, progress after each, and a second run skips the finished ones', async ({
    assert,
    cleanup,
  }) => {
    const folder = await mkdtemp(join(tmpdir(), 'avvisi-'))
    cleanup(() => rm(folder, { recursive: true, force: true }))
    const navs = ['301000000000000144', '301000000000000245', '301000000000000346']
    const items = navs.map((nav) => ({ input: notice({ single: { nav, amountCents: 4520, dueDate: '2026-04-30' } }) }))
    const progress: Array<[number, number, boolean]> = []
    const first = await generateNotices(items, {
      folder,
      onProgress: (p) => void progress.push([p.done, p.total, p.skipped]),
    })
    assert.deepEqual(progress, [
      [1, 3, false],
      [2, 3, false],
      [3, 3, false],
    ])
    assert.sameMembers(
      await readdir(folder),
      navs.map((n) => `avviso-${n}.pdf`)
    )
    assert.include(
      await pdfTextLines(await (await import('node:fs/promises')).readFile(join(folder, `avviso-${navs[1]}.pdf`))),
      '3010 0000 0000 0002 45'
    )
    assert.isTrue(first.files.every((f) => f.bytes > 1000))

    // A killed run leaves a .part file at most; the next run rewrites what is missing only.
    await rm(join(folder, `avviso-${navs[2]}.pdf`))
    await writeFile(join(folder, `avviso-${navs[2]}.pdf.part`), 'half')
    const second = await generateNotices(items, { folder })
    assert.deepEqual(
      second.files.map((f) => f.skipped),
      [true, true, false]
    )
    await assert.rejects(
      () => generateNotices([items[0], items[0]], { folder: join(folder, 'dup') }),
      /both be written/
    )
  })
})
