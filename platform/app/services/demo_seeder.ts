import Tenant from '#models/tenant'
import User from '#models/user'
import Membership from '#models/membership'
import { pluginService } from '#services/plugin_service'
import { useDemoDocarea } from '#integrations/docarea/docarea_demo'
import { useDemoPay } from '#integrations/pay_demo'
import { seedDemoEnrolment } from '#services/demo_enrolment'
import { RequestContext } from '#services/request_context'
import { ensureSchoolCatalog } from '#services/school_catalog_service'
import { DEMO_ENTRIES, DEMO_SCHOOLS } from '#services/demo_school_catalog'
import { ensureEntries } from '#services/catalog_source_service'
import type { Role } from '#services/roles'
import { ENROLMENT_ZONE } from '#services/enrolment_windows'
import { DateTime } from 'luxon'
import { parseIdentitySettings, type TenantIdentity } from '#services/tenant_identity'
import { upgradeShippedContent, type UpgradeReport } from '#services/shipped_content_upgrade'

/**
 * Demo tenants and one user per role, created only when missing, so running
 * it at every start is harmless. The passwords are for the demo only.
 */
export const DEMO_TENANTS = [
  {
    slug: 'piacenza',
    name: 'Comune di Piacenza',
    fiscalCode: '00229080338',
    plugins: ['refezione', 'trasporto', 'nidi'],
  },
  { slug: 'ersu-sassari', name: 'ERSU Sassari', fiscalCode: '00196350904', plugins: ['ersu'] },
  { slug: 'quartu', name: "Comune di Quartu Sant'Elena", fiscalCode: '80004020923', plugins: ['covid-bonus'] },
] as const

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
export const DEMO_IDENTITY: Record<string, TenantIdentity> = {
  'piacenza': {
    logo_url: DEMO_LOGO_URL,
    privacy_url: 'https://www.comune.piacenza.demo/privacy',
    accessibility_url: 'https://www.comune.piacenza.demo/dichiarazione-accessibilita',
    contacts: {
      email: 'servizi.scolastici@piacenza.demo',
      phone: '+39 0523 000000',
      pec: 'protocollo@pec.piacenza.demo',
      address: 'Piazza Cavalli 2, 29121 Piacenza (dati dimostrativi)',
    },
  },
  'ersu-sassari': {
    logo_url: DEMO_LOGO_URL,
    privacy_url: 'https://www.ersu-sassari.demo/privacy',
    accessibility_url: 'https://www.ersu-sassari.demo/dichiarazione-accessibilita',
    contacts: {
      email: 'diritto.studio@ersu-sassari.demo',
      phone: '+39 079 000000',
      pec: 'protocollo@pec.ersu-sassari.demo',
      address: 'Via Michele Coppino 18, 07100 Sassari (dati dimostrativi)',
    },
  },
  'quartu': {
    logo_url: DEMO_LOGO_URL,
    privacy_url: 'https://www.comune.quartu.demo/privacy',
    accessibility_url: 'https://www.comune.quartu.demo/dichiarazione-accessibilita',
    contacts: {
      email: 'servizi.sociali@quartu.demo',
      phone: '+39 070 000000',
      pec: 'protocollo@pec.quartu.demo',
      address: "Via Porcu 141, 09045 Quartu Sant'Elena (dati dimostrativi)",
    },
  },
}

/** Written only when the tenant has no identity, so an administrator's changes survive a restart. */
async function seedIdentity(tenant: Tenant) {
  const identity = DEMO_IDENTITY[tenant.slug]
  if (!identity || tenant.settings.identity !== undefined) return
  tenant.settings = { ...tenant.settings, identity: parseIdentitySettings(identity) }
  await tenant.save()
}

export const DEMO_USERS: Array<{
  email: string
  fullName: string
  tenant: string | null
  roles: Role[]
  fiscalCode?: string
}> = [
  {
    email: 'cittadino@piacenza.demo',
    fullName: 'Mario Rossi',
    tenant: 'piacenza',
    roles: ['citizen'],
    fiscalCode: 'RSSMRA85T10A562S',
  },
  { email: 'scuola@piacenza.demo', fullName: 'Anna Scuola', tenant: 'piacenza', roles: ['school_staff'] },
  { email: 'cucina@piacenza.demo', fullName: 'Paolo Cucina', tenant: 'piacenza', roles: ['kitchen'] },
  { email: 'operatore@piacenza.demo', fullName: 'Giulia Operatrice', tenant: 'piacenza', roles: ['operator'] },
  { email: 'admin@piacenza.demo', fullName: 'Luca Amministratore', tenant: 'piacenza', roles: ['tenant_admin'] },
  { email: 'designer@piacenza.demo', fullName: 'Sara Designer', tenant: 'piacenza', roles: ['designer'] },
  {
    email: 'operatore@ersu-sassari.demo',
    fullName: 'Marta Ersu',
    tenant: 'ersu-sassari',
    roles: ['operator', 'tenant_admin'],
  },
  { email: 'operatore@quartu.demo', fullName: 'Efisio Quartu', tenant: 'quartu', roles: ['operator', 'tenant_admin'] },
  { email: 'platform@sportello.demo', fullName: 'Piattaforma Admin', tenant: null, roles: ['platform_admin'] },
]

/**
 * Piacenza's calls, so the portal shows every state: refezione and trasporto
 * open (from 30 days before the first seeding to 120 days after it), the
 * nidi call closed and the summer nursery's not open yet. Written only when
 * the tenant has no windows, so an administrator's changes survive a restart.
 */
async function seedEnrolmentWindows(tenant: Tenant) {
  if (tenant.settings.enrolment !== undefined) return
  const day = (offset: number) => DateTime.now().setZone(ENROLMENT_ZONE).plus({ days: offset }).toISODate()!
  const open = { opens: day(-30), closes: day(120) }
  tenant.settings = {
    ...tenant.settings,
    enrolment: {
      'refezione.iscrizione': open,
      'trasporto.iscrizione': open,
      'nidi.iscrizione': { opens: day(-120), closes: day(-30) },
      'nido-estivo.iscrizione': { opens: day(30), closes: day(90) },
    },
  }
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
      upgraded[spec.slug] = await RequestContext.withTenant(tenant.ref, () => upgradeShippedContent(spec.plugins))
      if (spec.slug === 'piacenza') {
        await RequestContext.withTenant(tenant.ref, async () => {
          await ensureSchoolCatalog(DEMO_SCHOOLS)
          await ensureEntries(DEMO_ENTRIES)
        })
      }
      if (spec.slug === 'piacenza') await seedEnrolmentWindows(tenant)
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
    const citizen = await User.findByOrFail('email', 'cittadino@piacenza.demo')
    const operator = await User.findByOrFail('email', 'operatore@piacenza.demo')
    await seedDemoEnrolment(tenants.get('piacenza')!, citizen, operator)
    // Last, once the seed's own registrations are made: the SOAP simulator runs only in the web process.
    for (const tenant of tenants.values()) await useDemoDocarea(tenant, docareaPort, docareaHost)
    const payPorts = {
      gpd: env.get('GPD_SIMULATOR_PORT'),
      sms: env.get('SMS_SIMULATOR_PORT'),
      io: env.get('IO_SIMULATOR_PORT'),
    }
    const payHost = env.get('PAY_SIMULATORS_HOST')
    for (const tenant of tenants.values()) await useDemoPay(tenant, payPorts, payHost)
    return {
      tenants: [...tenants.keys()],
      upgraded,
      users: DEMO_USERS.map((u) => ({ email: u.email, roles: u.roles, tenant: u.tenant })),
    }
  })
}
