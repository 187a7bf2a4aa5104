import { test } from '@japa/runner'
import { jobQueue } from '#queue/queue_factory'
import { FORM, refezioneTenant } from '../forms/world.js'
import { makeUser, transactionWithJobs } from '../../helpers/world.js'

const RLO = '\u202E'

test.group('Text inputs refuse control and text-direction characters', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('a submission with NUL in the street is refused at that field; a clean one is accepted', async ({
    client,
    assert,
  }) => {
    const { citizen, base, sample } = await refezioneTenant()
    const dirty = structuredClone(sample) as any
    dirty.payer.residence.street = 'Via Roma\u0000 12'
    const refused = await client.post(`${base}/forms/${FORM}/submit`).json({ data: dirty }).loginAs(citizen)
    refused.assertStatus(422)
    const error = refused.body().errors.find((e: any) => e.rule === 'text:control')
    assert.equal(error.path, '/payer/residence/street')
    assert.include(error.message, 'U+0000')

    const draft = await client.post(`${base}/forms/${FORM}/submissions`).json({ data: dirty }).loginAs(citizen)
    draft.assertStatus(422)

    const birth = structuredClone(sample) as any
    birth.student.birth_date = '9999-12-31'
    const future = await client.post(`${base}/forms/${FORM}/submit`).json({ data: birth }).loginAs(citizen)
    future.assertStatus(422)
    assert.equal(future.body().errors.find((e: any) => e.rule === 'schema:x-date-range').path, '/student/birth_date')

    const clean = await client.post(`${base}/forms/${FORM}/submit`).json({ data: sample }).loginAs(citizen)
    clean.assertStatus(201)
  })

  test('catalog names, tenant names and settings, status reasons: the same refusal', async ({ client, assert }) => {
    const { tenant, citizen, operator, base, sample } = await refezioneTenant()
    const admin = await makeUser(tenant, ['tenant_admin'])

    const school = await client
      .post(`${base}/catalog/schools`)
      .json({ code: 'scuola-rlo', name: `Scuola ${RLO}anilorac`, order: 'primaria', services: ['refezione'] })
      .loginAs(operator)
    school.assertStatus(422)
    assert.include(JSON.stringify(school.body()), 'U+202E')

    const name = await client.patch(base).json({ name: 'Comune\u0007 di Prova' }).loginAs(admin)
    name.assertStatus(422)
    const settings = await client
      .patch(base)
      .json({ settings: { protocol: { driver: 'simulator', note: `x${RLO}` } } })
      .loginAs(admin)
    settings.assertStatus(422)
    assert.include(JSON.stringify(settings.body()), 'U+202E')
    const huge = await client
      .patch(base)
      .json({ settings: { anything: 'x'.repeat(100_000) } })
      .loginAs(admin)
    huge.assertStatus(422)

    const sent = await client.post(`${base}/forms/${FORM}/submit`).json({ data: sample }).loginAs(citizen)
    sent.assertStatus(201)
    // Protocolled first (its job), as a submission is before staff decide on it.
    await jobQueue().drained()
    const reason = await client
      .post(`${base}/submissions/${sent.body().submission.id}/status`)
      .json({ status: 'rejected', reason: 'Documento mancante\u0000' })
      .loginAs(operator)
    reason.assertStatus(422)
    assert.equal(reason.body().errors[0].path, '/reason')
    const twoLines = await client
      .post(`${base}/submissions/${sent.body().submission.id}/status`)
      .json({ status: 'rejected', reason: 'Documento mancante.\nRipresentare la domanda.' })
      .loginAs(operator)
    assert.notEqual(twoLines.status(), 422, JSON.stringify(twoLines.body()))
  })
})
