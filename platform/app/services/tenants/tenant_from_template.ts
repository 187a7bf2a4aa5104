import { LocalizedError, texts } from '#i18n/catalogue'
import db from '@adonisjs/lucid/services/db'
import Tenant from '#models/tenant'
import Form from '#models/form'
import FormVersion from '#models/form_version'
import RuleSet from '#models/rule_set'
import RuleSetVersion from '#models/rule_set_version'
import { pluginService } from '#services/tenants/plugin_service'
import { RequestContext } from '#services/infrastructure/request_context'

/**
 * A new tenant from another tenant's configuration: the services it enabled, its forms and rule
 * sets with every version (dates included, so a version from a future day comes too), and its
 * settings. Nothing about people comes along (no members, no submissions, no enrolments, no
 * payments), nor the source's own places (schools, classes, calendar): the new tenant's staff
 * enter theirs.
 *
 * Settings blocks that name the source's own accounts or identity stay behind: the protocol
 * system's login, the pagoPA creditor and segregation code, the logo and privacy page. The new
 * tenant starts on the built-in protocol simulator and sets its own.
 */
export const NOT_COPIED_SETTINGS = ['protocol', 'pagopa', 'identity'] as const

export class TenantSourceNotFoundError extends LocalizedError {
  constructor(readonly slug: string) {
    super(422, texts('tenantCopy.noSource', { slug }), undefined, '/from')
  }
}

export class TenantSlugTakenError extends LocalizedError {
  constructor(readonly slug: string) {
    super(409, texts('tenantCopy.slugTaken', { slug }), undefined, '/slug')
  }
}

export interface CopiedConfiguration {
  tenant: { slug: string; name: string; fiscalCode: string }
  from: string
  plugins: string[]
  forms: string[]
  rulesets: string[]
  settings: string[]
}

export async function tenantFromTemplate(input: {
  slug: string
  name: string
  fiscal_code: string
  from: string
}): Promise<CopiedConfiguration> {
  const source = await Tenant.findBy('slug', input.from)
  if (!source) throw new TenantSourceNotFoundError(input.from)
  if (await Tenant.findBy('slug', input.slug)) throw new TenantSlugTakenError(input.slug)

  const plugins = await pluginService.enabledIds(source)
  const content = await RequestContext.withTenant(source.ref, async () => ({
    forms: await Form.query().preload('versions').orderBy('key'),
    rulesets: await RuleSet.query().preload('versions').orderBy('key'),
  }))
  const settings: Record<string, unknown> = structuredClone(source.settings ?? {})
  for (const block of NOT_COPIED_SETTINGS) delete settings[block]

  const tenant = await db.transaction(async (trx) => {
    const created = await Tenant.create(
      { slug: input.slug, name: input.name, fiscalCode: input.fiscal_code, settings },
      { client: trx }
    )
    await RequestContext.withTenant(created.ref, async () => {
      for (const form of content.forms) {
        const copy = await Form.create({ key: form.key, service: form.service, title: form.title }, { client: trx })
        for (const v of form.versions) {
          await FormVersion.create(
            {
              formId: copy.id,
              version: v.version,
              definition: v.definition,
              validFrom: v.validFrom,
              source: v.source,
              publishedBy: null,
            },
            { client: trx }
          )
        }
      }
      for (const ruleset of content.rulesets) {
        const copy = await RuleSet.create(
          { key: ruleset.key, service: ruleset.service, title: ruleset.title },
          { client: trx }
        )
        for (const v of ruleset.versions) {
          await RuleSetVersion.create(
            {
              rulesetId: copy.id,
              version: v.version,
              validFrom: v.validFrom,
              validTo: v.validTo,
              body: v.body,
              source: v.source,
              publishedBy: null,
            },
            { client: trx }
          )
        }
      }
    })
    return created
  })
  // Enabling finds the forms and rule sets already there and keeps them (plugin_service.ts); it
  // runs each plugin's install and enable hooks for the new tenant.
  for (const plugin of plugins) await pluginService.enable(tenant, plugin)
  return {
    tenant: { slug: tenant.slug, name: tenant.name, fiscalCode: tenant.fiscalCode },
    from: source.slug,
    plugins,
    forms: content.forms.map((f) => f.key),
    rulesets: content.rulesets.map((r) => r.key),
    settings: Object.keys(settings).sort(),
  }
}
