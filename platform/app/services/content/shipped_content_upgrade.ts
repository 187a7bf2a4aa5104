import db from '@adonisjs/lucid/services/db'
import Form from '#models/form'
import FormVersion from '#models/form_version'
import RuleSet from '#models/rule_set'
import RuleSetVersion from '#models/rule_set_version'
import { pluginRegistry } from '#plugins/registry'
import { loadDefaultForms, loadDefaultRuleSets } from '#services/content/default_content'

/**
 * Brings a tenant's copies of the shipped forms and rule sets up to the files of this build, as the
 * demo seed does at every `npm start`: a database seeded by an older build would otherwise keep the
 * old copies for good (enabling a plugin copies its defaults only once).
 *
 * Versions are immutable, so an upgrade is a new version, written with `source: 'default'` like the
 * first copy:
 * - a form gets a new version (the next number) with the shipped definition when that differs from
 *   the version in force, and only when the version in force is itself shipped content: a form whose
 *   current version someone published stays as they left it;
 * - a rule set gets, for each shipped version whose body differs from the copy starting on the same
 *   day, a new version with the next number and the same `valid_from`, which replaces that copy from
 *   its start (ruleset_service.ts: of two versions starting on one day the later number stands).
 *   A rule set with any version published by staff is left alone: a shipped version slipped in
 *   between would change what is in force under their version.
 *
 * Runs in the tenant's context (the models are tenant-scoped); every write is audited as the caller.
 */
export interface UpgradeReport {
  /** Keys given a new version. */
  forms: string[]
  rulesets: string[]
  /** Keys left as they are because staff published their own versions. */
  keptForStaff: string[]
}

/** JSON with the keys of every object in order, so that two equal documents compare equal. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`
  }
  return JSON.stringify(value)
}

/** The content of a form or rule-set version without its number, which differs between copies. */
function content(body: unknown): string {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return canonical(body)
  const { version: _version, ...rest } = body as Record<string, unknown>
  return canonical(rest)
}

export async function upgradeShippedContent(pluginIds: readonly string[]): Promise<UpgradeReport> {
  const report: UpgradeReport = { forms: [], rulesets: [], keptForStaff: [] }
  const [forms, rulesets] = await Promise.all([loadDefaultForms(), loadDefaultRuleSets()])
  for (const pluginId of pluginIds) {
    const { manifest } = pluginRegistry().getOrFail(pluginId)
    for (const key of manifest.forms) {
      const shipped = forms.get(key)?.json as Record<string, unknown> | undefined
      if (shipped) await upgradeForm(key, shipped, report)
    }
    for (const key of manifest.rulesets) {
      const shipped = rulesets.get(key)?.json as { versions?: Array<Record<string, unknown>> } | undefined
      if (shipped?.versions) await upgradeRuleSet(key, shipped.versions, report)
    }
  }
  return report
}

async function upgradeForm(key: string, shipped: Record<string, unknown>, report: UpgradeReport) {
  await db.transaction(async (trx) => {
    const form = await Form.query({ client: trx }).where('key', key).first()
    if (!form) return
    const current = await FormVersion.query({ client: trx })
      .where('form_id', form.id)
      .orderBy('version', 'desc')
      .first()
    if (!current) return
    if (current.source !== 'default') {
      report.keptForStaff.push(key)
      return
    }
    if (content(current.definition) === content(shipped)) return
    const version = current.version + 1
    await FormVersion.create(
      { formId: form.id, version, definition: { ...shipped, version }, source: 'default', publishedBy: null },
      { client: trx }
    )
    report.forms.push(key)
  })
}

async function upgradeRuleSet(key: string, shipped: Array<Record<string, unknown>>, report: UpgradeReport) {
  await db.transaction(async (trx) => {
    const ruleset = await RuleSet.query({ client: trx }).where('key', key).first()
    if (!ruleset) return
    const rows = await RuleSetVersion.query({ client: trx }).where('ruleset_id', ruleset.id).orderBy('version', 'asc')
    if (rows.some((r) => r.source !== 'default')) {
      report.keptForStaff.push(key)
      return
    }
    let next = rows.reduce((max, r) => Math.max(max, r.version), 0)
    let changed = false
    for (const version of shipped) {
      const validFrom = String(version.valid_from)
      // The copy that stands for that start: the highest number starting on that day.
      const copy = rows.filter((r) => r.validFrom === validFrom).at(-1)
      if (copy && content(copy.body) === content(version)) continue
      next++
      await RuleSetVersion.create(
        {
          rulesetId: ruleset.id,
          version: next,
          validFrom,
          validTo: (version.valid_to as string | undefined) ?? null,
          body: { ...version, version: next },
          source: 'default',
          publishedBy: null,
        },
        { client: trx }
      )
      changed = true
    }
    if (changed) report.rulesets.push(key)
  })
}
