/**
 * A second application for the same child, service and school year: refused where the form says
 * `refuse` (refezione, trasporto), sent with a warning kept for staff where it says `warn` (nidi).
 */
import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import { jobQueue } from '#queue/queue_factory'
import { pluginService } from '#services/tenants/plugin_service'
import { RequestContext } from '#services/infrastructure/request_context'
import { storeUpload } from '#services/submissions/attachment_service'
import { findCurrentForm } from '#services/definitions/form_service'
import { loadDefaultForms } from '#services/content/default_content'
import Submission from '#models/submission'
import { makeTenant, makeUser, transactionWithJobs } from '#tests/helpers/world'
import { schoolYearOf } from '#services/enrolments/enrolment_service'
import { todayInItaly } from '#services/definitions/ruleset_service'
import { FORM, forChild, refezioneTenant } from './world.js'
import db from '@adonisjs/lucid/services/db'
import { childIndexOf, indexApplicationChildren } from '#services/submissions/child_identity'
import { findDuplicates } from '#services/submissions/duplicate_check'
import { currentDataCipher } from '#services/infrastructure/data_cipher'
import { queriesWhile, sqlitePlan } from '#tests/helpers/statements'

type Obj = Record<string, any>

test.group('Forms: a second application for the same child', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('refezione refuses it, naming the application that exists; another child goes through', async ({
    client,
    assert,
  }) => {
    const { tenant, citizen, otherCitizen, operator, base, sample } = await refezioneTenant()
    const first = await client.post(`${base}/forms/${FORM}/submit`).json({ data: sample }).loginAs(citizen)
    first.assertStatus(201)
    const firstId = first.body().submission.id
    assert.notProperty(first.body(), 'warnings')
    await jobQueue().drained()
    const protocol = (await client.get(`${base}/submissions/${firstId}`).loginAs(citizen)).body().submission
      .protocolNumber

    // The same child, written in lower case this time, by the same family: refused.
    const again = structuredClone(sample) as Obj
    again.student.fiscal_code = again.student.fiscal_code.toLowerCase()
    const second = await client.post(`${base}/forms/${FORM}/submit`).json({ data: again }).loginAs(citizen)
    second.assertStatus(422)
    const [error] = second.body().errors
    assert.equal(error.rule, 'duplicate:enrolment')
    assert.equal(error.path, '/student/fiscal_code')
    assert.include(error.message, `Giulia Rossi (STTSGT90A01H501J)`)
    assert.include(error.message, `la domanda n. ${firstId} (Protocollata, protocollo ${protocol})`)
    assert.include(error.message, "rivolgiti all'ufficio")

    // By another applicant, in English, from a draft: refused too, nothing sent.
    const draft = await client
      .post(`${base}/forms/${FORM}/submissions`)
      .json({ data: { ...sample, identity_document: undefined } })
      .loginAs(otherCitizen)
    draft.assertStatus(201)
    const byOther = await client
      .post(`${base}/submissions/${draft.body().submission.id}/submit`)
      .header('accept-language', 'en')
      .loginAs(otherCitizen)
    byOther.assertStatus(422)
    const rules = byOther.body().errors.map((e: Obj) => e.rule)
    assert.include(rules, 'duplicate:enrolment')
    const message = byOther.body().errors.find((e: Obj) => e.rule === 'duplicate:enrolment').message
    assert.include(message, `application no. ${firstId} (Registered`)
    const kept = await RequestContext.withTenant(tenant.ref, () => Submission.findOrFail(draft.body().submission.id))
    assert.equal(kept.status, 'draft')

    // Another child of the same family is a new application.
    const sibling = structuredClone(sample) as Obj
    sibling.student = { ...sibling.student, first_name: 'Mattia', fiscal_code: 'BSCMTT83A12L719R' }
    ;(await client.post(`${base}/forms/${FORM}/submit`).json({ data: sibling }).loginAs(citizen)).assertStatus(201)
    await jobQueue().drained()

    // Once accepted, the child is enrolled: the refusal names the enrolment.
    ;(
      await client.post(`${base}/submissions/${firstId}/status`).json({ status: 'accepted' }).loginAs(operator)
    ).assertStatus(200)
    const enrolled = await client.post(`${base}/forms/${FORM}/submit`).json({ data: sample }).loginAs(citizen)
    enrolled.assertStatus(422)
    assert.match(enrolled.body().errors[0].message, /esiste già l'iscrizione n\. \d+ per questo servizio/)
    assert.notInclude(enrolled.body().errors[0].message, 'la domanda n.')
  })

  test('a rejected application does not stand: the family may apply again', async ({ client }) => {
    const { citizen, operator, base, sample } = await refezioneTenant()
    const first = await client.post(`${base}/forms/${FORM}/submit`).json({ data: sample }).loginAs(citizen)
    await jobQueue().drained()
    ;(
      await client
        .post(`${base}/submissions/${first.body().submission.id}/status`)
        .json({ status: 'rejected', reason: 'Documento illeggibile' })
        .loginAs(operator)
    ).assertStatus(200)
    ;(await client.post(`${base}/forms/${FORM}/submit`).json({ data: sample }).loginAs(citizen)).assertStatus(201)
  })

  test("the check finds the child's applications by the index beside the data, without decrypting the others", async ({
    client,
    assert,
  }) => {
    const { tenant, citizen, base, sample } = await refezioneTenant()
    const first = await client.post(`${base}/forms/${FORM}/submit`).json({ data: sample }).loginAs(citizen)
    first.assertStatus(201)
    const firstId = first.body().submission.id
    // Twelve other children's applications of the same form and year.
    for (let n = 1; n <= 12; n++) {
      const other = await client
        .post(`${base}/forms/${FORM}/submit`)
        .json({ data: forChild(sample, n) })
        .loginAs(citizen)
      other.assertStatus(201)
    }
    // The receipt jobs of those applications decrypt their data too: done before counting.
    await jobQueue().drained()
    const stored = await db.from('submissions').where('id', firstId).firstOrFail()
    assert.equal(stored.child_key_hash, childIndexOf(sample))
    assert.notInclude(stored.child_key_hash, 'STTSGT90A01H501J')

    const cipher = currentDataCipher()
    const decrypt = cipher.decrypt.bind(cipher)
    let decrypted = 0
    cipher.decrypt = (value: string) => {
      decrypted++
      return decrypt(value)
    }
    try {
      const found = await RequestContext.withTenant(tenant.ref, () =>
        findDuplicates(FORM, sample, todayInItaly(), null)
      )
      assert.deepEqual(
        found.map((d) => d.id),
        [firstId]
      )
      // Only the child's own application is read: one data column, not thirteen.
      assert.isAtMost(decrypted, 1)
    } finally {
      cipher.decrypt = decrypt
    }

    // A row left without an index is given one by the migrations' backfill (0044), then found.
    await db.from('submissions').where('id', firstId).update({ child_key_hash: null })
    await indexApplicationChildren(db.connection(), { everyRow: false })
    assert.equal((await db.from('submissions').where('id', firstId).firstOrFail()).child_key_hash, childIndexOf(sample))
    const legacy = await RequestContext.withTenant(tenant.ref, () => findDuplicates(FORM, sample, todayInItaly(), null))
    assert.deepEqual(
      legacy.map((d) => d.id),
      [firstId]
    )
  })

  test("the child's applications are sought in the child's index, not among all of the form's", async ({
    client,
    assert,
  }) => {
    const { tenant, citizen, base, sample } = await refezioneTenant()
    ;(await client.post(`${base}/forms/${FORM}/submit`).json({ data: sample }).loginAs(citizen)).assertStatus(201)
    const seen = await queriesWhile(/./, () =>
      RequestContext.withTenant(tenant.ref, () => findDuplicates(FORM, forChild(sample, 5), todayInItaly(), null))
    )
    const lookup = seen.find((q) => /from [`"]submissions[`"]/.test(q.sql) && q.sql.includes('child_key_hash'))
    assert.exists(lookup, seen.map((q) => q.sql).join('\n'))
    // Asking for rows without an index too ("or child_key_hash is null") made SQLite's planner take
    // the index of the form's statuses and dates: every application of the form read at each sending.
    // The condition on the index is an equality the database can seek, with nothing beside it.
    assert.notMatch(lookup!.sql, /child_key_hash[`"]? is null/i)
    // SQLite is the engine the "or ... is null" misled.
    const plan = await sqlitePlan(lookup!)
    if (plan === null) return
    assert.include(plan, 'submissions_child_key_hash_index', plan)
    assert.notInclude(plan, 'submissions_inbox_counts_index', plan)
  })

  test("a draft's index follows its child when the data change", async ({ client, assert }) => {
    const { citizen, base, sample } = await refezioneTenant()
    const draft = await client.post(`${base}/forms/${FORM}/submissions`).json({ data: sample }).loginAs(citizen)
    draft.assertStatus(201)
    const id = draft.body().submission.id
    const hashOf = async () => (await db.from('submissions').where('id', id).firstOrFail()).child_key_hash
    assert.equal(await hashOf(), childIndexOf(sample))
    const other = forChild(sample, 3)
    ;(await client.put(`${base}/submissions/${id}`).json({ data: other }).loginAs(citizen)).assertStatus(200)
    assert.equal(await hashOf(), childIndexOf(other))
    assert.notEqual(childIndexOf(other), childIndexOf(sample))
    // A form that names no child is indexed as the empty text, which no child has.
    assert.equal(childIndexOf({}), currentDataCipher().blindIndex('fiscal_code', ''))
  })

  test('nidi sends it with a warning, kept with the submission for staff', async ({ client, assert }) => {
    const { base, citizen, operator, sample } = await nidiTenant(client)
    const first = await client.post(`${base}/forms/nidi.iscrizione/submit`).json({ data: sample }).loginAs(citizen)
    first.assertStatus(201)
    const firstId = first.body().submission.id
    await jobQueue().drained()
    const protocol = (await client.get(`${base}/submissions/${firstId}`).loginAs(citizen)).body().submission
      .protocolNumber

    const second = await client
      .post(`${base}/forms/nidi.iscrizione/submit`)
      .json({ data: { ...sample, structure_preferences: ['nido-besurica'] } })
      .loginAs(citizen)
    second.assertStatus(201)
    const [warning] = second.body().warnings
    assert.equal(warning.rule, 'duplicate:enrolment')
    assert.include(warning.message, `la domanda n. ${firstId}`)
    assert.include(warning.message, "l'ufficio deciderà quale vale")
    const id = second.body().submission.id

    // Staff see it in the submission, in their language; the family's view does not carry it.
    const staff = await client.get(`${base}/submissions/${id}`).header('accept-language', 'en').loginAs(operator)
    assert.deepEqual(staff.body().submission.warnings, [
      {
        rule: 'duplicate:enrolment',
        message: `Leo Rossi (RSSMRA85T10A56NH) already has application no. ${firstId} (Registered, protocol ${protocol}) for this service in school year ${schoolYearOf(todayInItaly())}. This application is sent anyway: the office will decide which one stands.`,
      },
    ])
    const family = await client.get(`${base}/submissions/${id}`).loginAs(citizen)
    assert.notProperty(family.body().submission, 'warnings')
    const firstAsStaff = await client.get(`${base}/submissions/${firstId}`).loginAs(operator)
    assert.deepEqual(firstAsStaff.body().submission.warnings, [])
  })
})

/** A tenant offering nidi, with the sample's identity document really uploaded by the citizen. */
async function nidiTenant(_client: ApiClient) {
  const tenant = await makeTenant()
  await pluginService.enable(tenant, 'nidi')
  const citizen = await makeUser(tenant, ['citizen'])
  const operator = await makeUser(tenant, ['operator'])
  const forms = await loadDefaultForms()
  const sample = structuredClone(forms.get('nidi.iscrizione')!.json.sample) as Obj
  const identity = await RequestContext.withTenant(tenant.ref, async () =>
    storeUpload({
      tenantId: tenant.id,
      userId: citizen.id,
      form: (await findCurrentForm('nidi.iscrizione'))!.definition,
      field: '/identity_document',
      fileName: 'documento.pdf',
      bytes: Buffer.from('%PDF-1.4\n% documento di prova\n%%EOF\n'),
      lang: 'it',
    })
  )
  sample.identity_document = identity.reference
  return { tenant, citizen, operator, base: `/api/v1/t/${tenant.slug}`, sample }
}
