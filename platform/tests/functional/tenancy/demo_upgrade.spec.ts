/**
 * `npm start` on a database an older build seeded: the demo's shipped forms and rule sets become
 * this build's as new versions (the old ones stay, immutable), and what staff published is never
 * touched nor put aside.
 */
import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import db from '@adonisjs/lucid/services/db'
import Form from '#models/form'
import FormVersion from '#models/form_version'
import RuleSet from '#models/rule_set'
import RuleSetVersion from '#models/rule_set_version'
import Tenant from '#models/tenant'
import { seedDemo } from '#services/content/demo_seeder'
import { loadDefaultForms, loadDefaultRuleSets } from '#services/content/default_content'
import { findCurrentForm } from '#services/definitions/form_service'
import { RequestContext } from '#services/infrastructure/request_context'
import { ruleSetService } from '#services/definitions/ruleset_service'
import { upgradeShippedContent } from '#services/content/shipped_content_upgrade'

const FORM = 'refezione.iscrizione'
const RULESET = 'trasporto.tariffa'

type Json = Record<string, any> // JSON documents changed freely here

/**
 * What an older build left in the database: the canteen form with its declarations ticked by
 * default, the transport tariff without the unit of its amount. Written straight into the rows,
 * as that build wrote them.
 */
async function asAnOlderBuildLeftIt(tenant: Tenant) {
  await RequestContext.withTenant(tenant.ref, async () => {
    const form = await Form.findByOrFail('key', FORM)
    const first = await FormVersion.query().where('form_id', form.id).orderBy('version', 'asc').firstOrFail()
    const old: Json = structuredClone(first.definition)
    old.schema.properties.declarations.properties.truthfulness.default = true
    await db
      .from('form_versions')
      .where('id', first.id)
      .update({ definition: JSON.stringify(old) })

    const ruleset = await RuleSet.findByOrFail('key', RULESET)
    const v1 = await RuleSetVersion.query().where('ruleset_id', ruleset.id).orderBy('version', 'asc').firstOrFail()
    const body: Json = structuredClone(v1.body)
    delete body.outputs.amount.unit
    await db
      .from('ruleset_versions')
      .where('id', v1.id)
      .update({ body: JSON.stringify(body) })
  })
}

const counts = (tenant: Tenant) =>
  RequestContext.withTenant(tenant.ref, async () => ({
    forms: (await FormVersion.query()).length,
    rulesets: (await RuleSetVersion.query()).length,
  }))

