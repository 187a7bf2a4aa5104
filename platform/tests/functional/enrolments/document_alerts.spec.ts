import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import { jobQueue } from '#queue/queue_factory'
import { codiceFiscaleCheckChar } from '#forms/codice_fiscale'
import { FORM, forChild, refezioneTenant } from '#tests/functional/forms/world'
import { transactionWithJobs } from '#tests/helpers/world'

const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n')
const code = (first15: string) => `${first15}${codiceFiscaleCheckChar(first15)}`
const day = (days: number) => DateTime.now().setZone('Europe/Rome').plus({ days }).toISODate()!

/** Files a document for a person or an enrolment's child, as the office does. */
function filer(client: ApiClient, base: string, operator: Parameters<ReturnType<ApiClient['post']>['loginAs']>[0]) {
  return async (subject: { person_id?: number; enrolment_id?: number }, fields: Record<string, string>) => {
    const request = client.post(`${base}/documents`).loginAs(operator)
    for (const [name, value] of Object.entries({ ...subject, ...fields })) request.field(name, String(value))
    request.file('file', PDF, { filename: 'documento.pdf' })
    const made = await request
    made.assertStatus(201)
  }
}

test.group('Lists flag the documents to renew: the register and the people list', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('the people list flags each person whose latest document of a type is expired or expiring', async ({
    client,
    assert,
  }) => {
    const { base, operator } = await refezioneTenant()
    const file = filer(client, base, operator)
    const person = async (first: string, fiscalCode: string) => {
      const made = await client
        .post(`${base}/people`)
        .json({ kind: 'parent', first_name: first, last_name: 'Verdi', fiscal_code: fiscalCode })
        .loginAs(operator)
      made.assertStatus(201)
      return made.body().person.id as number
    }
    const expired = await person('Anna', code('VRDNNA80A41G535'))
    const expiring = await person('Bruno', code('VRDBRN80A01G535'))
    const renewed = await person('Carla', code('VRDCRL80A41G535'))
    const clean = await person('Dario', code('VRDDRA80A01G535'))
    await file({ person_id: expired }, { type: 'identity', expires_on: day(-3) })
    await file({ person_id: expired }, { type: 'medical_diet', expires_on: day(12) })
    await file({ person_id: expiring }, { type: 'identity', expires_on: day(20) })
    // An old identity card replaced by a new one: the old one no longer flags the person.
    await file({ person_id: renewed }, { type: 'identity', expires_on: day(-100) })
    await file({ person_id: renewed }, { type: 'identity', expires_on: day(900) })
    await file({ person_id: clean }, { type: 'identity', expires_on: day(400) })
    await file({ person_id: clean }, { type: 'other' })

    const list = await client.get(`${base}/people`).loginAs(operator)
    list.assertStatus(200)
    const flag = (id: number) => list.body().people.find((p: { id: number }) => p.id === id).documents
    assert.deepEqual(flag(expired), { expired: ['identity'], expiring: ['medical_diet'] })
    assert.deepEqual(flag(expiring), { expired: [], expiring: ['identity'] })
    assert.isNull(flag(renewed))
    assert.isNull(flag(clean))
  })

  test("the register flags the child's documents for staff; the family's list carries no flag", async ({
    client,
    assert,
  }) => {
    const { base, operator, citizen, sample } = await refezioneTenant()
    const ids: number[] = []
    for (let n = 0; n < 2; n++) {
      const sent = await client
        .post(`${base}/forms/${FORM}/submit`)
        .json({ data: forChild(sample, n) })
        .loginAs(citizen)
      sent.assertStatus(201)
      await jobQueue().drained()
      const sid = sent.body().submission.id
      ;(
        await client.post(`${base}/submissions/${sid}/status`).json({ status: 'accepted' }).loginAs(operator)
      ).assertStatus(200)
      ids.push((await db.from('enrolments').where('submission_id', sid).first()).id)
    }
    const file = filer(client, base, operator)
    await file({ enrolment_id: ids[0] }, { type: 'l104', expires_on: day(-1) })
    await file({ enrolment_id: ids[1] }, { type: 'l104', expires_on: day(60) })

    const register = await client.get(`${base}/enrolments`).loginAs(operator)
    register.assertStatus(200)
    const row = (id: number) => register.body().enrolments.find((e: { id: number }) => e.id === id)
    assert.deepEqual(row(ids[0]).documents, { expired: ['l104'], expiring: [] })
    assert.isNull(row(ids[1]).documents)

    const family = await client.get(`${base}/enrolments`).loginAs(citizen)
    family.assertStatus(200)
    for (const e of family.body().enrolments) assert.notProperty(e, 'documents')
  })
})
