import Tenant from '#models/tenant'
import User from '#models/user'
import Membership from '#models/membership'
import { pluginService } from '#services/tenants/plugin_service'
import { useDemoDocarea } from '#integrations/docarea/docarea_demo'
import { useDemoPay } from '#integrations/pay_demo'
import { seedDemoBilling } from '#services/content/demo_billing'
import { seedDemoEnrolment } from '#services/content/demo_enrolment'
import { RequestContext } from '#services/infrastructure/request_context'
import { ensureSchoolCatalog } from '#services/tenants/school_catalog_service'
import { DEMO_ENTRIES, DEMO_SCHOOLS } from '#services/content/demo_school_catalog'
import { ensureEntries } from '#services/tenants/catalog_source_service'
import { ENROLMENT_ZONE } from '#services/enrolments/enrolment_windows'
import { DateTime } from 'luxon'
import { DEMO } from '#services/content/demo_content'
import { parseIdentitySettings, type TenantIdentity } from '#services/tenants/tenant_identity'
import { upgradeShippedContent, type UpgradeReport } from '#services/content/shipped_content_upgrade'

/**
 * Demo tenants and one user per role, created only when missing, so running
 * it at every start is harmless. The passwords are for the demo only. The
 * data are in database/demo/demo.json.
 */
export const DEMO_TENANTS = DEMO.tenants

/**
 * Codes an earlier seed wrote that fail their check digit: a tenant still holding one gets the
 * right code at the next seeding (any other code is an administrator's and stays).
 */
const FORMER_FISCAL_CODES: Record<string, readonly string[]> = { quartu: ['80004020921'] }

export const DEMO_PASSWORD = 'Sportello.2026'

/** The demo tenants' logo: a neutral drawing served from platform/public/, not any body's coat of arms. */
export const DEMO_LOGO_URL = '/static/demo/logo-ente-demo.svg'

/**
 * Demo data for the portal's header and footer (`settings.identity`): plausible shapes, marked as
 * demo. The addresses are on the `.demo` domains of the demo accounts and the phone numbers are
 * placeholders, so nobody is sent to a real office.
 */
export const DEMO_IDENTITY: Record<string, TenantIdentity> = DEMO.identity

/** Written only when the tenant has no identity, so an administrator's changes survive a restart. */
async function seedIdentity(tenant: Tenant) {
  const identity = DEMO_IDENTITY[tenant.slug]
  if (!identity || tenant.settings.identity !== undefined) return
  tenant.settings = { ...tenant.settings, identity: parseIdentitySettings(identity) }
  await tenant.save()
}

export const DEMO_USERS = DEMO.users

/**
 * The demo's calls (`windows` of a tenant), so the portal shows every state: some open, one
 * closed, one not open yet, in days from the first seeding. Written only when the tenant has no
 * windows, so an administrator's changes survive a restart.
 */
async function seedEnrolmentWindows(tenant: Tenant, windows: Record<string, { opens: number; closes: number }>) {
  if (tenant.settings.enrolment !== undefined) return
  const day = (offset: number) => DateTime.now().setZone(ENROLMENT_ZONE).plus({ days: offset }).toISODate()!
  const enrolment: Record<string, { opens: string; closes: string }> = {}
  for (const [form, w] of Object.entries(windows)) enrolment[form] = { opens: day(w.opens), closes: day(w.closes) }
  tenant.settings = { ...tenant.settings, enrolment }
  await tenant.save()
}

export async function seedDemo() {
  const { default: env } = await import('#start/env')
  const docareaPort = env.get('DOCAREA_SIMULATOR_PORT')
  const docareaHost = env.get('DOCAREA_SIMULATOR_HOST')
  return RequestContext.asSystem('demo-seed', async () => {
    const tenants = new Map<string, Tenant>()
    const upgraded: Record<string, UpgradeReport> = {}
    for (const spec of DEMO_TENANTS) {
      const tenant =
        (await Tenant.findBy('slug', spec.slug)) ??
        (await Tenant.create({ slug: spec.slug, name: spec.name, fiscalCode: spec.fiscalCode, settings: {} }))
      tenants.set(spec.slug, tenant)
      if (tenant.fiscalCode !== spec.fiscalCode && FORMER_FISCAL_CODES[spec.slug]?.includes(tenant.fiscalCode)) {
        tenant.fiscalCode = spec.fiscalCode
        await tenant.save()
      }
      for (const plugin of spec.plugins) await pluginService.enable(tenant, plugin)
      // A database seeded by an older build gets this build's forms and rule sets as new versions,
      // except where staff published their own.
      upgraded[spec.slug] = await RequestContext.withTenant(tenant.ref, () => upgradeShippedContent([...spec.plugins]))
      if (spec.catalog) {
        await RequestContext.withTenant(tenant.ref, async () => {
          await ensureSchoolCatalog(DEMO_SCHOOLS)
          await ensureEntries(DEMO_ENTRIES)
        })
      }
      if (spec.windows) await seedEnrolmentWindows(tenant, spec.windows)
      await seedIdentity(tenant)
    }
    for (const spec of DEMO_USERS) {
      let user = await User.findBy('email', spec.email)
      if (!user) {
        user = await User.create({
          email: spec.email,
          fullName: spec.fullName,
          fiscalCode: spec.fiscalCode ?? null,
          password: DEMO_PASSWORD,
          isPlatformAdmin: spec.roles.includes('platform_admin'),
          locale: 'it',
        })
      }
      if (spec.tenant) {
        const tenant = tenants.get(spec.tenant)!
        const existing = await RequestContext.withTenant(tenant.ref, () =>
          Membership.query().where('user_id', user.id).first()
        )
        if (!existing) {
          await RequestContext.withTenant(tenant.ref, () => Membership.create({ userId: user.id, roles: spec.roles }))
        }
      }
    }
    const citizen = await User.findByOrFail('email', DEMO.enrolment.citizen)
    const operator = await User.findByOrFail('email', DEMO.enrolment.operator)
    await seedDemoEnrolment(tenants.get(DEMO.enrolment.tenant)!, citizen, operator)
    for (const spec of DEMO_TENANTS) {
      const users = []
      for (const u of DEMO_USERS.filter((d) => d.tenant === spec.slug)) {
        users.push({ id: (await User.findByOrFail('email', u.email)).id, email: u.email, roles: u.roles })
      }
      for (const plugin of spec.plugins) await pluginService.seedDemo(tenants.get(spec.slug)!, plugin, users)
    }
    // Last, once the seed's own registrations are made: the SOAP simulator runs only in the web process.
    for (const tenant of tenants.values()) await useDemoDocarea(tenant, docareaPort, docareaHost)
    const payPorts = {
      gpd: env.get('GPD_SIMULATOR_PORT'),
      sms: env.get('SMS_SIMULATOR_PORT'),
      io: env.get('IO_SIMULATOR_PORT'),
    }
    const payHost = env.get('PAY_SIMULATORS_HOST')
    for (const tenant of tenants.values()) await useDemoPay(tenant, payPorts, payHost)
    // Last: the demo's billed months (they need the pagoPA settings just written).
    for (const tenant of tenants.values()) await seedDemoBilling(tenant)
    return {
      tenants: [...tenants.keys()],
      upgraded,
      users: DEMO_USERS.map((u) => ({ email: u.email, roles: u.roles, tenant: u.tenant })),
    }
  })
}
