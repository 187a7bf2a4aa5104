/**
 * A tenant's rule sets are kept by the process under the tenant's content stamp (tenant_content.ts):
 * a request evaluates what was read under the stamp of the tenant row it read, so a designer's
 * publication, in this process or another, is used from the next request on, and an unchanged
 * rule set costs no query. The receipt job passes the stamp it read with the tenant's row.
 */
import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import testUtils from '@adonisjs/core/services/test_utils'
import RuleSet from '#models/rule_set'
import RuleSetVersion from '#models/rule_set_version'
import type Tenant from '#models/tenant'
import { runJob } from '#queue/run_job'
import { ruleSetService } from '#services/definitions/ruleset_service'
import { pluginService } from '#services/tenants/plugin_service'
import { RequestContext } from '#services/infrastructure/request_context'
import { makeTenant, makeUser } from '#tests/helpers/world'
import { statementsWhile } from '#tests/helpers/statements'

const KEY = 'refezione.tariffa'
const FACTS = { residence: 'piacenza', isee: 12000 }

/** Statements on the rule set tables while `work` runs. */
async function ruleSetReads(work: () => Promise<unknown>) {
  return (await statementsWhile(/from [`"]ruleset(_version)?s[`"]/, work)).length
}

/** Version 2 (in force since 2019) with the Intera / 1 figlio cell at `amount`, from 2026-09-01. */
async function raisedVersion(tenant: Tenant, amount: string) {
  return RequestContext.withTenant(tenant.ref, async () => {
    const ruleset = await RuleSet.query().where('key', KEY).firstOrFail()
    const current = await RuleSetVersion.query().where('ruleset_id', ruleset.id).where('version', 2).firstOrFail()
    const body = structuredClone(current.body) as Record<string, any>
    body.tables.refezione.cells.intera['1_figlio'] = amount
    body.tests = []
    return { ruleset, body }
  })
}

test.group('Rule sets: kept under the tenant content stamp', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('a second evaluation reads no rule set; a version published through the models is used at once', async ({
    client,
    assert,
  }) => {
    const tenant = await makeTenant()
    await pluginService.enable(tenant, 'refezione')
    const citizen = await makeUser(tenant, ['citizen'])
    const evaluate = async () => {
      const response = await client
        .post(`/api/v1/t/${tenant.slug}/rulesets/${KEY}/evaluate`)
        .json({ at: '2026-10-01', facts: FACTS })
        .loginAs(citizen)
      response.assertStatus(200)
      return response.body()
    }
    assert.equal((await evaluate()).result.amount, '5.69')
    let second: any
    assert.equal(await ruleSetReads(async () => (second = await evaluate())), 0, 'kept under the same stamp')
    assert.equal(second.version, 2)
    // A designer's publication (any write through the models) renews the stamp in its transaction.
    const { ruleset, body } = await raisedVersion(tenant, '5.99')
    await RequestContext.withTenant(tenant.ref, () =>
      RuleSetVersion.create({
        rulesetId: ruleset.id,
        version: 3,
        validFrom: '2026-09-01',
        validTo: null,
        body,
        source: 'api',
        publishedBy: null,
      })
    )
    let after: any
    assert.isAbove(await ruleSetReads(async () => (after = await evaluate())), 0, 'read again under the new stamp')
    assert.equal(after.version, 3)
    assert.equal(after.result.amount, '5.99')
  })

  test("another process's publication is seen through the stamp; without a new stamp the kept rule set is served", async ({
    client,
    assert,
  }) => {
    const tenant = await makeTenant()
    await pluginService.enable(tenant, 'refezione')
    const citizen = await makeUser(tenant, ['citizen'])
    const evaluate = async () => {
      const response = await client
        .post(`/api/v1/t/${tenant.slug}/rulesets/${KEY}/evaluate`)
        .json({ at: '2026-10-01', facts: FACTS })
        .loginAs(citizen)
      response.assertStatus(200)
      return response.body()
    }
    assert.equal((await evaluate()).result.amount, '5.69')
    // A version written past the models, the stamp untouched: this process keeps serving what it read…
    const { ruleset, body } = await raisedVersion(tenant, '6.09')
    await db.table('ruleset_versions').insert({
      tenant_id: tenant.id,
      ruleset_id: ruleset.id,
      version: 3,
      valid_from: '2026-09-01',
      valid_to: null,
      body: JSON.stringify(body),
      source: 'api',
      published_by: null,
      created_at: new Date().toISOString().slice(0, 19).replace('T', ' '),
    })
    assert.equal((await evaluate()).version, 2)
    // …until the stamp changes, as another process's publication through the models changes it.
    await db.from('tenants').where('id', tenant.id).update({ content_stamp: 'published-by-another-process' })
    const after = await evaluate()
    assert.equal(after.version, 3)
    assert.equal(after.result.amount, '6.09')
  })

  test('a job that passes the stamp it read reads the rule set once across runs, and again under a new one', async ({
    assert,
  }) => {
    const tenant = await makeTenant()
    await pluginService.enable(tenant, 'refezione')
    const stampOf = async () =>
      (await db.from('tenants').where('id', tenant.id).select('content_stamp').first()).content_stamp as string
    const versions: number[] = []
    const handle = async () => {
      const stamp = await stampOf()
      versions.push((await ruleSetService.load(KEY, undefined, stamp)).rows.length)
    }
    const context = { name: 'test.job', id: 'one', attempt: 1, log: () => {} }
    const run = (runId: string) => runJob({ handle }, { payload: {}, tenant: tenant.ref }, { ...context, runId })
    assert.equal(await ruleSetReads(() => run('run-1')), 2, 'the rule set row and its versions')
    assert.equal(await ruleSetReads(() => run('run-2')), 0, 'kept under the same stamp')
    const { ruleset, body } = await raisedVersion(tenant, '5.99')
    await RequestContext.withTenant(tenant.ref, () =>
      RuleSetVersion.create({
        rulesetId: ruleset.id,
        version: 3,
        validFrom: '2026-09-01',
        validTo: null,
        body,
        source: 'api',
        publishedBy: null,
      })
    )
    assert.equal(await ruleSetReads(() => run('run-3')), 2, 'read again under the new stamp')
    assert.deepEqual(versions, [2, 2, 3])
  })
})
