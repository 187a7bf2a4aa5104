/**
 * The school catalog, the enabled services and the forms in force are kept by each process between
 * requests, under the tenant's content stamp (tenant_content.ts): a change by staff is seen from
 * the next request on, in this process and (through the stamp in the database) in any other.
 */
import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { transactionWithJobs, makeUser } from '#tests/helpers/world'
import { FORM, refezioneTenant } from '../forms/world.js'

async function tenantWithStaff() {
  const world = await refezioneTenant()
  const admin = await makeUser(world.tenant, ['tenant_admin'])
  return { ...world, admin, school: String(world.sample.school_id) }
}

test.group('Tenant content kept between requests', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('a school deactivated by staff is refused from the next request on', async ({ client, assert }) => {
    const { citizen, admin, base, sample, school } = await tenantWithStaff()
    const check = () => client.post(`${base}/forms/${FORM}/check`).json({ data: sample }).loginAs(citizen)
    ;(await check()).assertStatus(200)
    ;(await check()).assertStatus(200)
    ;(await client.post(`${base}/catalog/schools/${school}/deactivate`).loginAs(admin)).assertStatus(200)
    const refused = await check()
    refused.assertStatus(422)
    assert.isTrue(
      refused.body().errors.some((e: { path?: string }) => e.path === '/school_id'),
      JSON.stringify(refused.body())
    )
  })

  test("another process's change is seen through the stamp; without a new stamp the kept catalog is served", async ({
    client,
    assert,
  }) => {
    const { tenant, citizen, base, sample, school } = await tenantWithStaff()
    const check = () => client.post(`${base}/forms/${FORM}/check`).json({ data: sample }).loginAs(citizen)
    ;(await check()).assertStatus(200)
    // Written past the models, as no code of the platform does: the process cannot know of it…
    await db.from('schools').where('tenant_id', tenant.id).where('code', school).update({ active: false })
    ;(await check()).assertStatus(200)
    // …until the stamp changes, as another process's write through the models changes it.
    const before = await db.from('tenants').where('id', tenant.id).select('content_stamp').first()
    await db.from('tenants').where('id', tenant.id).update({ content_stamp: 'written-by-another-process' })
    assert.isString(before.content_stamp)
    ;(await check()).assertStatus(422)
  })

  test('a service disabled by staff answers 404 at once, and comes back when enabled again', async ({ client }) => {
    const { citizen, admin, base, sample } = await tenantWithStaff()
    const check = () => client.post(`${base}/forms/${FORM}/check`).json({ data: sample }).loginAs(citizen)
    ;(await check()).assertStatus(200)
    ;(await client.post(`${base}/plugins/refezione/disable`).loginAs(admin)).assertStatus(200)
    ;(await check()).assertStatus(404)
    ;(await client.post(`${base}/plugins/refezione/enable`).loginAs(admin)).assertStatus(200)
    ;(await check()).assertStatus(200)
  })
})
