import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import Tenant from '#models/tenant'
import User from '#models/user'
import { codiceFiscaleCheckChar } from '#forms/codice_fiscale'
import { RequestContext } from '#services/infrastructure/request_context'
import { storeUpload } from '#services/submissions/attachment_service'
import { findCurrentForm } from '#services/definitions/form_service'
import { makeTenant, makeUser } from '#tests/helpers/world'
import { FORM, refezioneTenant } from './world.js'
import { transactionWithJobs } from '../../helpers/world.js'

const code = (first15: string) => `${first15}${codiceFiscaleCheckChar(first15)}`
const ANNA = code('BNCNNA80A41G535')

test.group('Counter: the operator finds or adds the citizen, then files for them', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('looked up by codice fiscale, added when unknown, once; audited with the operator', async ({
    client,
    assert,
  }) => {
    const { tenant, operator, base } = await refezioneTenant()
    const find = (fiscalCode: string) =>
      client.get(`${base}/counter/citizens`).qs({ fiscal_code: fiscalCode }).loginAs(operator)

    const wrong = await find('BNCNNA80A41G535X')
    wrong.assertStatus(422)
    assert.equal(wrong.body().errors[0].path, '/fiscal_code')
    const unknown = await find(ANNA.toLowerCase())
    unknown.assertStatus(404)
    assert.include(unknown.body().errors[0].message, 'inserisci la persona')

    const refused = await client
      .post(`${base}/counter/citizens`)
      .json({ fiscal_code: 'ABC', full_name: 'A', email: 'not-an-email' })
      .loginAs(operator)
    refused.assertStatus(422)
    assert.sameMembers(
      refused.body().errors.map((e: { path: string }) => e.path),
      ['/fiscal_code', '/full_name', '/email']
    )

    const added = await client
      .post(`${base}/counter/citizens`)
      .json({ fiscal_code: ` ${ANNA.toLowerCase()} `, full_name: 'Anna  Bianchi', email: 'Anna.Bianchi@example.it' })
      .loginAs(operator)
    added.assertStatus(201)
    const citizen = added.body().citizen
    assert.deepInclude(citizen, { fullName: 'Anna Bianchi', fiscalCode: ANNA, email: 'anna.bianchi@example.it' })
    const found = await find(ANNA)
    found.assertStatus(200)
    assert.equal(found.body().citizen.id, citizen.id)
    const again = await client
      .post(`${base}/counter/citizens`)
      .json({ fiscal_code: ANNA, full_name: 'Anna Bianchi', email: 'anna.bianchi@example.it' })
      .loginAs(operator)
    again.assertStatus(200)
    assert.equal(again.body().citizen.id, citizen.id)
    const memberships = await db.from('memberships').where('tenant_id', tenant.id).where('user_id', citizen.id)
    assert.lengthOf(memberships, 1)
    assert.include(memberships[0].roles, 'citizen')

    // Who added the person, in the audit log; the codice fiscale is not in clear there.
    const audit = await db.from('audit_logs').where('entity', 'users').where('entity_id', String(citizen.id))
    assert.equal(audit[0].actor_user_id, operator.id)
    assert.notInclude(JSON.stringify(audit), ANNA)
    const shown = await client.get(`${base}/counter/citizens/${citizen.id}`).loginAs(operator)
    shown.assertStatus(200)
  })

  test('a person known to another comune is not disclosed, and becomes a citizen here when added', async ({
    client,
    assert,
  }) => {
    const { operator, base, citizen } = await refezioneTenant()
    const elsewhere = await makeTenant()
    const other = await makeUser(elsewhere, ['citizen'])
    await RequestContext.asSystem('test', async () => {
      const row = await User.findOrFail(other.id)
      row.fiscalCode = ANNA
      await row.save()
    })
    const lookup = await client.get(`${base}/counter/citizens`).qs({ fiscal_code: ANNA }).loginAs(operator)
    lookup.assertStatus(404)
    ;(await client.get(`${base}/counter/citizens/${other.id}`).loginAs(operator)).assertStatus(404)

    // Someone else's email cannot be given to a new person.
    const taken = await client
      .post(`${base}/counter/citizens`)
      .json({ fiscal_code: code('RSSMRA80A01G535'), full_name: 'Mario Rossi', email: citizen.email })
      .loginAs(operator)
    taken.assertStatus(409)
    assert.equal(taken.body().errors[0].path, '/email')

    const linked = await client
      .post(`${base}/counter/citizens`)
      .json({ fiscal_code: ANNA, full_name: 'Altro Nome', email: 'altro@example.it' })
      .loginAs(operator)
    linked.assertStatus(201)
    assert.equal(linked.body().citizen.id, other.id)
    assert.equal(linked.body().citizen.fullName, other.fullName, 'the account keeps its own name')
    ;(await client.get(`${base}/counter/citizens`).qs({ fiscal_code: ANNA }).loginAs(citizen)).assertStatus(403)
  })

  test('filed on their behalf, late where the window is closed, and the citizen sees it as theirs', async ({
    client,
    assert,
  }) => {
    const { tenant, operator, base, sample } = await refezioneTenant()
    await RequestContext.asSystem('test', async () => {
      const row = await Tenant.findOrFail(tenant.id)
      const yesterday = DateTime.now().setZone('Europe/Rome').minus({ days: 1 }).toISODate()
      row.settings = { ...row.settings, enrolment: { [FORM]: { closes: yesterday } } }
      await row.save()
    })
    const added = await client
      .post(`${base}/counter/citizens`)
      .json({ fiscal_code: ANNA, full_name: 'Anna Bianchi', email: 'anna.bianchi@example.it' })
      .loginAs(operator)
    const citizenId = added.body().citizen.id
    // The identity document scanned at the counter: uploaded by the operator.
    const identity = await RequestContext.withTenant(tenant.ref, async () =>
      storeUpload({
        tenantId: tenant.id,
        userId: operator.id,
        form: (await findCurrentForm(FORM))!.definition,
        field: '/identity_document',
        fileName: 'documento.pdf',
        bytes: Buffer.from('%PDF-1.4\n% documento allo sportello\n%%EOF\n'),
        lang: 'it',
      })
    )
    sample.identity_document = identity.reference
    const sent = await client
      .post(`${base}/forms/${FORM}/submit`)
      .json({ data: sample, applicant_user_id: citizenId })
      .loginAs(operator)
    sent.assertStatus(201)
    const submission = sent.body().submission
    assert.deepInclude(submission, { applicantUserId: citizenId, submittedByUserId: operator.id, onBehalf: true })
    assert.include(submission.statusReason, 'fuori termine')
    const anna = await User.findOrFail(citizenId)
    const theirs = await client.get(`${base}/submissions`).loginAs(anna)
    assert.deepEqual(
      theirs.body().submissions.map((s: { id: number }) => s.id),
      [submission.id]
    )
  })
})
