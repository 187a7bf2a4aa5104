import { test } from '@japa/runner'
import router from '@adonisjs/core/services/router'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import { registerWebRoutes } from '#start/routes/web'
import { jobQueue } from '#queue/queue_factory'
import { codiceFiscaleCheckChar } from '#forms/codice_fiscale'
import { FORM, refezioneTenant } from '#tests/functional/forms/world'
import { LAPTOP, logInStaff, openBrowser, seriousViolations, snap } from './portal.js'
import { transactionWithJobs } from '../helpers/world.js'

registerWebRoutes(router)

const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n')
const code = (first15: string) => `${first15}${codiceFiscaleCheckChar(first15)}`
const day = (days: number) => DateTime.now().setZone('Europe/Rome').plus({ days }).toISODate()!

test.group('Back office: documents to renew flagged in the lists', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('the people list and the register say in words which documents are expired or expiring', async ({
    assert,
    client,
  }) => {
    const { citizen, operator, base, sample } = await refezioneTenant()
    const file = async (subject: Record<string, number>, fields: Record<string, string>) => {
      const request = client.post(`${base}/documents`).loginAs(operator)
      for (const [name, value] of Object.entries({ ...subject, ...fields })) request.field(name, String(value))
      request.file('file', PDF, { filename: 'documento.pdf' })
      ;(await request).assertStatus(201)
    }
    const parent = (
      await client
        .post(`${base}/people`)
        .json({ kind: 'parent', first_name: 'Anna', last_name: 'Neri', fiscal_code: code('NRENNA80A41G535') })
        .loginAs(operator)
    ).body().person
    await file({ person_id: parent.id }, { type: 'identity', expires_on: day(-5) })
    const sent = await client.post(`${base}/forms/${FORM}/submit`).json({ data: sample }).loginAs(citizen)
    sent.assertStatus(201)
    await jobQueue().drained()
    const sid = sent.body().submission.id
    ;(
      await client.post(`${base}/submissions/${sid}/status`).json({ status: 'accepted' }).loginAs(operator)
    ).assertStatus(200)
    const enrolment = await db.from('enrolments').where('submission_id', sid).first()
    await file({ enrolment_id: enrolment.id }, { type: 'medical_diet', expires_on: day(10) })

    const { page, close } = await openBrowser()
    try {
      await page.setViewportSize(LAPTOP)
      await logInStaff(page, operator.email)
      const menu = page.getByRole('navigation', { name: 'Menu principale' })
      await menu.getByRole('link', { name: 'Anagrafica' }).click()
      await page.getByRole('heading', { name: 'Anagrafica: genitori e figli', level: 1 }).waitFor()
      await page.getByTestId('people-table').waitFor({ timeout: 60_000 })
      const row = page.getByRole('row').filter({ hasText: 'Anna Neri' })
      const flag = row.getByTestId('document-alert-expired')
      await flag.waitFor()
      assert.equal(
        (await flag.textContent())?.trim(),
        '⚠ Documenti scaduti: Documento di identità',
        'the people list names the expired type'
      )
      assert.deepEqual(await seriousViolations(page), [], 'people list with a flag: axe violations')
      await snap(page, 'backoffice-people-document-alert')

      await menu.getByRole('link', { name: 'Registro iscritti' }).click()
      await page.getByRole('heading', { name: 'Registro degli iscritti', level: 1 }).waitFor()
      await page.getByTestId('register-table').waitFor({ timeout: 60_000 })
      const expiring = page.getByTestId(`register-row-${enrolment.id}`).getByTestId('document-alert-expiring')
      await expiring.waitFor()
      assert.equal(
        (await expiring.textContent())?.trim(),
        '◷ Documenti in scadenza: Certificato per dieta medica',
        "the register names the child's expiring type"
      )
      assert.deepEqual(await seriousViolations(page), [], 'register with a flag: axe violations')
      await snap(page, 'backoffice-register-document-alert')
    } finally {
      await close()
    }
  })
})
