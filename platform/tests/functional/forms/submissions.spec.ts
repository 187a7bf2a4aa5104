import { jobQueue } from '#queue/queue_factory'
import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import FormVersion from '#models/form_version'
import { RequestContext } from '#services/infrastructure/request_context'
import { FORM, refezioneTenant } from './world.js'
import { transactionWithJobs } from '../../helpers/world.js'

type Err = { path: string; rule: string; message: string }

test.group('Forms: catalogue', (group) => {
  // Jobs a test started (protocol, receipt) end before its transaction is rolled back.
  group.each.setup(() => transactionWithJobs())

  test('a member lists the tenant forms with their current version and reads the definition', async ({
    client,
    assert,
  }) => {
    const { citizen, base } = await refezioneTenant()
    const list = await client.get(`${base}/forms`).loginAs(citizen)
    list.assertStatus(200)
    const form = list.body().forms.find((f: { key: string }) => f.key === FORM)
    assert.exists(form)
    assert.equal(form.title.it.length > 0, true)
    assert.isNumber(form.currentVersion.id)

    for (const ref of [FORM, String(form.id)]) {
      const show = await client.get(`${base}/forms/${ref}`).loginAs(citizen)
      show.assertStatus(200)
      assert.equal(show.body().form.currentVersion.id, form.currentVersion.id)
      assert.properties(show.body().form.definition, ['schema', 'uiSchema', 'blocchi'])
    }
    const missing = await client.get(`${base}/forms/nope.iscrizione`).loginAs(citizen)
    missing.assertStatus(404)
  })
})

