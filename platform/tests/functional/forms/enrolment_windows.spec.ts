import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import { jobQueue } from '#queue/queue_factory'
import Tenant from '#models/tenant'
import Form from '#models/form'
import User from '#models/user'
import { seedDemo } from '#services/content/demo_seeder'
import { parseEnrolmentSettings } from '#services/enrolments/enrolment_windows'
import { readableAuditValues } from '#services/infrastructure/audit_service'
import { RequestContext } from '#services/infrastructure/request_context'
import { FORM, forChild, refezioneTenant } from './world.js'
import { makeUser, transactionWithJobs } from '../../helpers/world.js'

type Err = { path: string; rule: string; message: string }
type Listed = { key: string; enrolment: { open: boolean; opens: string | null; closes: string | null; state: string } }

/** A calendar day in Rome, `offset` days from today. */
function romeDay(offset: number) {
  return DateTime.now().setZone('Europe/Rome').plus({ days: offset }).toISODate()!
}

function italian(isoDay: string) {
  return DateTime.fromISO(isoDay).toFormat('dd/MM/yyyy')
}

async function setWindow(tenant: Tenant, window: { opens?: string; closes?: string }) {
  await RequestContext.asSystem('test', async () => {
    const row = await Tenant.findOrFail(tenant.id)
    row.settings = { ...row.settings, enrolment: { [FORM]: window } }
    await row.save()
  })
}

async function submissionCount(tenantId: number) {
  const row = await db.from('submissions').where('tenant_id', tenantId).count('* as n').first()
  return Number(row.n)
}

