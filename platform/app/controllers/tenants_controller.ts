import type { HttpContext } from '@adonisjs/core/http'
import { auditPage, parseAuditQuery } from '#services/infrastructure/audit_query'
import type { AuditAnswerDto, AuditEntryDto } from '#shared/contract'
import Tenant from '#models/tenant'
import Membership from '#models/membership'
import TenantPolicy from '#policies/tenant_policy'
import { pluginService } from '#services/tenants/plugin_service'
import { RequestContext } from '#services/infrastructure/request_context'
import { tenantFromValidator, tenantSettingsValidator } from '#validators/tenant'
import { firstForbiddenText } from '#validators/plain_text'
import { requestLanguage } from '#services/infrastructure/request_language'
import { parseProtocolSettings } from '#integrations/protocol_settings'
import { parseEnrolmentSettings } from '#services/enrolments/enrolment_windows'
import Form from '#models/form'
import { parseAttachmentSettings } from '#services/submissions/attachment_cleanup'
import { parseDocumentSettings } from '#services/documents/document_service'
import { SettingsError } from '#services/tenants/settings_error'
import { readableAuditValues } from '#services/infrastructure/audit_service'
import { PAY_SETTINGS_BLOCKS } from '#integrations/pay_settings'
import { PLUGIN_SETTINGS_BLOCK, parsePluginSettingsBlocks } from '#plugins/plugin_settings'
import { patchSettings } from '#services/tenants/settings_patch'
import { tenantFromTemplate } from '#services/tenants/tenant_from_template'
import { parseDesignerSettings } from '#services/tenants/designer_settings'
import { identityOf, parseIdentitySettings } from '#services/tenants/tenant_identity'
import { parseDirectorySettings } from '#services/infrastructure/directory_settings'

/** The blocks of tenants.settings that are checked when a tenant admin writes them. */
const SETTINGS_BLOCKS: Record<string, (value: unknown) => unknown> = {
  protocol: parseProtocolSettings,
  // Windows name forms: only forms the tenant has.
  enrolment: async (value) =>
    parseEnrolmentSettings(
      value,
      (await Form.query().select('key')).map((f) => f.key)
    ),
  attachments: parseAttachmentSettings,
  documents: parseDocumentSettings,
  identity: parseIdentitySettings,
  directory: parseDirectorySettings,
  designer: parseDesignerSettings,
  ...PAY_SETTINGS_BLOCKS,
  // Each plugin's block, under settings.plugins.<plugin id>, against the schema its manifest declares.
  [PLUGIN_SETTINGS_BLOCK]: parsePluginSettingsBlocks,
}

/** Settings of one tenant, as JSON text: ample for every block, far from a storage abuse. */
const MAX_SETTINGS_JSON = 64 * 1024

const TOO_BIG = {
  it: `Impostazioni troppo grandi: al massimo ${MAX_SETTINGS_JSON / 1024} KB.`,
  en: `Settings too large: ${MAX_SETTINGS_JSON / 1024} KB at most.`,
}
const CONTROL = {
  it: (code: string) => `contiene un carattere non ammesso (${code}, di controllo o di direzione del testo): toglilo.`,
  en: (code: string) =>
    `holds a character that is not allowed (${code}, a control or text-direction character): remove it.`,
}

export default class TenantsController {
  /** Platform admins: every tenant. */
  async index({ bouncer }: HttpContext) {
    await bouncer.authorize('administerPlatform')
    const tenants = await Tenant.query().orderBy('slug')
    return { tenants: tenants.map((t) => ({ slug: t.slug, name: t.name, fiscalCode: t.fiscalCode })) }
  }

  /**
   * Platform admins: a new tenant from another tenant's configuration (services, forms, rule sets,
   * settings; no people, no submissions; see tenant_from_template.ts).
   */
  async createFrom({ bouncer, request, response }: HttpContext) {
    await bouncer.authorize('administerPlatform')
    const input = await request.validateUsing(tenantFromValidator)
    // An unknown source (422 at /from) or a slug taken (409 at /slug) are LocalizedErrors.
    return response.created(await tenantFromTemplate(input))
  }