test.group('Forms: submissions', (group) => {
  // Jobs a test started (protocol, receipt) end before its transaction is rolled back.
  group.each.setup(() => transactionWithJobs())

  test('a draft is saved incomplete, resumed, completed and submitted', async ({ client, assert }) => {
    const { citizen, base, sample } = await refezioneTenant()
    const created = await client
      .post(`${base}/forms/${FORM}/submissions`)
      .json({ data: { applicant_kind: 'parent', has_siblings: false } })
      .loginAs(citizen)
    created.assertStatus(201)
    const draft = created.body().submission
    assert.equal(draft.status, 'draft')
    assert.equal(draft.applicantUserId, citizen.id)
    assert.isFalse(draft.onBehalf)

    // A draft may be incomplete but not of the wrong shape.
    const wrongType = await client
      .put(`${base}/submissions/${draft.id}`)
      .json({ data: { has_siblings: 'sì' } })
      .loginAs(citizen)
    wrongType.assertStatus(422)
    assert.isTrue(wrongType.body().errors.some((e: Err) => e.path === '/has_siblings' && e.rule === 'schema:type'))

    // Submitting the incomplete draft reports what is missing and changes nothing.
    const early = await client.post(`${base}/submissions/${draft.id}/submit`).loginAs(citizen)
    early.assertStatus(422)
    assert.isTrue(early.body().errors.some((e: Err) => e.rule === 'schema:required'))

    const resumed = await client.get(`${base}/submissions/${draft.id}`).loginAs(citizen)
    resumed.assertStatus(200)
    assert.deepEqual(resumed.body().submission.data, { applicant_kind: 'parent', has_siblings: false })
    assert.equal(resumed.body().submission.status, 'draft')

    const completed = await client.put(`${base}/submissions/${draft.id}`).json({ data: sample }).loginAs(citizen)
    completed.assertStatus(200)

    const submitted = await client.post(`${base}/submissions/${draft.id}/submit`).loginAs(citizen)
    submitted.assertStatus(200)
    const s = submitted.body().submission
    assert.equal(s.status, 'submitted')
    assert.isString(s.submittedAt)
    assert.deepEqual(s.data, sample)
    assert.deepEqual(
      s.history.map((h: { from: string | null; to: string }) => [h.from, h.to]),
      [
        [null, 'draft'],
        ['draft', 'submitted'],
      ]
    )

    // Once submitted, the data can no longer be changed by the citizen.
    const late = await client.put(`${base}/submissions/${draft.id}`).json({ data: sample }).loginAs(citizen)
    late.assertStatus(422)
  })

  test('has_siblings true with no sibling listed is refused with the BLOCCO on /siblings and every other violation', async ({
    client,
    assert,
  }) => {
    const { citizen, base, sample } = await refezioneTenant()
    const data = { ...sample, has_siblings: true, payment_channel: 'piccione', unknown_field: 1 } as Record<
      string,
      unknown
    >
    delete data.student
    const draft = await client
      .post(`${base}/forms/${FORM}/submissions`)
      .json({ data: { applicant_kind: 'parent' } })
      .loginAs(citizen)
    draft.assertStatus(201)
    const id = draft.body().submission.id

    const refused = await client.post(`${base}/submissions/${id}/submit`).json({ data }).loginAs(citizen)
    refused.assertStatus(422)
    const errors: Err[] = refused.body().errors
    const blocco = errors.find((e) => e.path === '/siblings')
    assert.exists(blocco, JSON.stringify(errors))
    assert.equal(blocco!.rule, 'siblings_missing')
    assert.isTrue(errors.some((e) => e.path === '/student' && e.rule === 'schema:required'))
    assert.isTrue(errors.some((e) => e.path === '/payment_channel' && e.rule === 'schema:enum'))
    assert.isTrue(errors.some((e) => e.path === '/unknown_field' && e.rule === 'schema:additionalProperties'))
    assert.isTrue(errors.every((e) => typeof e.message === 'string' && e.message.length > 0))

    // Same errors in English when the browser asks for it.
    const english = await client
      .post(`${base}/submissions/${id}/submit`)
      .header('Accept-Language', 'en-GB,en;q=0.9')
      .json({ data })
      .loginAs(citizen)
    english.assertStatus(422)
    const enBlocco = english.body().errors.find((e: Err) => e.path === '/siblings')
    assert.notEqual(enBlocco.message, blocco!.message)
    assert.equal(english.body().errors.length, errors.length)

    // Nothing changed.
    const after = await client.get(`${base}/submissions/${id}`).loginAs(citizen)
    assert.equal(after.body().submission.status, 'draft')
    assert.deepEqual(after.body().submission.data, { applicant_kind: 'parent' })
  })

  test('a valid submission in one request is accepted and records the form version', async ({ client, assert }) => {
    const { tenant, citizen, base, sample } = await refezioneTenant()
    const response = await client.post(`${base}/forms/${FORM}/submit`).json({ data: sample }).loginAs(citizen)
    response.assertStatus(201)
    const s = response.body().submission
    const version = await RequestContext.withTenant(tenant.ref, () =>
      FormVersion.query().where('form_id', s.formId).orderBy('version', 'desc').firstOrFail()
    )
    assert.equal(s.status, 'submitted')
    assert.equal(s.formVersionId, version.id)
    assert.equal(s.formVersion, version.version)
    assert.equal(s.formKey, FORM)

    const invalid = await client
      .post(`${base}/forms/${FORM}/submit`)
      .json({ data: { ...sample, has_siblings: true } })
      .loginAs(citizen)
    invalid.assertStatus(422)
    const count = await db.from('submissions').where('tenant_id', tenant.id).count('* as n')
    assert.equal(Number(count[0].n), 1, 'the refused submission is not stored')
  })

  test('a citizen sees only their own submissions; the operator sees all', async ({ client, assert }) => {
    const { citizen, otherCitizen, operator, base, sample } = await refezioneTenant()
    const mine = await client.post(`${base}/forms/${FORM}/submit`).json({ data: sample }).loginAs(citizen)
    const theirs = await client.post(`${base}/forms/${FORM}/submissions`).json({ data: {} }).loginAs(otherCitizen)
    mine.assertStatus(201)
    theirs.assertStatus(201)
    const theirId = theirs.body().submission.id

    const list = await client.get(`${base}/submissions`).loginAs(citizen)
    list.assertStatus(200)
    assert.deepEqual(
      list.body().submissions.map((s: { id: number }) => s.id),
      [mine.body().submission.id]
    )
    assert.notProperty(list.body().submissions[0], 'data')
    // The child the application is for, so a family with several children tells them apart.
    const student = sample.student as { first_name: string; last_name: string }
    assert.equal(list.body().submissions[0].childName, `${student.first_name} ${student.last_name}`)

    for (const request of [
      client.get(`${base}/submissions/${theirId}`),
      client.put(`${base}/submissions/${theirId}`).json({ data: {} }),
      client.post(`${base}/submissions/${theirId}/submit`),
    ]) {
      const response = await request.loginAs(citizen)
      response.assertStatus(404)
      assert.notInclude(JSON.stringify(response.body()), otherCitizen.email)
    }

    const all = await client.get(`${base}/submissions`).loginAs(operator)
    // A draft with no child yet names none.
    assert.isNull(all.body().submissions.find((s: { id: number }) => s.id === theirId).childName)
    assert.sameMembers(
      all.body().submissions.map((s: { id: number }) => s.id),
      [mine.body().submission.id, theirId]
    )
  })

  test('an operator submits on behalf of a citizen: recorded and audited with the operator', async ({
    client,
    assert,
  }) => {
    const { tenant, citizen, otherCitizen, operator, base, sample } = await refezioneTenant()
    const response = await client
      .post(`${base}/forms/${FORM}/submit`)
      .json({ data: sample, applicant_user_id: citizen.id })
      .loginAs(operator)
    response.assertStatus(201)
    const s = response.body().submission
    assert.isTrue(s.onBehalf)
    assert.equal(s.applicantUserId, citizen.id)
    assert.equal(s.submittedByUserId, operator.id)
    assert.equal(s.history.at(-1).userId, operator.id)

    const audit = await db
      .from('audit_logs')
      .where({ entity: 'submissions', entity_id: String(s.id), action: 'create' })
      .first()
    assert.equal(audit.actor_user_id, operator.id)
    assert.equal(audit.tenant_id, tenant.id)
    // PostgreSQL hands JSON columns back parsed, SQLite as text: compare the text either way.
    const auditAfter = typeof audit.after === 'string' ? audit.after : JSON.stringify(audit.after)
    assert.notInclude(auditAfter, 'RSSMRA85T10A562S', 'the audit log does not hold the encrypted data')

    // The citizen sees it among theirs, without staff identities in the history.
    const seen = await client.get(`${base}/submissions/${s.id}`).loginAs(citizen)
    seen.assertStatus(200)
    assert.notProperty(seen.body().submission.history[0], 'userId')

    // A citizen cannot act for someone else; an operator only for a member of the tenant.
    const procura = await client
      .post(`${base}/forms/${FORM}/submissions`)
      .json({ data: {}, applicant_user_id: citizen.id })
      .loginAs(otherCitizen)
    procura.assertStatus(403)
    const stranger = await client
      .post(`${base}/forms/${FORM}/submissions`)
      .json({ data: {}, applicant_user_id: 999999 })
      .loginAs(operator)
    stranger.assertStatus(422)
    assert.equal(stranger.body().errors[0].path, '/applicant_user_id')
  })

  test('status transitions: allowed moves pass, others are refused with a clear message', async ({
    client,
    assert,
  }) => {
    const { citizen, operator, base, sample } = await refezioneTenant()
    const created = await client.post(`${base}/forms/${FORM}/submit`).json({ data: sample }).loginAs(citizen)
    const id = created.body().submission.id
    // The protocol job moves it to "protocolled" with its number.
    await jobQueue().drained()
    const move = (status: string, reason?: string, as = operator) =>
      client
        .post(`${base}/submissions/${id}/status`)
        .json(reason === undefined ? { status } : { status, reason })
        .loginAs(as)

    ;(await move('protocolled', undefined, citizen)).assertStatus(403)

    const resubmit = await move('submitted')
    resubmit.assertStatus(422)

    const twice = await move('protocolled')
    twice.assertStatus(422)
    // Statuses are named by their labels, never by their codes in quotes.
    assert.equal(
      twice.body().errors[0].message,
      'Una domanda Protocollata non può diventare Protocollata: da qui può diventare solo Accolta, Respinta o Da completare.'
    )
    assert.notMatch(twice.body().errors[0].message, /"|protocolled|needs_completion/)
    const twiceEn = await client
      .post(`${base}/submissions/${id}/status`)
      .header('accept-language', 'en')
      .json({ status: 'protocolled' })
      .loginAs(operator)
    assert.equal(
      twiceEn.body().errors[0].message,
      'A submission that is Registered cannot become Registered: from here it can only become Accepted, Rejected or To be completed.'
    )

    const noReason = await move('needs_completion', '   ')
    noReason.assertStatus(422)
    assert.include(noReason.body().errors[0].message, 'motivo')

    const asked = await move('needs_completion', 'Manca il documento del secondo genitore')
    asked.assertStatus(200)
    assert.equal(asked.body().submission.statusReason, 'Manca il documento del secondo genitore')

    // The citizen completes and submits again (moving to another section of the catalog's 2ª).
    const fixed = await client
      .put(`${base}/submissions/${id}`)
      .json({ data: { ...sample, section: 'A' } })
      .loginAs(citizen)
    fixed.assertStatus(200)
    const again = await client.post(`${base}/submissions/${id}/submit`).loginAs(citizen)
    again.assertStatus(200)
    assert.equal(again.body().submission.status, 'submitted')
    await jobQueue().drained()
    ;(await move('rejected')).assertStatus(422)
    const rejected = await move('rejected', 'Fuori termine')
    rejected.assertStatus(200)
    const final = await move('accepted', 'ripensamento')
    final.assertStatus(422)
    assert.include(final.body().errors[0].message, 'Respinta')
    assert.include(final.body().errors[0].message, 'definitivo')
    assert.notInclude(final.body().errors[0].message, 'rejected')

    const bogus = await move('archiviata')
    bogus.assertStatus(422)
    assert.equal(bogus.body().errors[0].path, '/status')

    const history = await client.get(`${base}/submissions/${id}`).loginAs(citizen)
    assert.deepEqual(
      history.body().submission.history.map((h: { to: string; reason: string | null }) => [h.to, h.reason]),
      [
        ['draft', null],
        ['submitted', null],
        ['protocolled', null],
        ['needs_completion', 'Manca il documento del secondo genitore'],
        ['submitted', null],
        ['protocolled', null],
        ['rejected', 'Fuori termine'],
      ]
    )
  })

  test("the citizen's list and detail say why it was sent back and whether it can still be changed", async ({
    client,
    assert,
  }) => {
    const { citizen, operator, base, sample } = await refezioneTenant()
    const draft = await client.post(`${base}/forms/${FORM}/submissions`).json({ data: sample }).loginAs(citizen)
    assert.isTrue(draft.body().submission.editable)
    const id = draft.body().submission.id
    const sent = await client.post(`${base}/submissions/${id}/submit`).loginAs(citizen)
    assert.isFalse(sent.body().submission.editable)
    await jobQueue().drained()
    const reason = 'Manca il documento del secondo genitore'
    await client.post(`${base}/submissions/${id}/status`).json({ status: 'needs_completion', reason }).loginAs(operator)

    const list = await client.get(`${base}/submissions`).loginAs(citizen)
    const row = list.body().submissions.find((s: { id: number }) => s.id === id)
    assert.include(row, { status: 'needs_completion', statusReason: reason, editable: true })
    const detail = await client.get(`${base}/submissions/${id}`).loginAs(citizen)
    assert.include(detail.body().submission, { statusReason: reason, editable: true })

    await client.post(`${base}/submissions/${id}/submit`).loginAs(citizen)
    await jobQueue().drained()
    await client
      .post(`${base}/submissions/${id}/status`)
      .json({ status: 'rejected', reason: 'Fuori termine' })
      .loginAs(operator)
    const rejected = await client.get(`${base}/submissions/${id}`).loginAs(citizen)
    assert.include(rejected.body().submission, { status: 'rejected', statusReason: 'Fuori termine', editable: false })
  })

  test('the data column is encrypted at rest', async ({ client, assert }) => {
    const { citizen, base, sample } = await refezioneTenant()
    const created = await client.post(`${base}/forms/${FORM}/submit`).json({ data: sample }).loginAs(citizen)
    created.assertStatus(201)
    const row = await db.from('submissions').where('id', created.body().submission.id).first()
    assert.isTrue(String(row.data).startsWith('enc:v1:'))
    assert.notInclude(String(row.data), 'RSSMRA85T10A562S')
    assert.notInclude(String(row.data), 'isee')
  })

  test('bad request bodies get clear 4xx answers, never a 500', async ({ client, assert }) => {
    const { citizen, base, sample } = await refezioneTenant()
    const url = `${base}/forms/${FORM}/submit`

    const malformed = await client.post(url).type('application/json').unsafeJson('{"data": {').loginAs(citizen)
    malformed.assertStatus(400)
    assert.include(malformed.body().errors[0].message, 'JSON')

    const scalar = await client.post(url).type('application/json').unsafeJson('42').loginAs(citizen)
    scalar.assertStatus(422)

    const list = await client.post(url).json([sample]).loginAs(citizen)
    list.assertStatus(422)

    const unknown = await client.post(url).json({ data: sample, extra: true }).loginAs(citizen)
    unknown.assertStatus(422)
    assert.equal(unknown.body().errors[0].path, '/extra')

    const noData = await client.post(url).json({}).loginAs(citizen)
    noData.assertStatus(422)
    assert.equal(noData.body().errors[0].path, '/data')

    const huge = await client
      .post(url)
      .json({ data: { ...sample, section: 'x'.repeat(100_000) } })
      .loginAs(citizen)
    huge.assertStatus(422)
    assert.isTrue(huge.body().errors.some((e: Err) => e.path === '/section' && e.rule === 'schema:maxLength'))
    assert.isBelow(JSON.stringify(huge.body()).length, 5000, 'the answer does not echo the huge value')

    const tooLarge = await client
      .post(url)
      .json({ data: { ...sample, section: 'x'.repeat(3 * 1024 * 1024) } })
      .loginAs(citizen)
    tooLarge.assertStatus(413)
    assert.include(tooLarge.body().errors[0].message, '256 KB')

    const count = await db.from('submissions').count('* as n')
    assert.equal(Number(count[0].n), 0)
  })
})