test.group('Enrolment windows: forms and submissions', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('with no configuration every form is open and a citizen submits as before', async ({ client, assert }) => {
    const { citizen, base, sample } = await refezioneTenant()
    const list = await client.get(`${base}/forms`).loginAs(citizen)
    list.assertStatus(200)
    const form = list.body().forms.find((f: Listed) => f.key === FORM)
    assert.deepEqual(form.enrolment, { open: true, opens: null, closes: null, state: 'open' })
    const sent = await client.post(`${base}/forms/${FORM}/submit`).json({ data: sample }).loginAs(citizen)
    sent.assertStatus(201)
    assert.equal(sent.body().submission.status, 'submitted')
    assert.isNull(sent.body().submission.statusReason)
  })

  test('inside the window (closing today) a citizen submits', async ({ client, assert }) => {
    const { tenant, citizen, base, sample } = await refezioneTenant()
    const window = { opens: romeDay(-30), closes: romeDay(0) }
    await setWindow(tenant, window)
    const list = await client.get(`${base}/forms`).loginAs(citizen)
    const form = list.body().forms.find((f: Listed) => f.key === FORM)
    assert.deepEqual(form.enrolment, { open: true, ...window, state: 'open' })
    const show = await client.get(`${base}/forms/${FORM}`).loginAs(citizen)
    assert.equal(show.body().form.enrolment.state, 'open')

    const draft = await client.post(`${base}/forms/${FORM}/submissions`).json({ data: sample }).loginAs(citizen)
    draft.assertStatus(201)
    const sent = await client.post(`${base}/submissions/${draft.body().submission.id}/submit`).loginAs(citizen)
    sent.assertStatus(200)
    assert.equal(sent.body().submission.status, 'submitted')
  })

  test('before the window: drafts are saved, sending is refused with the dates', async ({ client, assert }) => {
    const { tenant, citizen, base, sample } = await refezioneTenant()
    const window = { opens: romeDay(1), closes: romeDay(60) }
    await setWindow(tenant, window)
    const list = await client.get(`${base}/forms`).loginAs(citizen)
    const form = list.body().forms.find((f: Listed) => f.key === FORM)
    assert.deepEqual(form.enrolment, { open: false, ...window, state: 'not_yet' })

    const draft = await client.post(`${base}/forms/${FORM}/submissions`).json({ data: sample }).loginAs(citizen)
    draft.assertStatus(201)
    const id = draft.body().submission.id
    const updated = await client.put(`${base}/submissions/${id}`).json({ data: sample }).loginAs(citizen)
    updated.assertStatus(200)

    const refused = await client.post(`${base}/submissions/${id}/submit`).loginAs(citizen)
    refused.assertStatus(422)
    const errors: Err[] = refused.body().errors
    assert.lengthOf(errors, 1)
    assert.equal(errors[0].path, '')
    assert.equal(errors[0].rule, 'window:not_yet')
    assert.include(errors[0].message, `dal ${italian(window.opens)} al ${italian(window.closes)}`)
    const still = await client.get(`${base}/submissions/${id}`).loginAs(citizen)
    assert.equal(still.body().submission.status, 'draft')

    const before = await submissionCount(tenant.id)
    const direct = await client
      .post(`${base}/forms/${FORM}/submit`)
      .header('accept-language', 'en')
      .json({ data: sample })
      .loginAs(citizen)
    direct.assertStatus(422)
    assert.equal(direct.body().errors[0].rule, 'window:not_yet')
    assert.include(direct.body().errors[0].message, `from ${italian(window.opens)}`)
    assert.equal(await submissionCount(tenant.id), before, 'nothing is stored')
  })

  test('after the window: a citizen is refused; an operator files late on their behalf, and it is recorded', async ({
    client,
    assert,
  }) => {
    const { tenant, citizen, operator, base, sample } = await refezioneTenant()
    const closes = romeDay(-1)
    await setWindow(tenant, { opens: romeDay(-90), closes })
    const list = await client.get(`${base}/forms`).loginAs(citizen)
    assert.equal(list.body().forms.find((f: Listed) => f.key === FORM).enrolment.state, 'closed')

    const refused = await client.post(`${base}/forms/${FORM}/submit`).json({ data: sample }).loginAs(citizen)
    refused.assertStatus(422)
    assert.equal(refused.body().errors[0].rule, 'window:closed')
    assert.include(refused.body().errors[0].message, `chiuse il ${italian(closes)}`)
    const english = await client
      .post(`${base}/forms/${FORM}/submit`)
      .header('accept-language', 'en')
      .json({ data: sample })
      .loginAs(citizen)
    assert.include(english.body().errors[0].message, `closed on ${italian(closes)}`)

    // The citizen's own draft, sent by the operator at the counter (procura).
    const draft = await client.post(`${base}/forms/${FORM}/submissions`).json({ data: sample }).loginAs(citizen)
    draft.assertStatus(201)
    const id = draft.body().submission.id
    ;(await client.post(`${base}/submissions/${id}/submit`).loginAs(citizen)).assertStatus(422)
    const late = await client.post(`${base}/submissions/${id}/submit`).loginAs(operator)
    late.assertStatus(200)
    const s = late.body().submission
    assert.equal(s.status, 'submitted')
    assert.isTrue(s.onBehalf)
    assert.include(s.statusReason, 'fuori termine')
    assert.include(s.statusReason, italian(closes))
    const step = s.history.at(-1)
    assert.equal(step.to, 'submitted')
    assert.equal(step.userId, operator.id)
    assert.include(step.reason, `iscrizioni chiuse il ${italian(closes)}`)
    // The sending's audit row (the protocol job may have written another since) names the operator and the note.
    const updates = await db
      .from('audit_logs')
      .where({ entity: 'submissions', entity_id: String(id), action: 'update' })
      .orderBy('id', 'asc')
    const text = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value))
    // The reason is an identifier-class value: encrypted in the row, readable with the key.
    const readable = (value: unknown) =>
      JSON.stringify(
        readableAuditValues('submissions', typeof value === 'string' ? JSON.parse(value) : (value as never))
      )
    const sending = updates.find((row) => text(row.after).includes('"submitted"'))
    assert.exists(sending, JSON.stringify(updates))
    assert.equal(sending.actor_user_id, operator.id)
    assert.notInclude(text(sending.after), 'fuori termine')
    assert.include(readable(sending.after), 'fuori termine')

    // Create-and-submit on behalf works too, and is recorded in the creation's audit row.
    const direct = await client
      .post(`${base}/forms/${FORM}/submit`)
      .json({ data: forChild(sample, 1), applicant_user_id: citizen.id })
      .loginAs(operator)
    direct.assertStatus(201)
    assert.include(direct.body().submission.history.at(-1).reason, 'fuori termine')
    const created = await db
      .from('audit_logs')
      .where({ entity: 'submissions', entity_id: String(direct.body().submission.id), action: 'create' })
      .first()
    assert.equal(created.actor_user_id, operator.id)
    assert.include(readable(created.after), 'fuori termine')

    // Staff applying for themselves are applicants like any other.
    const own = await client
      .post(`${base}/forms/${FORM}/submit`)
      .json({ data: forChild(sample, 2) })
      .loginAs(operator)
    own.assertStatus(422)
    assert.equal(own.body().errors[0].rule, 'window:closed')
  })

  test('a resubmission after a request to complete is taken after the closing day', async ({ client, assert }) => {
    const { tenant, citizen, operator, base, sample } = await refezioneTenant()
    const sent = await client.post(`${base}/forms/${FORM}/submit`).json({ data: sample }).loginAs(citizen)
    sent.assertStatus(201)
    const id = sent.body().submission.id
    await jobQueue().drained()
    await setWindow(tenant, { closes: romeDay(-1) })
    const asked = await client
      .post(`${base}/submissions/${id}/status`)
      .json({ status: 'needs_completion', reason: 'Manca il documento' })
      .loginAs(operator)
    asked.assertStatus(200)
    const again = await client.post(`${base}/submissions/${id}/submit`).loginAs(citizen)
    again.assertStatus(200)
    assert.equal(again.body().submission.status, 'submitted')
    assert.isNull(again.body().submission.statusReason)
  })
})

