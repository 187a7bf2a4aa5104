import { test } from '@japa/runner'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { renderPaymentNotice } from '#integrations/pagopa/payment_notice_pdf'
import { decodeCodes, greyFromPng } from '#tests/helpers/pdf_codes'

/**
 * The notice as a printer sees it: rendered by poppler's pdftoppm at 300 dpi (installed with the
 * browser tests' tools by scripts/test-full.sh), then the QR code and the Data Matrix decoded from
 * the pixels.
 */
test.group('Payment notice rendered by pdftoppm', () => {
  test('the QR code and the Poste Data Matrix decode from the rendered page', async ({ assert, cleanup }) => {
    const dir = await mkdtemp(join(tmpdir(), 'avviso-render-'))
    cleanup(() => rm(dir, { recursive: true, force: true }))
    const pdf = await renderPaymentNotice({
      subject: 'Refezione scolastica marzo 2026 - Luca Rossi',
      creditor: { name: 'Comune di Piacenza', fiscalCode: '00229080338', cbill: 'AB12C', postalAccount: '1234567890' },
      debtor: { fiscalCode: 'RSSMRA85T10A562S', fullName: 'Mario Rossi' },
      single: { nav: '301000000000000144', amountCents: 4520, dueDate: '2026-04-30' },
    })
    await writeFile(join(dir, 'avviso.pdf'), pdf)
    await promisify(execFile)('pdftoppm', [
      '-png',
      '-r',
      '300',
      '-f',
      '1',
      '-l',
      '1',
      join(dir, 'avviso.pdf'),
      join(dir, 'page'),
    ])
    const image = greyFromPng(await readFile(join(dir, 'page-1.png')))
    const px = 300 / 72
    const codes = decodeCodes(image, Math.round((28 + 25 * (72 / 25.4) + 6) * px), Math.round(50 * px))
    assert.deepEqual(
      codes.map((c) => c.format),
      ['QR_CODE', 'DATA_MATRIX']
    )
    assert.equal(codes[0].text, 'PAGOPA|002|301000000000000144|00229080338|4520')
    assert.lengthOf(codes[1].text, 256)
    assert.isTrue(codes[1].text.startsWith('codfase=NBPA;1830100000000000014412001234567890100000004520'))
  })
})
