import type { HttpContext } from '@adonisjs/core/http'
import { PAGE_SIZE, pageParam } from '#services/infrastructure/pagination'
import Tenant from '#models/tenant'
import Membership from '#models/membership'
import AuditLog from '#models/audit_log'
import TenantPolicy from '#policies/tenant_policy'
import { pluginService } from '#services/tenants/plugin_service'
import { RequestContext } from '#services/infrastructure/request_context'
import { tenantSettingsValidator } from '#validators/tenant'
import { firstForbiddenText } from '#validators/plain_text'
import { requestLanguage } from '#services/infrastructure/request_language'
import { parseProtocolSettings } from '#integrations/protocol_settings'
import { parseEnrolmentSettings } from '#services/enrolments/enrolment_windows'
import Form from '#models/form'
import { parseAttachmentSettings } from '#services/submissions/attachment_cleanup'
import { SettingsError } from '#services/tenants/settings_error'
import { readableAuditValues } from '#services/infrastructure/audit_service'
import { PAY_SETTINGS_BLOCKS } from '#integrations/pay_settings'
import { PLUGIN_SETTINGS_BLOCK, parsePluginSettingsBlocks } from '#plugins/plugin_settings'
import { patchSettings } from '#services/tenants/settings_patch'
import { identityOf, parseIdentitySettings } from '#services/tenants/tenant_identity'

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
  identity: parseIdentitySettings,
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
          errors: [{ field: 'settings', message: TOO_BIG[lang] }],
        })
      }
      const bad = firstForbiddenText(settings)
      if (bad) {
        return response.unprocessableEntity({
          errors: [{ field: bad.path, message: CONTROL[lang](bad.code) }],
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
      return response.unprocessableEntity({ errors: [{ field: error.path, message: error.messages[lang] }] })
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
   * The tenant's audit trail, newest first; `?entity=&page=` narrow it. Personal identifiers are
   * stored encrypted in it and answered decrypted: only tenant admins read it.
   */
  async audit({ access, bouncer, request }: HttpContext) {
    await bouncer.with(TenantPolicy).authorize('viewAudit', access)
    const page = pageParam(request)
    const query = AuditLog.query().orderBy('id', 'desc')
    const entity = request.input('entity')
    if (typeof entity === 'string' && entity) query.where('entity', entity)
    const result = await query.paginate(page, PAGE_SIZE)
    return {
      tenant: RequestContext.tenant()?.slug,
      entries: result.all().map((e) => ({
        ...e.serialize(),
        before: readableAuditValues(e.entity, e.before),
        after: readableAuditValues(e.entity, e.after),
      })),
      meta: result.getMeta(),
    }
  }
}