test.group('Enrolment windows: tenant settings', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('a tenant admin sets the windows; a wrong block is refused naming the field', async ({ client, assert }) => {
    const { tenant } = await refezioneTenant()
    const admin = await makeUser(tenant, ['tenant_admin'])
    const url = `/api/v1/t/${tenant.slug}`
    const patch = (enrolment: unknown, lang = 'it') =>
      client.patch(url).header('accept-language', lang).json({ settings: { enrolment } }).loginAs(admin)

    const badDate = await patch({ [FORM]: { opens: '2026-02-30' } })
    badDate.assertStatus(422)
    assert.equal(badDate.body().errors[0].field, `settings.enrolment.${FORM}.opens`)
    assert.include(badDate.body().errors[0].message, 'AAAA-MM-GG')

    const reversed = await patch({ [FORM]: { opens: '2026-07-01', closes: '2026-06-30' } }, 'en')
    reversed.assertStatus(422)
    assert.equal(reversed.body().errors[0].field, `settings.enrolment.${FORM}.opens`)
    assert.include(reversed.body().errors[0].message, 'after the closing day')

    // trasporto is not enabled for this tenant: its form is unknown here.
    const unknown = await patch({ 'trasporto.iscrizione': { opens: '2026-03-01' } })
    unknown.assertStatus(422)
    assert.equal(unknown.body().errors[0].field, 'settings.enrolment.trasporto.iscrizione')
    assert.include(unknown.body().errors[0].message, FORM)

    assert.isUndefined((await Tenant.findOrFail(tenant.id)).settings.enrolment)

    const window = { [FORM]: { opens: '2026-03-01', closes: '2026-06-30' } }
    const saved = await patch(window)
    saved.assertStatus(200)
    assert.deepEqual((await Tenant.findOrFail(tenant.id)).settings.enrolment, window)
  })
})

test.group('Enrolment windows: demo', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('piacenza has refezione and trasporto open today, nidi closed and nido estivo not yet open', async ({
    client,
    assert,
  }) => {
    await seedDemo()
    await seedDemo()
    const tenant = await Tenant.findByOrFail('slug', 'piacenza')
    const forms = await RequestContext.withTenant(tenant.ref, () => Form.query().select('key'))
    // What the seeder wrote passes the same check as an administrator's PATCH.
    parseEnrolmentSettings(
      tenant.settings.enrolment,
      forms.map((f) => f.key)
    )
    const citizen = await User.findByOrFail('email', 'cittadino@piacenza.demo')
    const list = await client.get('/api/v1/t/piacenza/forms').loginAs(citizen)
    list.assertStatus(200)
    const states = Object.fromEntries(list.body().forms.map((f: Listed) => [f.key, f.enrolment.state]))
    assert.equal(states['refezione.iscrizione'], 'open')
    assert.equal(states['trasporto.iscrizione'], 'open')
    assert.equal(states['nidi.iscrizione'], 'closed')
    assert.equal(states['nido-estivo.iscrizione'], 'not_yet')
    assert.equal(states['edugate.iscrizione'], 'open')
  })
})
