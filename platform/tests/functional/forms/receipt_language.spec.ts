/**
 * The receipt speaks the applicant's language: the language of the sending is stored with the
 * submission, and the job's email and PDF use it; GET .../receipt follows the reader's
 * Accept-Language, else the submission's.
 */
import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import type { ParsedMail } from 'mailparser'
import { jobQueue } from '#queue/queue_factory'
import { pdfTextLines } from '#tests/helpers/pdf_text'
import { FORM, refezioneTenant } from './world.js'
import { transactionWithJobs } from '../../helpers/world.js'
import { captureMailEachTest } from '../../helpers/smtp.js'

/** The PDF's text as one string: long lines are wrapped, so words are joined back. */
async function pdfText(bytes: Uint8Array) {
  return (await pdfTextLines(bytes)).join(' ')
}

function attachment(mail: ParsedMail) {
  return new Uint8Array(mail.attachments[0].content)
}

test.group('Submission receipt: in the language of the sending', (group) => {
  group.each.setup(() => transactionWithJobs())
  const mails = captureMailEachTest(group)

  test('sent in English: English email and an English receipt PDF', async ({ client, assert }) => {
    const { tenant, citizen, base, sample } = await refezioneTenant()
    const response = await client
      .post(`${base}/forms/${FORM}/submit`)
      .header('accept-language', 'en-GB,en;q=0.9')
      .json({ data: sample })
      .loginAs(citizen)
    response.assertStatus(201)
    const id = response.body().submission.id
    await jobQueue().drained()
    const shown = await client.get(`${base}/submissions/${id}`).loginAs(citizen)
    const protocol = shown.body().submission.protocolNumber
    assert.isString(protocol)

    assert.lengthOf(mails().received, 1)
    const mail = mails().received[0]
    assert.equal(mail.subject, `Application receipt School canteen enrolment - protocol no. ${protocol}`)
    assert.include(mail.text, `Dear ${citizen.fullName},`)
    assert.include(mail.text, `registered with protocol number ${protocol} of `)
    assert.notInclude(mail.text!, 'Gentile')
    assert.notInclude(mail.text!, 'ricevuta')
    assert.equal(mail.attachments[0].filename, `receipt-${id}.pdf`)

    const text = await pdfText(attachment(mail))
    assert.include(text, 'Application receipt / Ricevuta di presentazione della domanda')
    assert.include(text, 'School canteen enrolment')
    assert.include(text, `n. ${protocol} of `)
    assert.include(text, 'Payment method: Monthly pagoPA payment')
    assert.include(text, 'Who is applying: Parent or guardian (payer)')
    assert.include(text, 'School level attended: Primary school')
    assert.notInclude(text, 'Modalità di pagamento')
    assert.notInclude(text, ': Sì')

    // The copy filed in the protocol is the office's record, in Italian.
    const entry = await db.from('protocol_entries').where('tenant_id', tenant.id).firstOrFail()
    assert.equal(entry.subject, `Domanda "Iscrizione alla refezione scolastica" n. ${id}`)
  }).timeout(30000)

  test('sent in Italian: the email and the PDF stay Italian', async ({ client, assert }) => {
    const { citizen, base, sample } = await refezioneTenant()
    const draft = await client
      .post(`${base}/forms/${FORM}/submissions`)
      .header('accept-language', 'it')
      .json({ data: sample })
      .loginAs(citizen)
    draft.assertStatus(201)
    const id = draft.body().submission.id
    const sent = await client.post(`${base}/submissions/${id}/submit`).header('accept-language', 'it').loginAs(citizen)
    sent.assertStatus(200)
    await jobQueue().drained()
    const protocol = (await client.get(`${base}/submissions/${id}`).loginAs(citizen)).body().submission.protocolNumber

    assert.lengthOf(mails().received, 1)
    const mail = mails().received[0]
    assert.equal(mail.subject, `Ricevuta domanda Iscrizione alla refezione scolastica - protocollo n. ${protocol}`)
    assert.include(mail.text, `Gentile ${citizen.fullName},`)
    assert.notInclude(mail.text!, 'Dear')
    assert.equal(mail.attachments[0].filename, `ricevuta-${id}.pdf`)

    const text = await pdfText(attachment(mail))
    assert.include(text, 'Ricevuta di presentazione della domanda / Application receipt')
    assert.include(text, 'Modalità di pagamento: Avviso di pagamento mensile pagoPA via e-mail')
    assert.include(text, 'Ordine di scuola frequentata: Scuola primaria')
    assert.notInclude(text, 'Payment method')
    // Dates as the reader writes them, the school by its name, the fee with its unit and the full trace in annex.
    assert.include(text, 'Data di nascita: 04/03/2017')
    assert.notInclude(text, '2017-03-04')
    assert.include(text, 'Scuola (plesso con servizio mensa): Scuola primaria Alberoni')
    assert.notInclude(text, 'pc-primaria-alberoni')
    assert.include(text, 'Valore ISEE (euro): 8.500,50')
    assert.include(text, 'Tariffa stimata / Estimated fee')
    assert.include(text, 'Tariffa: 3,43 € a pasto, fascia Ridotta.')
    assert.include(text, '• ISEE di 8.500,50 €, da 4.300,01 a 9.000,00 €: fascia Ridotta.')
    assert.include(text, 'Allegato: come è stata calcolata la tariffa / Annex: how the fee was computed')
    assert.include(text, 'arrotondamento a 2 decimali')
  }).timeout(30000)

  test('a draft written in English but sent in Italian is receipted in Italian', async ({ client, assert }) => {
    const { citizen, base, sample } = await refezioneTenant()
    const draft = await client
      .post(`${base}/forms/${FORM}/submissions`)
      .header('accept-language', 'en')
      .json({ data: sample })
      .loginAs(citizen)
    const id = draft.body().submission.id
    const sent = await client.post(`${base}/submissions/${id}/submit`).header('accept-language', 'it').loginAs(citizen)
    sent.assertStatus(200)
    await jobQueue().drained()
    assert.lengthOf(mails().received, 1)
    assert.match(mails().received[0].subject!, /^Ricevuta domanda /)
  }).timeout(30000)

  test("GET .../receipt: ?lang, else the reader's Accept-Language, else the submission's language", async ({
    client,
    assert,
  }) => {
    const { citizen, operator, base, sample } = await refezioneTenant()
    // An operator filing at the counter in English (procura): the sending is in the operator's language.
    const response = await client
      .post(`${base}/forms/${FORM}/submit`)
      .header('accept-language', 'en')
      .json({ data: sample, applicant_user_id: citizen.id })
      .loginAs(operator)
    response.assertStatus(201)
    const id = response.body().submission.id
    await jobQueue().drained()

    const english = await client
      .get(`${base}/submissions/${id}/receipt`)
      .header('accept-language', 'en')
      .loginAs(citizen)
    english.assertStatus(200)
    assert.include(english.header('content-disposition'), `receipt-${id}.pdf`)
    const en = await pdfText(Buffer.from(english.body() as ArrayBuffer))
    assert.include(en, 'Payment method: Monthly pagoPA payment')
    assert.include(en, 'Date of birth: 4 March 2017')
    assert.include(en, 'Fee: €3.43 per meal, Reduced band.')
    assert.include(en, `${operator.fullName} (on the applicant's behalf)`)

    const italian = await client
      .get(`${base}/submissions/${id}/receipt`)
      .header('accept-language', 'it')
      .loginAs(citizen)
    const it = await pdfText(Buffer.from(italian.body() as ArrayBuffer))
    assert.include(it, 'Modalità di pagamento: Avviso di pagamento mensile pagoPA via e-mail')
    assert.include(it, `${operator.fullName} (per conto del richiedente)`)
    assert.notInclude(it, 'Payment method')

    // The portal's link names the language chosen in the portal, whatever the browser sends.
    const chosen = await client
      .get(`${base}/submissions/${id}/receipt?lang=it`)
      .header('accept-language', 'en')
      .loginAs(citizen)
    assert.include(await pdfText(Buffer.from(chosen.body() as ArrayBuffer)), 'Modalità di pagamento')

    // No Accept-Language (or one naming neither language): the language the submission was sent in.
    for (const header of [undefined, 'fr']) {
      const request = client.get(`${base}/submissions/${id}/receipt`).loginAs(citizen)
      if (header) request.header('accept-language', header)
      const fallback = await request
      fallback.assertStatus(200)
      assert.include(
        await pdfText(Buffer.from(fallback.body() as ArrayBuffer)),
        'Payment method: Monthly pagoPA payment'
      )
    }
  }).timeout(30000)
})
