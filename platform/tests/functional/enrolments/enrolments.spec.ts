import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import { jobQueue } from '#queue/queue_factory'
import Enrolment from '#models/enrolment'
import Submission from '#models/submission'
import type Tenant from '#models/tenant'
import type User from '#models/user'
import { RequestContext } from '#services/infrastructure/request_context'
import { findCurrentForm } from '#services/definitions/form_service'
import { loadDefaultForms } from '#services/content/default_content'
import { pluginService } from '#services/tenants/plugin_service'
import { attendanceFromOf, enrolmentService, schoolYearOf, tariffDate } from '#services/enrolments/enrolment_service'
import { submissionService } from '#services/submissions/submission_service'
import { FORM, refezioneTenant } from '#tests/functional/forms/world'
import { makeUser } from '#tests/helpers/world'
import { seedDemo } from '#services/content/demo_seeder'
import TenantModel from '#models/tenant'
import UserModel from '#models/user'
import { transactionWithJobs } from '../../helpers/world.js'

/** A Piacenza resident, only child in paid services, ISEE 5,000.00: Allegato D, band "Ridotta", 1 child. */
function reducedBand(sample: Record<string, unknown>) {
  return {
    ...sample,
    household_residence: 'piacenza',
    has_siblings: false,
    family_card: false,
    isee_choice: 'declared',
    isee_value: 5000,
    inps_protocol: 'INPS-ISEE-2026-00987654B-01',
    special_diet: true,
    diet_type: 'medical',
    medical_diet_form: sample.identity_document,
    medical_certificate: sample.identity_document,
  }
}

/** Sent by the citizen, protocolled by the job, accepted by the operator: the real path. */
async function acceptedThroughApi(
  client: ApiClient,
  ctx: { base: string; citizen: User; operator: User },
  data: Record<string, unknown>
) {
  const sent = await client.post(`${ctx.base}/forms/${FORM}/submit`).json({ data }).loginAs(ctx.citizen)
  sent.assertStatus(201)
  const id = sent.body().submission.id as number
  await jobQueue().drained()
  const accepted = await client
    .post(`${ctx.base}/submissions/${id}/status`)
    .json({ status: 'accepted' })
    .loginAs(ctx.operator)
  accepted.assertStatus(200)
  return id
}

/** A submission already protocolled, stored directly (forms whose attachments the test does not upload). */
async function protocolled(tenant: Tenant, formKey: string, applicant: User, data: Record<string, unknown>) {
  return RequestContext.withTenant(tenant.ref, async () => {
    const current = (await findCurrentForm(formKey))!
    return Submission.create({
      formId: current.form.id,
      formVersionId: current.version.id,
      formKey,
      applicantUserId: applicant.id,
      submittedByUserId: applicant.id,
      onBehalf: false,
      status: 'protocolled',
      statusReason: null,
      data,
      protocolNumber: '2026/0000001',
      submittedAt: DateTime.fromISO('2026-05-10T10:00:00', { zone: 'Europe/Rome' }),
    })
  })
}

test.group('Enrolments: school year and tariff date', () => {
  test('a submission sent from March is for the coming school year, one in January or February for the current one', ({
    assert,
  }) => {
    assert.equal(schoolYearOf('2026-05-10'), '2026/2027')
    assert.equal(schoolYearOf('2026-03-01'), '2026/2027')
    assert.equal(schoolYearOf('2026-02-28'), '2025/2026')
    assert.equal(schoolYearOf('2026-11-23'), '2026/2027')
  })

  test('weeks of attendance decide the school year of a summer service', ({ assert }) => {
    const weeks = [
      { from: '2026-07-20', to: '2026-07-24' },
      { from: '2026-07-06', to: '2026-07-10' },
    ]
    // The nurseries' plugin reads the first week; the platform places it in its school year.
    const yearOf = (data: Record<string, unknown>) => schoolYearOf('2026-05-10', attendanceFromOf('nidi', data))
    assert.equal(yearOf({ weeks }), '2025/2026')
    assert.equal(yearOf({ weeks: [{ from: '2026-09-07', to: '2026-09-11' }] }), '2026/2027')
    assert.equal(yearOf({}), '2026/2027')
  })

  test('the tariff is evaluated at the start of the school year, or on acceptance when later', ({ assert }) => {
    assert.equal(tariffDate('2026/2027', '2026-06-15'), '2026-09-01')
    assert.equal(tariffDate('2026/2027', '2026-11-23'), '2026-11-23')
  })
})