test.group('Demo seed: the shipped content of an older build is upgraded', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('changed shipped forms and rule sets get new versions; the old ones stay; a second run adds nothing', async ({
    assert,
  }) => {
    await seedDemo()
    const piacenza = await Tenant.findByOrFail('slug', 'piacenza')
    const before = await counts(piacenza)
    await asAnOlderBuildLeftIt(piacenza)

    const result = await seedDemo()
    assert.deepEqual(result.upgraded.piacenza.forms, [FORM])
    assert.deepEqual(result.upgraded.piacenza.rulesets, [RULESET])
    assert.deepEqual(result.upgraded.piacenza.keptForStaff, [])
    assert.deepEqual(result.upgraded.quartu, { forms: [], rulesets: [], keptForStaff: [] })
    assert.deepEqual(await counts(piacenza), { forms: before.forms + 1, rulesets: before.rulesets + 1 })

    const shippedForm = (await loadDefaultForms()).get(FORM)!.json as Json
    const shippedRules = (await loadDefaultRuleSets()).get(RULESET)!.json as Json
    await RequestContext.withTenant(piacenza.ref, async () => {
      const current = await findCurrentForm(FORM)
      assert.equal(current!.version.version, 2)
      assert.equal(current!.version.source, 'default')
      const declaration = (current!.definition.schema as Json).properties.declarations.properties.truthfulness
      assert.notProperty(declaration, 'default', 'the declaration is no longer ticked')
      assert.deepEqual({ ...current!.definition, version: shippedForm.version }, shippedForm)
      // The old version is still there as it was: submissions made on it keep pointing at it.
      const form = await Form.findByOrFail('key', FORM)
      const first = await FormVersion.query().where('form_id', form.id).where('version', 1).firstOrFail()
      assert.isTrue((first.definition as Json).schema.properties.declarations.properties.truthfulness.default)

      // The rule set's new version replaces the old one from the same day: the amount has its unit again.
      const doc = await ruleSetService.document(RULESET)
      assert.lengthOf(doc.versions, shippedRules.versions.length)
      const standing = doc.versions[0] as unknown as Json
      assert.equal(standing.version, 2)
      assert.equal(standing.valid_from, shippedRules.versions[0].valid_from)
      assert.deepEqual(standing.outputs.amount.unit, { output: 'unit' })
      // Evaluated: the case shipped with the version, answered by the new version with its unit.
      const shippedCase = shippedRules.versions[0].tests[0]
      const answer = (await ruleSetService.evaluate(RULESET, shippedCase.at, shippedCase.facts)) as unknown as Json
      assert.equal(answer.version, 2)
      assert.equal(answer.units.amount, 'month')
    })

    // Nothing changed since: nothing to add.
    const again = await seedDemo()
    assert.deepEqual(again.upgraded.piacenza, { forms: [], rulesets: [], keptForStaff: [] })
    assert.deepEqual(await counts(piacenza), { forms: before.forms + 1, rulesets: before.rulesets + 1 })
  })

  test('what staff published is left as it is, even where the shipped copy under it is old', async ({ assert }) => {
    await seedDemo()
    const piacenza = await Tenant.findByOrFail('slug', 'piacenza')
    await asAnOlderBuildLeftIt(piacenza)
    // A designer's version of the form, and a tariff version published by staff.
    const designed = await RequestContext.withTenant(piacenza.ref, async () => {
      const form = await Form.findByOrFail('key', FORM)
      const current = (await findCurrentForm(FORM))!
      const definition: Json = { ...structuredClone(current.definition), version: 2 }
      definition.title = { it: 'Mensa scolastica: iscrizione', en: 'School meals: enrolment' }
      await FormVersion.create({ formId: form.id, version: 2, definition, source: 'designer', publishedBy: null })
      const ruleset = await RuleSet.findByOrFail('key', RULESET)
      const v1 = await RuleSetVersion.query().where('ruleset_id', ruleset.id).firstOrFail()
      await RuleSetVersion.create({
        rulesetId: ruleset.id,
        version: 2,
        validFrom: '2027-09-01',
        validTo: null,
        body: { ...structuredClone(v1.body), version: 2, valid_from: '2027-09-01' },
        source: 'api',
        publishedBy: null,
      })
      return definition
    })
    const before = await counts(piacenza)

    const result = await seedDemo()
    assert.sameMembers(result.upgraded.piacenza.keptForStaff, [FORM, RULESET])
    assert.notInclude(result.upgraded.piacenza.forms, FORM)
    assert.notInclude(result.upgraded.piacenza.rulesets, RULESET)
    assert.deepEqual(await counts(piacenza), before)
    await RequestContext.withTenant(piacenza.ref, async () => {
      const current = await findCurrentForm(FORM)
      assert.equal(current!.version.source, 'designer')
      assert.deepEqual(current!.definition.title, designed.title)
    })
  })

  test('a tenant whose copies are this build’s is not changed', async ({ assert }) => {
    await seedDemo()
    const piacenza = await Tenant.findByOrFail('slug', 'piacenza')
    const report = await RequestContext.withTenant(piacenza.ref, () =>
      upgradeShippedContent(['refezione', 'trasporto', 'nidi'])
    )
    assert.deepEqual(report, { forms: [], rulesets: [], keptForStaff: [] })
  })
})
