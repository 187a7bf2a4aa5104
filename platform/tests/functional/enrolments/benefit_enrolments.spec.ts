/**
 * The services whose enrolment is not a school's: ERSU (a student's benefits) and the emergency
 * grant (a household). Accepting an application of either enrols it through the service plugin's
 * subscriber to `submission.accepted`, in the acceptance's transaction, with the plugin's details.
 * Neither ships a form yet: each test gives the tenant a small one of the service, with the fields
 * the plugin reads.
 */
import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import Enrolment from '#models/enrolment'
import Form from '#models/form'
import FormVersion from '#models/form_version'
import Submission from '#models/submission'
import type Tenant from '#models/tenant'
import type User from '#models/user'
import { RequestContext } from '#services/infrastructure/request_context'
import { pluginService } from '#services/tenants/plugin_service'
import { submissionService } from '#services/submissions/submission_service'
import { makeTenant, makeUser, transactionWithJobs } from '#tests/helpers/world'

/** A form of the service in the tenant and an application of it, protocolled and waiting for a decision. */
async function application(tenant: Tenant, service: string, applicant: User, data: Record<string, unknown>) {
  return RequestContext.withTenant(tenant.ref, async () => {
    const key = `${service}.domanda`
    const definition = {
      id: key,
      service,
      version: 1,
      title: { it: 'Domanda', en: 'Application' },
      schema: { type: 'object', properties: {} },
      uiSchema: {},
      blocchi: [],
      attachments: {},
      sample: data,
    }
    const form = await Form.create({ key, service, title: definition.title })
    const version = await FormVersion.create({
      formId: form.id,
      version: 1,
      definition,
      source: 'default',
      publishedBy: null,
    })
    return Submission.create({
      formId: form.id,
      formVersionId: version.id,
      formKey: key,
      applicantUserId: applicant.id,
      submittedByUserId: applicant.id,
      onBehalf: false,
      status: 'protocolled',
      statusReason: null,
      data,
      protocolNumber: '2026/0000042',
      submittedAt: DateTime.fromISO('2026-07-20T10:00:00', { zone: 'Europe/Rome' }),
    })
  })
}

async function world(service: string) {
  const tenant = await makeTenant()
  await pluginService.enable(tenant, service)
  return {
    tenant,
    citizen: await makeUser(tenant, ['citizen']),
    operator: await makeUser(tenant, ['operator']),
    base: `/api/v1/t/${tenant.slug}`,
  }
}

test.group('Enrolments of the benefit services', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('an accepted ERSU application enrols the student with the details the rankings need', async ({
    client,
    assert,
  }) => {
    const w = await world('ersu')
    const submission = await application(w.tenant, 'ersu', w.citizen, {
      student: { first_name: 'Marta', last_name: 'Sanna', fiscal_code: 'SNNMRT05A41I452X' },
      benefits: ['borsa', 'alloggio'],
      institution: 'uniss',
      degree_course: 'Scienze agrarie',
      course_level: 1,
      course_year: 2,
      first_year: false,
      student_status: 'fuori_sede',
      credits: 42,
      average_mark: 27.5,
      isee_choice: 'declared',
      isee_value: 14250.5,
      inps_protocol: 'INPS-ISEE-2026-00011122C-01',
    })
    await RequestContext.withTenant(w.tenant.ref, () =>
      submissionService.changeStatus(submission, 'accepted', null, w.operator.id)
    )
    const row = await RequestContext.withTenant(w.tenant.ref, () =>
      Enrolment.query().where('submission_id', submission.id).firstOrFail()
    )
    assert.equal(row.service, 'ersu')
    assert.equal(row.status, 'active')
    assert.equal(row.schoolYear, '2026/2027')
    assert.equal(row.childFirstName, 'Marta')
    assert.equal(row.isee?.value, '14250.50')
    assert.deepEqual(row.details, {
      benefits: ['borsa', 'alloggio'],
      institution: 'uniss',
      degree_course: 'Scienze agrarie',
      course_level: 1,
      course_year: 2,
      first_year: false,
      student_status: 'fuori_sede',
      credits: 42,
      average_mark: '27.50',
    })

    // The student reads the enrolment with the plugin's lines, in their language.
    const shown = await client.get(`${w.base}/enrolments/${row.id}`).header('accept-language', 'en').loginAs(w.citizen)
    shown.assertStatus(200)
    const lines = JSON.stringify(shown.body())
    assert.include(lines, 'Benefits requested')
    assert.include(lines, 'Scienze agrarie')
  })

  test('an accepted emergency grant application enrols the household, amounts as decimal text', async ({ assert }) => {
    const w = await world('covid-bonus')
    const submission = await application(w.tenant, 'covid-bonus', w.citizen, {
      applicant: { first_name: 'Efisio', last_name: 'Melis' },
      household_members: 5,
      resident_on_reference_date: true,
      other_support_monthly: '250,5',
      wage_or_pension_monthly: 0,
      iban: 'IT60 X054 2811 1010 0000 0123 456',
    })
    await RequestContext.withTenant(w.tenant.ref, () =>
      submissionService.changeStatus(submission, 'accepted', null, w.operator.id)
    )
    const row = await RequestContext.withTenant(w.tenant.ref, () =>
      Enrolment.query().where('submission_id', submission.id).firstOrFail()
    )
    assert.equal(row.service, 'covid-bonus')
    assert.equal(row.applicantUserId, w.citizen.id)
    assert.isNull(row.childFiscalCode)
    assert.isNull(row.isee)
    assert.deepEqual(row.details, {
      household_members: 5,
      resident_on_reference_date: true,
      other_support_monthly: '250.50',
      wage_or_pension_monthly: '0.00',
      iban: 'IT60X0542811101000000123456',
    })
  })

  test('a rejected application enrols nobody, and another service’s acceptance is not enrolled by these plugins', async ({
    assert,
  }) => {
    const w = await world('ersu')
    await pluginService.enable(w.tenant, 'covid-bonus')
    const rejected = await application(w.tenant, 'ersu', w.citizen, { benefits: ['mensa'] })
    await RequestContext.withTenant(w.tenant.ref, () =>
      submissionService.changeStatus(rejected, 'rejected', 'fuori dai requisiti di merito', w.operator.id)
    )
    assert.lengthOf(await RequestContext.withTenant(w.tenant.ref, () => Enrolment.query()), 0)
    const grant = await application(w.tenant, 'covid-bonus', w.citizen, { household_members: 2 })
    await RequestContext.withTenant(w.tenant.ref, () =>
      submissionService.changeStatus(grant, 'accepted', null, w.operator.id)
    )
    const rows = await RequestContext.withTenant(w.tenant.ref, () => Enrolment.query())
    assert.deepEqual(
      rows.map((r) => [r.service, r.details]),
      [['covid-bonus', { household_members: 2 }]]
    )
  })
})
