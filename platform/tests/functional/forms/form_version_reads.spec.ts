/**
 * A submission's form version read by its row id (the receipt job builds two receipts per sending):
 * the process keeps the version it read, and checks at each use, with a read of a few columns, that
 * the row is still the one it read.
 */
import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import testUtils from '@adonisjs/core/services/test_utils'
import { RequestContext } from '#services/infrastructure/request_context'
import { findCurrentForm, formVersionById } from '#services/definitions/form_service'
import { pluginService } from '#services/tenants/plugin_service'
import { makeTenant } from '#tests/helpers/world'
import { FORM } from './world.js'
import { statementsWhile } from '#tests/helpers/statements'

/** The statements on form_versions while `work` runs. */
function versionReads(work: () => Promise<unknown>) {
  return statementsWhile(/from [`"]form_versions[`"]/, work)
}

test.group('Forms: versions read by id', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('a version read once is answered from the process after a check of its identity', async ({ assert }) => {
    const tenant = await makeTenant()
    await pluginService.enable(tenant, 'refezione')
    await RequestContext.withTenant(tenant.ref, async () => {
      const id = (await findCurrentForm(FORM))!.version.id
      let first: unknown
      await versionReads(async () => (first = await formVersionById(id)))
      let second: unknown
      const reads = await versionReads(async () => (second = await formVersionById(id)))
      assert.strictEqual(second, first)
      // One read, of the identifying columns only: not the whole definition.
      assert.lengthOf(reads, 1)
      assert.notMatch(reads[0], /definition|\*/)
      assert.isNull(await formVersionById(999_999_999))
    })
  })

  test('a row that is not the one read before (written past the models) is read afresh', async ({ assert }) => {
    const tenant = await makeTenant()
    await pluginService.enable(tenant, 'refezione')
    await RequestContext.withTenant(tenant.ref, async () => {
      const kept = (await formVersionById((await findCurrentForm(FORM))!.version.id))!
      // Versions are immutable on the platform; a row changed in place must not be answered from memory.
      await db
        .from('form_versions')
        .where('id', kept.id)
        .update({ version: kept.version + 100 })
      const again = await formVersionById(kept.id)
      assert.notStrictEqual(again, kept)
      assert.equal(again!.version, kept.version + 100)
    })
  })
})
