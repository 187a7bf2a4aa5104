/**
 * A job run reads each rule set once (a receipt evaluates the fee for its draft and for its final
 * receipt); outside a job every evaluation reads it, and a publication makes a run read afresh.
 */
import { test } from '@japa/runner'
import { runJob } from '#queue/run_job'
import { ruleSetService } from '#services/definitions/ruleset_service'
import { pluginService } from '#services/tenants/plugin_service'
import { RequestContext } from '#services/infrastructure/request_context'
import { makeTenant } from '#tests/helpers/world'
import testUtils from '@adonisjs/core/services/test_utils'
import RuleSetVersion from '#models/rule_set_version'
import { statementsWhile } from '#tests/helpers/statements'

const KEY = 'refezione.tariffa'

/** Statements on the rule set tables while `work` runs. */
async function ruleSetReads(work: () => Promise<unknown>) {
  return (await statementsWhile(/from [`"]ruleset(_version)?s[`"]/, work)).length
}

test.group('Rule sets: read once per job run', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('two evaluations in one run read the rule set once; outside a run each reads it', async ({ assert }) => {
    const tenant = await makeTenant()
    await pluginService.enable(tenant, 'refezione')
    const docs: object[] = []
    const evaluateTwice = async () => {
      docs.push((await ruleSetService.load(KEY)).doc, (await ruleSetService.load(KEY)).doc)
    }
    const context = { name: 'test.job', id: 'one', attempt: 1, log: () => {} }
    const inRun = await ruleSetReads(() =>
      runJob({ handle: evaluateTwice }, { payload: {}, tenant: tenant.ref }, { ...context, runId: 'run-1' })
    )
    assert.equal(inRun, 2, 'the rule set row and its versions, once')
    assert.strictEqual(docs[0], docs[1])
    const outside = await ruleSetReads(() => RequestContext.withTenant(tenant.ref, evaluateTwice))
    assert.equal(outside, 4)
    assert.notStrictEqual(docs[2], docs[3])
  })

  test('a version published during a run is read by the next load of that run', async ({ assert }) => {
    const tenant = await makeTenant()
    await pluginService.enable(tenant, 'refezione')
    const seen: number[] = []
    const handle = async () => {
      const before = await ruleSetService.load(KEY)
      seen.push(before.rows.length)
      const last = before.rows[before.rows.length - 1]
      await RuleSetVersion.create({
        rulesetId: before.row.id,
        version: last.version + 1,
        validFrom: last.validFrom,
        validTo: null,
        body: { ...last.body, version: last.version + 1 },
        source: 'test',
        publishedBy: null,
      })
      seen.push((await ruleSetService.load(KEY)).rows.length)
    }
    await runJob(
      { handle },
      { payload: {}, tenant: tenant.ref },
      { name: 't', id: 'two', runId: 'run-2', attempt: 1, log: () => {} }
    )
    assert.equal(seen[1], seen[0] + 1)
  })
})
