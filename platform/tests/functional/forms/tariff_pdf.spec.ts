import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import { PDFDocument } from 'pdf-lib'
import { ruleSetService, todayInItaly } from '#services/definitions/ruleset_service'
import { RequestContext } from '#services/infrastructure/request_context'
import { tariffFacts } from '#forms/tariff_preview'
import { findCurrentForm } from '#services/definitions/form_service'
import { formatEur } from '#rules/decimal'
import { printable } from '#services/definitions/tariff_pdf'
import type { EvaluationResult } from '#rules/types'
import { makeTenant, makeUser } from '#tests/helpers/world'
import { pdfTextLines } from '#tests/helpers/pdf_text'
import { FORM, refezioneTenant } from './world.js'

/** What the rules engine says for these data today: the PDF must print the very same numbers. */
async function expected(tenantRef: Parameters<typeof RequestContext.withTenant>[0], data: Record<string, unknown>) {
  return RequestContext.withTenant(tenantRef, async () => {
    const facts = tariffFacts((await findCurrentForm(FORM))!.definition, data)!
    return (await ruleSetService.evaluate(facts.ruleset, todayInItaly(), facts.facts)) as EvaluationResult
  })
}

test.group('Forms: the live tariff as a PDF', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('prints the amount in Italian format, the band and the explanation of the rules engine', async ({
    assert,
    client,
  }) => {
    const { tenant, citizen, base, sample } = await refezioneTenant()
    sample.isee_value = 8000
    sample.has_siblings = true
    sample.siblings = [
      { first_name: 'Mattia', last_name: 'Rossi', fiscal_code: 'BSCMTT83A12L719R', school_name: 'Nido Farnesiana' },
    ]
    const evaluation = await expected(tenant.ref, sample)
    const amount = String(evaluation.result.amount)
    const band = String(evaluation.result.band)

    const response = await client
      .post(`${base}/forms/${FORM}/tariff.pdf`)
      .header('accept-language', 'it')
      .json({ data: sample })
      .loginAs(citizen)
    response.assertStatus(200)
    assert.equal(response.header('content-type'), 'application/pdf')
    const bytes = Buffer.from(response.body() as ArrayBuffer)
    assert.equal(bytes.subarray(0, 5).toString(), '%PDF-')
    const pdf = await PDFDocument.load(bytes)
    assert.include(pdf.getTitle(), 'Stima della tariffa')

    const lines = await pdfTextLines(bytes)
    const text = lines.join('\n')
    assert.include(lines, `${formatEur(amount)} €`)
    assert.match(formatEur(amount), /^\d+,\d{2}$/)
    // The amount says what it is for, and the band is named as families read it.
    assert.equal(band, 'ridotta')
    assert.include(lines, 'a pasto')
    assert.include(lines, 'Ridotta')
    assert.include(text, 'Fascia')
    // Why, in plain words, before the annex with the operator's trace.
    assert.include(text, 'Perché questa tariffa')
    assert.include(text, '• ISEE di 8.000,00 €, da 4.300,01 a 9.000,00 €: fascia Ridotta.')
    assert.include(text, '• 2 figli nei servizi a pagamento: riduzione del 10%.')
    assert.isBelow(text.indexOf('Perché questa tariffa'), text.indexOf('Allegato: come è stata calcolata'))
    // Each step of the trace, in Italian: the band from the ISEE and the table cell.
    for (const entry of evaluation.trace.filter((e) => e.kind === 'table')) {
      assert.include(text.replace(/\n/g, ' '), printable(entry.message))
    }
    assert.include(text, 'ISEE 8.000,00')
  }).timeout(30000)

  test('speaks English when asked, and explains what is missing when the fee cannot be computed yet', async ({
    assert,
    client,
  }) => {
    const { citizen, base, sample } = await refezioneTenant()
    const english = await client
      .post(`${base}/forms/${FORM}/tariff.pdf`)
      .header('accept-language', 'en')
      .json({ data: sample })
      .loginAs(citizen)
    english.assertStatus(200)
    const text = (await pdfTextLines(Buffer.from(english.body() as ArrayBuffer))).join('\n')
    assert.include(text, 'Fee estimate')
    assert.include(text, 'Annex: how it was computed')
    // English words and English numbers: the band's English name, "€3.43 per meal".
    assert.include(text, '€3.43')
    assert.include(text, 'per meal')
    assert.include(text, 'Reduced')
    assert.include(text, 'ISEE of €8,500.50, from €4,300.01 to €9,000.00: Reduced band.')
    assert.notMatch(text, /\d+,\d{2} €/)

    const incomplete = await client
      .post(`${base}/forms/${FORM}/tariff.pdf`)
      .header('accept-language', 'en')
      .json({ data: { applicant_kind: 'parent' } })
      .loginAs(citizen)
    incomplete.assertStatus(422)
    assert.equal(incomplete.body().errors[0].message, 'Complete the data the fee needs, then try again.')

    const noData = await client.post(`${base}/forms/${FORM}/tariff.pdf`).json({}).loginAs(citizen)
    noData.assertStatus(422)
  })

  test('answers only members of the tenant, and only for its active services', async ({ client }) => {
    const { base, sample } = await refezioneTenant()
    const other = await makeTenant()
    const stranger = await makeUser(other, ['citizen'])
    const response = await client.post(`${base}/forms/${FORM}/tariff.pdf`).json({ data: sample }).loginAs(stranger)
    response.assertStatus(403)

    const outsider = await makeUser(other, ['citizen'])
    const notEnabled = await client
      .post(`/api/v1/t/${other.slug}/forms/${FORM}/tariff.pdf`)
      .json({ data: sample })
      .loginAs(outsider)
    notEnabled.assertStatus(404)
  })
})