  /**
   * Every member reads the tenant's public identity (logo, privacy, accessibility, contacts: the
   * portal's header and footer); the other blocks (protocol system, windows, retention) are
   * configuration, for its administrators.
   */
  async show({ tenant, access, bouncer }: HttpContext) {
    await bouncer.with(TenantPolicy).authorize('view', access)
    const admin = await bouncer.with(TenantPolicy).allows('manage', access)
    const settings = admin ? tenant.settings : { identity: identityOf(tenant.settings) }
    return {
      tenant: { slug: tenant.slug, name: tenant.name, fiscalCode: tenant.fiscalCode, settings },
      access,
      plugins: await pluginService.enabledIds(tenant),
    }
  }

  /**
   * `{ name?, settings? }`. Settings change by JSON Merge Patch, block by block (settings_patch.ts):
   * only what the request names changes, `null` deletes. Each block named is checked as it will be
   * stored (the merge of what is there and what is sent), and nothing is saved unless all hold.
   */
  async update({ tenant, access, bouncer, request, response }: HttpContext) {
    await bouncer.with(TenantPolicy).authorize('manage', access)
    const { name, settings } = await request.validateUsing(tenantSettingsValidator)
    const lang = requestLanguage(request)
    if (settings !== undefined) {
      // Settings are stored whole and read on every request of the tenant: kept small, and plain text.
      if (JSON.stringify(settings).length > MAX_SETTINGS_JSON) {
        return response.unprocessableEntity({
          errors: [{ path: '/settings', rule: 'settings:size', message: TOO_BIG[lang] }],
        })
      }
      const bad = firstForbiddenText(settings, '/settings')
      if (bad) {
        return response.unprocessableEntity({
          errors: [{ path: bad.path, rule: 'text:control', message: CONTROL[lang](bad.code) }],
        })
      }
    }
    let next: Record<string, unknown> | null = null
    try {
      if (settings !== undefined) {
        const patched = patchSettings(tenant.settings, settings)
        for (const block of patched.blocks) {
          const check = SETTINGS_BLOCKS[block]
          if (check && patched.settings[block] !== undefined) await check(patched.settings[block])
        }
        next = patched.settings
      }
    } catch (error) {
      if (!(error instanceof SettingsError)) throw error
      return response.unprocessableEntity({
        errors: [{ path: error.path, rule: 'settings', message: error.messages[lang] }],
      })
    }
    if (name !== undefined) tenant.name = name
    if (next !== null) tenant.settings = next
    await tenant.save()
    return { tenant: { slug: tenant.slug, name: tenant.name, settings: tenant.settings } }
  }

  async members({ access, bouncer }: HttpContext) {
    await bouncer.with(TenantPolicy).authorize('manage', access)
    const members = await Membership.query().preload('user').orderBy('id')
    return {
      members: members.map((m) => ({ email: m.user.email, fullName: m.user.fullName, roles: m.roles })),
    }
  }

  /**
   * The tenant's audit trail, newest first, 50 entries a page: `?actor=&entity=&entity_id=&action=
   * &from=&to=&after=` (audit_query.ts). Personal identifiers are stored encrypted in it and
   * answered decrypted: only tenant admins read it.
   */
  async audit({ access, bouncer, request, response }: HttpContext) {
    await bouncer.with(TenantPolicy).authorize('viewAudit', access)
    const lang = requestLanguage(request)
    const { filters, problems } = parseAuditQuery(request.qs())
    if (problems.length) {
      return response.unprocessableEntity({
        errors: problems.map((p) => ({ path: p.path, rule: p.rule, message: p.message[lang] })),
      })
    }
    const { rows, next } = await auditPage(filters)
    const answer: AuditAnswerDto = {
      tenant: RequestContext.tenant()?.slug,
      entries: rows.map((e) => ({
        ...(e.serialize() as Omit<AuditEntryDto, 'before' | 'after'>),
        before: readableAuditValues(e.entity, e.before),
        after: readableAuditValues(e.entity, e.after),
      })),
      next,
    }
    return answer
  }
}
