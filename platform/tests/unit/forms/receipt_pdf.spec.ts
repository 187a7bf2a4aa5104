/**
 * The receipt PDF prints what the citizen chose as the form showed it: enum labels, Sì/No,
 * the attached file's name, never the stored codes.
 */
import { test } from '@japa/runner'
import { loadForms } from '#forms/load_forms'
import { receiptPdf, type ReceiptInput } from '#services/submissions/receipt_pdf'
import { pdfTextLines } from '#tests/helpers/pdf_text'

const forms = await loadForms()
const refezione = forms.find((f) => f.id === 'refezione.iscrizione')!

function input(lang?: 'it' | 'en'): ReceiptInput {
  const data = structuredClone(refezione.sample) as Record<string, unknown>
  data.has_siblings = true
  data.siblings = [
    { first_name: 'Mattia', last_name: 'Rossi', fiscal_code: 'BSCMTT83A12L719R', school_name: 'Nido Farnesiana' },
  ]
  return {
    tenantName: 'Comune di Prova',
    formTitle: 'Iscrizione alla refezione scolastica',
    submissionId: 7,
    protocol: { label: '2026/0000007', date: '15/01/2026' },
    submittedAt: '15/01/2026 10:00',
    applicant: { name: 'Mario Rossi', fiscalCode: 'RSSMRA85T10A562S', email: 'mario@example.org' },
    schema: refezione.schema as Record<string, unknown>,
    data,
    lang,
  }
}

/** The text of the receipt as one string: long lines are wrapped, so words are joined back. */
async function text(receipt: ReceiptInput) {
  return (await pdfTextLines(await receiptPdf(receipt))).join(' ')
}

test.group('Receipt PDF: labels of the declared data', () => {
  test('Italian: enum labels, Sì/No and the file name instead of stored values', async ({ assert }) => {
    const out = await text(input())
    assert.include(out, 'Modalità di pagamento: Avviso di pagamento mensile pagoPA via e-mail')
    assert.include(out, 'Chi presenta la domanda: Genitore o tutore (pagante)')
    assert.include(out, 'Ordine di scuola frequentata: Scuola primaria')
    assert.match(out, /mensa scolastica in scuole pubbliche o private o nidi\?: Sì/)
    assert.match(out, /Family Card[^:]*: No/)
    assert.include(out, 'carta_identita.pdf')
    assert.include(out, 'Mattia')
    for (const code of ['pagopa_email', ': primaria', ': parent', ': true', ': false', 'file_id', 'sha256']) {
      assert.notInclude(out, code)
    }
  })

  test('English: the English titles and labels, Yes/No', async ({ assert }) => {
    const out = await text(input('en'))
    assert.include(out, 'Payment method: Monthly pagoPA payment')
    assert.include(out, 'Who is applying: Parent or guardian (payer)')
    assert.include(out, 'School level attended: Primary school')
    assert.match(out, /nurseries\?: Yes/)
    assert.notInclude(out, 'pagopa_email')
  })
})
