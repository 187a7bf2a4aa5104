/**
 * POST /forms/:id/check: everything a sending checks, storing nothing.
 */
import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { transactionWithJobs } from '#tests/helpers/world'
import { RequestContext } from '#services/infrastructure/request_context'
import { findCurrentForm } from '#services/definitions/form_service'
import FormVersion from '#models/form_version'
import { FORM, refezioneTenant } from './world.js'

type Obj = Record<string, any>

test.group('Forms: checking an application before sending it', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('a valid application is answered valid and nothing is stored; a sending then goes through', async ({
    client,
    assert,
  }) => {
    const { tenant, citizen, base, sample } = await refezioneTenant()
    const count = async (table: string) =>
      Number((await db.from(table).where('tenant_id', tenant.id).count('* as n').first())?.n)
    const before = { submissions: await count('submissions'), jobs: await count('jobs') }
    const checked = await client.post(`${base}/forms/${FORM}/check`).json({ data: sample }).loginAs(citizen)
    checked.assertStatus(200)
    assert.deepEqual(checked.body(), { valid: true, warnings: [] })
    assert.deepEqual({ submissions: await count('submissions'), jobs: await count('jobs') }, before)
    ;(await client.post(`${base}/forms/${FORM}/submit`).json({ data: sample }).loginAs(citizen)).assertStatus(201)
  })

  test('it refuses what a sending would refuse, with the same errors: BLOCCO, schema, duplicates', async ({
    client,
    assert,
  }) => {
    const { citizen, base, sample } = await refezioneTenant()
    const wrong = structuredClone(sample) as Obj
    delete wrong.payer.email
    wrong.student.birth_date = '9999-12-31'
    const asCheck = await client.post(`${base}/forms/${FORM}/check`).json({ data: wrong }).loginAs(citizen)
    const asSubmit = await client.post(`${base}/forms/${FORM}/submit`).json({ data: wrong }).loginAs(citizen)
    asCheck.assertStatus(422)
    asSubmit.assertStatus(422)
    assert.isAbove(asCheck.body().errors.length, 1)
    assert.deepEqual(asCheck.body().errors, asSubmit.body().errors)

    ;(await client.post(`${base}/forms/${FORM}/submit`).json({ data: sample }).loginAs(citizen)).assertStatus(201)
    const again = await client.post(`${base}/forms/${FORM}/check`).json({ data: sample }).loginAs(citizen)
    again.assertStatus(422)
    assert.equal(again.body().errors[0].rule, 'duplicate:enrolment')
  })

  test('a form version is read once; a new version published is used from the next request on', async ({
    client,
    assert,
  }) => {
    const { tenant, citizen, base, sample } = await refezioneTenant()
    const current = () => RequestContext.withTenant(tenant.ref, () => findCurrentForm(FORM))
    const first = (await current())!
    assert.strictEqual((await current())!.definition, first.definition, 'served from the cache')
    ;(await client.post(`${base}/forms/${FORM}/check`).json({ data: sample }).loginAs(citizen)).assertStatus(200)

    // Version 2 adds a BLOCCO that refuses the sample's school order.
    const definition = structuredClone(first.definition) as unknown as Obj
    definition.version = first.version.version + 1
    definition.blocchi = [
      ...definition.blocchi,
      {
        id: 'blocco-v2',
        paths: ['/school_order'],
        condition: { all: [{ fact: 'school_order', operator: 'equal', value: sample.school_order }] },
        message: { it: 'Nella versione 2 non si accettano domande per questo ordine.', en: 'Not in version 2.' },
      },
    ]
    await RequestContext.withTenant(tenant.ref, () =>
      FormVersion.create({
        formId: first.form.id,
        version: definition.version,
        definition,
        source: 'test',
        publishedBy: null,
      })
    )
    const second = (await current())!
    assert.equal(second.version.version, first.version.version + 1)
    assert.notStrictEqual(second.definition, first.definition)
    const refused = await client.post(`${base}/forms/${FORM}/check`).json({ data: sample }).loginAs(citizen)
    refused.assertStatus(422)
    assert.deepEqual(
      refused.body().errors.map((e: Obj) => e.rule),
      ['blocco-v2']
    )
    const sent = await client.post(`${base}/forms/${FORM}/submit`).json({ data: sample }).loginAs(citizen)
    sent.assertStatus(422)
    assert.equal(sent.body().errors[0].rule, 'blocco-v2')
  })
})
