import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import type { ApiClient } from '@japa/api-client'
import { jobQueue } from '#queue/queue_factory'
import { codiceFiscaleCheckChar } from '#forms/codice_fiscale'
import { FORM, forChild, refezioneTenant } from '#tests/functional/forms/world'
import { transactionWithJobs } from '../../helpers/world.js'

const code = (first15: string) => `${first15}${codiceFiscaleCheckChar(first15)}`

test.group('Register of people: parents and children, siblings in the services', (group) => {
  group.each.setup(() => transactionWithJobs())

  async function world(client: ApiClient) {
    const w = await refezioneTenant()
    const add = (body: Record<string, unknown>) => client.post(`${w.base}/people`).json(body).loginAs(w.operator)
    return { ...w, add }
  }

  test('added with a checked codice fiscale, once; changed; encrypted at rest; operators only', async ({
    client,
    assert,
  }) => {
    const { base, operator, citizen, tenant, add } = await world(client)
    const wrong = await add({ kind: 'uncle', first_name: '', last_name: 'Rossi', fiscal_code: 'RSSMRA80A01G535X' })
    wrong.assertStatus(422)
    assert.sameMembers(
      wrong.body().errors.map((e: { path: string }) => e.path),
      ['/kind', '/first_name', '/fiscal_code']
    )
    const mario = code('RSSMRA80A01G535')
    const made = await add({
      kind: 'parent',
      first_name: 'Mario',
      last_name: 'Rossi',
      fiscal_code: mario.toLowerCase(),
    })
    made.assertStatus(201)
    const id = made.body().person.id
    assert.equal(made.body().person.fiscalCode, mario)
    const twice = await add({ kind: 'parent', first_name: 'M', last_name: 'R', fiscal_code: mario })
    twice.assertStatus(409)
    assert.equal(twice.body().errors[0].path, '/fiscal_code')

    const changed = await client.patch(`${base}/people/${id}`).json({ first_name: 'Mario Luigi' }).loginAs(operator)
    changed.assertStatus(200)
    assert.equal(changed.body().person.firstName, 'Mario Luigi')
    const found = await client.get(`${base}/people`).qs({ fiscal_code: mario }).loginAs(operator)
    assert.deepEqual(
      found.body().people.map((p: { id: number }) => p.id),
      [id]
    )
    const stored = await db.from('people').where('id', id).first()
    assert.notInclude(JSON.stringify(stored), 'Mario')
    assert.notInclude(JSON.stringify(stored), mario)
    const audit = await db.from('audit_logs').where('tenant_id', tenant.id).where('entity', 'people')
    assert.sameMembers(
      audit.map((a) => a.action),
      ['create', 'update']
    )
    ;(await client.get(`${base}/people`).loginAs(citizen)).assertStatus(403)
  })

  test("a child's siblings and the services they attend; deleted only when nothing depends on them", async ({
    client,
    assert,
  }) => {
    const { base, operator, citizen, sample, add } = await world(client)
    // Two children of the same parent; the second attends the canteen (enrolled by its codice fiscale).
    const enrolledChild = forChild(sample, 3).student as { fiscal_code: string }
    const sent = await client
      .post(`${base}/forms/${FORM}/submit`)
      .json({ data: forChild(sample, 3) })
      .loginAs(citizen)
    await jobQueue().drained()
    ;(
      await client
        .post(`${base}/submissions/${sent.body().submission.id}/status`)
        .json({ status: 'accepted' })
        .loginAs(operator)
    ).assertStatus(200)
    const parent = (
      await add({ kind: 'parent', first_name: 'Anna', last_name: 'Bianchi', fiscal_code: code('BNCNNA80A41G535') })
    ).body().person
    const first = (
      await add({
        kind: 'child',
        first_name: 'Luca',
        last_name: 'Bianchi',
        fiscal_code: code('BNCLCU18A01G535'),
        birth_date: '2018-01-01',
      })
    ).body().person
    const second = (
      await add({ kind: 'child', first_name: 'Figlio', last_name: 'Rossi', fiscal_code: enrolledChild.fiscal_code })
    ).body().person
    for (const child of [first, second]) {
      ;(
        await client.post(`${base}/people/${child.id}/parents`).json({ parent_id: parent.id }).loginAs(operator)
      ).assertStatus(200)
    }
    ;(
      await client.post(`${base}/people/${parent.id}/parents`).json({ parent_id: first.id }).loginAs(operator)
    ).assertStatus(422)

    const luca = (await client.get(`${base}/people/${first.id}`).loginAs(operator)).body().person
    assert.deepEqual(
      luca.parents.map((p: { id: number }) => p.id),
      [parent.id]
    )
    assert.lengthOf(luca.siblings, 1)
    assert.equal(luca.siblings[0].id, second.id)
    assert.lengthOf(luca.siblings[0].enrolments, 1)
    assert.equal(luca.siblings[0].enrolments[0].service, 'refezione')
    assert.lengthOf(luca.enrolments, 0)
    const anna = (await client.get(`${base}/people/${parent.id}`).loginAs(operator)).body().person
    assert.sameMembers(
      anna.children.map((c: { id: number }) => c.id),
      [first.id, second.id]
    )

    // Linked, or enrolled: not deleted, and why.
    const refused = await client.delete(`${base}/people/${parent.id}`).loginAs(operator)
    refused.assertStatus(409)
    assert.include(refused.body().errors[0].message, 'genitori o figli')
    ;(await client.delete(`${base}/people/${second.id}/parents/${parent.id}`).loginAs(operator)).assertStatus(200)
    const enrolled = await client.delete(`${base}/people/${second.id}`).loginAs(operator)
    enrolled.assertStatus(409)
    assert.include(enrolled.body().errors[0].message, 'iscrizioni')
    ;(await client.delete(`${base}/people/${first.id}/parents/${parent.id}`).loginAs(operator)).assertStatus(200)
    ;(await client.delete(`${base}/people/${first.id}`).loginAs(operator)).assertStatus(204)
    ;(await client.delete(`${base}/people/${parent.id}`).loginAs(operator)).assertStatus(204)
    ;(await client.get(`${base}/people/${parent.id}`).loginAs(operator)).assertStatus(404)
  })
})
