import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import db from '@adonisjs/lucid/services/db'
import { jobQueue } from '#queue/queue_factory'
import { DataCipher, currentDataCipher } from '#services/infrastructure/data_cipher'
import { columnsIntoDetails, detailsIntoColumns } from '#database/migrations/0018_move_enrolment_specifics_to_details'
import { FORM, refezioneTenant } from '#tests/functional/forms/world'
import { transactionWithJobs } from '../../helpers/world.js'

/** A canteen enrolment with a vegan diet, through the real path (submit, protocol, accept). */
async function enrolled(client: ApiClient) {
  const world = await refezioneTenant()
  const data = {
    ...world.sample,
    special_diet: true,
    diet_type: 'vegan',
    vegan_diet_form: world.sample.identity_document,
  }
  const sent = await client.post(`${world.base}/forms/${FORM}/submit`).json({ data }).loginAs(world.citizen)
  sent.assertStatus(201)
  await jobQueue().drained()
  const id = sent.body().submission.id
  ;(
    await client.post(`${world.base}/submissions/${id}/status`).json({ status: 'accepted' }).loginAs(world.operator)
  ).assertStatus(200)
  return db.from('enrolments').where('tenant_id', world.tenant.id).firstOrFail()
}

const decrypt = (value: unknown) => (DataCipher.isEncrypted(value) ? currentDataCipher().decrypt(value) : value)

test.group('Migration 0016: service columns of enrolments into the plugin details', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('down puts order, class and diet back in their columns; up moves them into the details again', async ({
    client,
    assert,
  }) => {
    const row = await enrolled(client)
    const details = decrypt(row.details) as Record<string, unknown>
    assert.deepEqual(details, {
      school_order: 'primaria',
      class_year: '2',
      diet: { requested: true, type: 'vegan', authorised: null },
    })
    // Another key of the plugin's stays where it is, both ways.
    await db
      .from('enrolments')
      .where('id', row.id)
      .update({ details: currentDataCipher().encrypt({ ...details, note: 'kept' }) })

    // The schema as it was before 0016 (the test's transaction rolls it back).
    await db.connection().schema.alterTable('enrolments', (table) => {
      table.string('school_order', 64).nullable()
      table.string('class_year', 20).nullable()
      table.text('diet').nullable()
    })
    await detailsIntoColumns(db.connection())
    const down = await db.from('enrolments').where('id', row.id).firstOrFail()
    assert.equal(down.school_order, 'primaria')
    assert.equal(down.class_year, '2')
    assert.isTrue(DataCipher.isEncrypted(down.diet), 'the diet stays encrypted in its column')
    assert.deepEqual(decrypt(down.diet), { requested: true, type: 'vegan', authorised: null })
    assert.deepEqual(decrypt(down.details), { note: 'kept' })

    await columnsIntoDetails(db.connection())
    const up = await db.from('enrolments').where('id', row.id).firstOrFail()
    assert.isTrue(DataCipher.isEncrypted(up.details), 'the details stay encrypted')
    assert.notInclude(String(up.details), 'vegan')
    assert.deepEqual(decrypt(up.details), {
      note: 'kept',
      school_order: 'primaria',
      class_year: '2',
      diet: { requested: true, type: 'vegan', authorised: null },
    })
  })
})