test.group('Enrolments', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('accepting a refezione submission enrols the child with the fee of the rules engine', async ({
    client,
    assert,
  }) => {
    const world = await refezioneTenant()
    const submissionId = await acceptedThroughApi(client, world, reducedBand(world.sample))

    const list = await client.get(`${world.base}/enrolments`).loginAs(world.citizen)
    list.assertStatus(200)
    assert.lengthOf(list.body().enrolments, 1)
    const item = list.body().enrolments[0]
    assert.equal(item.submissionId, submissionId)
    assert.equal(item.service, 'refezione')
    assert.equal(item.serviceName, 'Refezione scolastica')
    assert.equal(item.status, 'active')
    assert.match(item.schoolYear, /^\d{4}\/\d{4}$/)
    assert.deepEqual(item.child, {
      firstName: 'Giulia',
      lastName: 'Rossi',
      fiscalCode: 'STTSGT90A01H501J',
      unborn: false,
      birthDate: '2017-03-04',
    })
    assert.deepEqual(item.school, {
      id: 'pc-primaria-alberoni',
      name: 'Scuola primaria Alberoni',
      section: 'B',
    })
    // Allegato D, "Ridotta ISEE da € 4.300,01 a € 9.000,00", normal fee: 3,43 a meal.
    assert.equal(item.tariff.amount, '3.43')
    assert.isNull(item.tariff.missingReason)
    assert.notProperty(item, 'isee')

    const detail = await client.get(`${world.base}/enrolments/${item.id}`).loginAs(world.citizen)
    detail.assertStatus(200)
    const e = detail.body().enrolment
    assert.deepEqual(e.isee, {
      presented: true,
      value: '5000.00',
      inpsProtocol: 'INPS-ISEE-2026-00987654B-01',
      kind: null,
    })
    // School order, class and diet are the canteen plugin's details, described by it for people.
    assert.deepEqual(e.details, {
      school_order: 'primaria',
      class_year: '2',
      diet: { requested: true, type: 'medical', authorised: null },
    })
    assert.deepEqual(e.detailGroups, [
      {
        items: [
          { label: 'Ordine di scuola', value: 'Scuola primaria' },
          { label: 'Classe', value: '2' },
        ],
      },
      {
        title: 'Dieta speciale',
        items: [
          {
            label: 'Tipo di dieta',
            value:
              'Dieta medica (allegare il modulo firmato da entrambi i genitori e il certificato del medico curante)',
          },
          { label: 'Richiesta', value: 'Sì' },
          { label: 'Autorizzazione', value: 'In attesa di verifica da parte degli uffici' },
        ],
      },
    ])
    assert.equal(e.tariff.ruleset, 'refezione.tariffa')
    assert.equal(e.tariff.version, 2)
    assert.match(e.tariff.at, /^\d{4}-\d{2}-\d{2}$/)
    assert.equal(e.tariff.result.band, 'ridotta')
    assert.equal(e.tariff.title, 'Refezione scolastica: tariffa a pasto')
    // The family reads a plain summary with the unit; the operator's trace is for staff.
    assert.equal(e.tariff.unit, 'meal')
    assert.deepEqual(e.tariff.trace, [])
    assert.deepEqual(e.tariff.summary, {
      band: 'Ridotta',
      reasons: [
        "Residente: la tariffa dipende dall'ISEE della famiglia.",
        'ISEE di 5.000,00 €, da 4.300,01 a 9.000,00 €: fascia Ridotta.',
      ],
      amount: '3.43',
      unit: 'meal',
      exempt: false,
      text:
        "Tariffa: 3,43 € a pasto, fascia Ridotta. Residente: la tariffa dipende dall'ISEE della famiglia. " +
        'ISEE di 5.000,00 €, da 4.300,01 a 9.000,00 €: fascia Ridotta.',
    })

    const english = await client
      .get(`${world.base}/enrolments/${item.id}`)
      .header('accept-language', 'en')
      .loginAs(world.citizen)
    assert.equal(english.body().enrolment.tariff.summary.band, 'Reduced')
    assert.equal(english.body().enrolment.tariff.summary.amount, '3.43')
    assert.include(english.body().enrolment.tariff.summary.text, 'Fee: €3.43 per meal, Reduced band.')
    assert.include(
      english.body().enrolment.tariff.summary.reasons,
      'ISEE of €5,000.00, from €4,300.01 to €9,000.00: Reduced band.'
    )
    assert.deepEqual(english.body().enrolment.detailGroups[0].items[0], {
      label: 'School level',
      value: 'Primary school',
    })
    assert.equal(english.body().enrolment.serviceName, 'School canteen')

    // Staff read the whole trace, in their language, and the same summary.
    const staff = await client.get(`${world.base}/enrolments/${item.id}`).loginAs(world.operator)
    const staffTariff = staff.body().enrolment.tariff
    assert.isAbove(staffTariff.trace.length, 1)
    const italian = staffTariff.trace.map((t: { message: string }) => t.message).join('\n')
    assert.include(italian, 'Ridotta')
    assert.equal(staffTariff.summary.band, 'Ridotta')
    const staffEnglish = await client
      .get(`${world.base}/enrolments/${item.id}`)
      .header('accept-language', 'en')
      .loginAs(world.operator)
    const englishTrace = staffEnglish
      .body()
      .enrolment.tariff.trace.map((t: { message: string }) => t.message)
      .join('\n')
    assert.notEqual(englishTrace, italian)
  })

  test('accepting again, or accepting a new submission for the same child, never makes a second enrolment', async ({
    client,
    assert,
  }) => {
    const world = await refezioneTenant()
    const first = await acceptedThroughApi(client, world, reducedBand(world.sample))
    const again = await client
      .post(`${world.base}/submissions/${first}/status`)
      .json({ status: 'accepted' })
      .loginAs(world.operator)
    again.assertStatus(422)

    await RequestContext.withTenant(world.tenant.ref, async () => {
      // The service itself, run twice for the same submission (a retry): still one row.
      await db.transaction((trx) => enrolmentService.enrolSubmission(trx, 'refezione', first, {}))
      await db.transaction((trx) => enrolmentService.enrolSubmission(trx, 'refezione', first, {}))
      assert.lengthOf(await Enrolment.query(), 1)
    })
    const before = await RequestContext.withTenant(world.tenant.ref, () => Enrolment.query().firstOrFail())

    // The canteen refuses a second application for the same child (its "x-duplicates": "refuse")...
    const refused = await client
      .post(`${world.base}/forms/${FORM}/submit`)
      .json({ data: { ...reducedBand(world.sample), isee_value: 12000 } })
      .loginAs(world.citizen)
    refused.assertStatus(422)
    assert.equal(refused.body().errors[0].rule, 'duplicate:enrolment')
    // ...a tenant that lets staff decide instead ("warn") takes it, and the enrolment follows it.
    await RequestContext.withTenant(world.tenant.ref, async () => {
      const current = (await findCurrentForm(FORM))!
      current.version.definition = { ...current.version.definition, 'x-duplicates': 'warn' }
      await current.version.save()
    })
    const second = await acceptedThroughApi(client, world, { ...reducedBand(world.sample), isee_value: 12000 })
    const rows = await RequestContext.withTenant(world.tenant.ref, () => Enrolment.query())
    assert.lengthOf(rows, 1)
    assert.equal(rows[0].id, before.id)
    assert.equal(rows[0].submissionId, second)
    assert.equal(rows[0].isee?.value, '12000.00')
    // Allegato D, "Intera ISEE oltre 9.000,00 €", one child: 5,69.
    assert.equal(rows[0].tariffAmount, '5.69')
  })

  test('a citizen sees only their own enrolments; staff see all, filtered, and their reads are audited', async ({
    client,
    assert,
  }) => {
    const world = await refezioneTenant()
    await acceptedThroughApi(client, world, reducedBand(world.sample))
    const [own] = (await client.get(`${world.base}/enrolments`).loginAs(world.citizen)).body().enrolments

    const other = await client.get(`${world.base}/enrolments`).loginAs(world.otherCitizen)
    other.assertStatus(200)
    assert.deepEqual(other.body().enrolments, [])
    const stolen = await client.get(`${world.base}/enrolments/${own.id}`).loginAs(world.otherCitizen)
    stolen.assertStatus(404)
    assert.equal(stolen.body().errors[0].message, 'Iscrizione non trovata.')
    assert.notInclude(JSON.stringify(stolen.body()), 'Giulia')
    ;(await client.get(`${world.base}/enrolments/999999`).loginAs(world.citizen)).assertStatus(404)
    ;(await client.get(`${world.base}/enrolments/abc`).loginAs(world.citizen)).assertStatus(404)

    const all = await client.get(`${world.base}/enrolments`).loginAs(world.operator)
    assert.lengthOf(all.body().enrolments, 1)
    const filtered = (qs: string) => client.get(`${world.base}/enrolments?${qs}`).loginAs(world.operator)
    assert.lengthOf((await filtered('service=refezione')).body().enrolments, 1)
    assert.lengthOf((await filtered('service=trasporto')).body().enrolments, 0)
    assert.lengthOf((await filtered(`school_year=${encodeURIComponent(own.schoolYear)}`)).body().enrolments, 1)
    assert.lengthOf((await filtered('school_year=1999%2F2000')).body().enrolments, 0)

    const reads = () => db.from('audit_logs').where({ entity: 'enrolments', entity_id: String(own.id), action: 'read' })
    await client.get(`${world.base}/enrolments/${own.id}`).loginAs(world.citizen)
    assert.lengthOf(await reads(), 0)
    const staffRead = await client.get(`${world.base}/enrolments/${own.id}`).loginAs(world.operator)
    staffRead.assertStatus(200)
    const logged = await reads()
    assert.lengthOf(logged, 1)
    assert.equal(logged[0].actor_user_id, world.operator.id)
  })

  test('ISEE, diet and the tariff trace are encrypted at rest; the creation is audited without them', async ({
    client,
    assert,
  }) => {
    const world = await refezioneTenant()
    await acceptedThroughApi(client, world, reducedBand(world.sample))
    const raw = await db.from('enrolments').where('tenant_id', world.tenant.id).firstOrFail()
    for (const column of ['isee', 'details', 'tariff_trace', 'tariff_facts', 'tariff_result']) {
      assert.isTrue(String(raw[column]).startsWith('enc:v1:'), column)
    }
    assert.notInclude(String(raw.isee), '5000')
    assert.notInclude(String(raw.isee), 'INPS-ISEE')
    // The diet is in the canteen's details, encrypted with them.
    assert.notInclude(String(raw.details), 'medical')
    assert.equal(raw.tariff_amount, '3.43')
    const audit = await db.from('audit_logs').where({ entity: 'enrolments', action: 'create' }).firstOrFail()
    // A text column on SQLite, JSON on PostgreSQL: compare the same serialisation on both.
    const after = typeof audit.after === 'string' ? audit.after : JSON.stringify(audit.after)
    assert.notInclude(after, '5000')
    assert.include(after, '[cifrato]')
  })

  test('a service with no tariff rule in its form still enrols the child, with the reason for no fee', async ({
    assert,
  }) => {
    const world = await refezioneTenant()
    await pluginService.enable(world.tenant, 'nidi')
    const forms = await loadDefaultForms()
    const data = structuredClone(forms.get('nido-estivo.iscrizione')!.json.sample as Record<string, unknown>)
    const submission = await protocolled(world.tenant, 'nido-estivo.iscrizione', world.citizen, data)
    await RequestContext.withTenant(world.tenant.ref, () =>
      submissionService.changeStatus(submission, 'accepted', null, world.operator.id)
    )
    const row = await RequestContext.withTenant(world.tenant.ref, () =>
      Enrolment.query().where('submission_id', submission.id).firstOrFail()
    )
    assert.equal(row.service, 'nidi')
    assert.equal(row.formKey, 'nido-estivo.iscrizione')
    assert.isNull(row.tariffAmount)
    assert.equal(row.tariffMissingReason, 'no_tariff_rule')
    assert.isNull(row.isee)
    assert.equal(row.schoolId, 'nido-farnesiana')
    assert.equal(row.section, 'grandi')
    assert.equal(row.childFirstName, 'Leo')
    assert.deepEqual((row.details as { weeks: unknown }).weeks, data.weeks)
    // The weeks of the sample are in July 2025: the school year that ends that summer.
    assert.equal(row.schoolYear, '2024/2025')
  })

  test('accepting a transport submission enrols the child with line and stop in the plugin details', async ({
    client,
    assert,
  }) => {
    const world = await refezioneTenant()
    await pluginService.enable(world.tenant, 'trasporto')
    const forms = await loadDefaultForms()
    const data = structuredClone(forms.get('trasporto.iscrizione')!.json.sample as Record<string, unknown>)
    const submission = await protocolled(world.tenant, 'trasporto.iscrizione', world.citizen, data)
    await RequestContext.withTenant(world.tenant.ref, () =>
      submissionService.changeStatus(submission, 'accepted', null, world.operator.id)
    )
    const row = await RequestContext.withTenant(world.tenant.ref, () =>
      Enrolment.query().where('submission_id', submission.id).firstOrFail()
    )
    assert.equal(row.service, 'trasporto')
    const details = row.details as Record<string, unknown>
    assert.equal(details.transport_line, data.transport_line)
    assert.equal(details.transport_stop ?? null, data.transport_stop ?? null)
    const shown = await client.get(`${world.base}/enrolments/${row.id}`).loginAs(world.citizen)
    shown.assertStatus(200)
    const lines = shown.body().enrolment.detailGroups.flatMap((g: { items: unknown[] }) => g.items)
    assert.deepInclude(lines, { label: 'Linea', value: data.transport_line })
  })

  test('an unborn child is enrolled with the unborn flag and the expected birth date', async ({ assert }) => {
    const world = await refezioneTenant()
    await pluginService.enable(world.tenant, 'nidi')
    const forms = await loadDefaultForms()
    const data = structuredClone(forms.get('nidi.iscrizione')!.json.sample as Record<string, unknown>)
    data.child = { unborn: true, presumed_birth_date: '2026-08-30' }
    const submission = await protocolled(world.tenant, 'nidi.iscrizione', world.citizen, data)
    await RequestContext.withTenant(world.tenant.ref, () =>
      submissionService.changeStatus(submission, 'accepted', null, world.operator.id)
    )
    const row = await RequestContext.withTenant(world.tenant.ref, () =>
      Enrolment.query().where('submission_id', submission.id).firstOrFail()
    )
    assert.isTrue(row.childUnborn)
    assert.isNull(row.childFiscalCode)
    assert.equal(row.childBirthDate, '2026-08-30')
    assert.equal(row.schoolYear, '2026/2027')
    assert.deepEqual((row.details as { structure_preferences: unknown }).structure_preferences, [
      'nido-farnesiana',
      'nido-besurica',
    ])
  })

  test('a refused acceptance leaves no enrolment', async ({ client, assert }) => {
    const world = await refezioneTenant()
    const sent = await client
      .post(`${world.base}/forms/${FORM}/submit`)
      .json({ data: world.sample })
      .loginAs(world.citizen)
    const id = sent.body().submission.id
    await jobQueue().drained()
    const outsider = await makeUser(world.tenant, ['citizen'])
    ;(
      await client.post(`${world.base}/submissions/${id}/status`).json({ status: 'accepted' }).loginAs(outsider)
    ).assertStatus(403)
    await client
      .post(`${world.base}/submissions/${id}/status`)
      .json({ status: 'rejected', reason: 'Fuori termine' })
      .loginAs(world.operator)
    ;(
      await client.post(`${world.base}/submissions/${id}/status`).json({ status: 'accepted' }).loginAs(world.operator)
    ).assertStatus(422)
    assert.lengthOf(await RequestContext.withTenant(world.tenant.ref, () => Enrolment.query()), 0)
  })

  test('the demo citizen of piacenza has one enrolment with the reduced fee, however often the demo is seeded', async ({
    assert,
  }) => {
    await seedDemo()
    await seedDemo()
    const tenant = await TenantModel.findByOrFail('slug', 'piacenza')
    const citizen = await UserModel.findByOrFail('email', 'cittadino@piacenza.demo')
    const rows = await RequestContext.withTenant(tenant.ref, () =>
      Enrolment.query().where('applicant_user_id', citizen.id)
    )
    assert.lengthOf(rows, 1)
    assert.equal(rows[0].tariffAmount, '3.43')
    assert.equal(rows[0].isee?.value, '5000.00')
    const submission = await RequestContext.withTenant(tenant.ref, () => Submission.findOrFail(rows[0].submissionId))
    assert.equal(submission.status, 'accepted')
    assert.match(submission.protocolNumber ?? '', /^\d{4}\/\d{7}$/)
  })
})
