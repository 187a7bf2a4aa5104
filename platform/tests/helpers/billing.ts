import { DateTime } from 'luxon'
import Enrolment from '#models/enrolment'
import Submission from '#models/submission'
import type Tenant from '#models/tenant'
import User from '#models/user'
import { GpdSimulator } from '#integrations/pagopa/gpd_simulator'
import { jobQueue } from '#queue/queue_factory'
import { findCurrentForm } from '#services/definitions/form_service'
import { pluginService } from '#services/tenants/plugin_service'
import { RequestContext } from '#services/infrastructure/request_context'
import { makeTenant, makeUser } from '#tests/helpers/world'

export const BILLING_ORG = '00229080338'
const KEY_ENV = 'PAGOPA_KEY_BILLING_TESTS'

/**
 * A tenant billing the fixture service `rette` through a GPD simulator of its own (a clock the test
 * moves), its notices by email; `enrol` makes a paying parent with an enrolment at a monthly fee.
 */
export async function billingWorld(options: { billing?: Record<string, unknown> } = {}) {
  const clock = { now: DateTime.now() }
  process.env[KEY_ENV] = 'billing-key'
  const gpd = await new GpdSimulator({
    keys: [{ key: 'billing-key', organizations: [BILLING_ORG] }],
    now: () => clock.now.toJSDate(),
  }).start()
  const tenant = await makeTenant()
  await RequestContext.asSystem('test', async () => {
    tenant.settings = {
      pagopa: {
        segregationCode: '01',
        fiscalCode: BILLING_ORG,
        iban: 'IT60X0542811101000000123456',
        baseUrl: gpd.url,
        subscriptionKeyEnv: KEY_ENV,
      },
      notices: { email: { from: 'Comune di Prova <noreply@comune.example>' } },
      ...(options.billing ? { billing: options.billing } : {}),
    }
    await tenant.save()
  })
  await pluginService.enable(tenant, 'trasporto')
  await pluginService.enable(tenant, 'rette')
  let children = 0

  async function enrol(
    parent: User | null,
    fee: string | null,
    extra: { schoolYear?: string; fiscalCode?: string | null; details?: Record<string, unknown> } = {}
  ) {
    children++
    const payer = parent ?? (await makeParent(tenant, extra.fiscalCode === undefined ? undefined : extra.fiscalCode))
    const enrolment = await RequestContext.withTenant(tenant.ref, async () => {
      const current = (await findCurrentForm('trasporto.iscrizione'))!
      const submission = await Submission.create({
        formId: current.form.id,
        formVersionId: current.version.id,
        formKey: 'trasporto.iscrizione',
        applicantUserId: payer.id,
        submittedByUserId: payer.id,
        onBehalf: false,
        status: 'accepted',
        statusReason: null,
        data: {},
        protocolNumber: null,
        submittedAt: DateTime.now(),
      })
      return Enrolment.create({
        service: 'rette',
        formKey: 'trasporto.iscrizione',
        schoolYear: extra.schoolYear ?? '2026/2027',
        submissionId: submission.id,
        applicantUserId: payer.id,
        status: 'active',
        childFirstName: `Bimbo${children}`,
        childLastName: 'Rossi',
        childFiscalCode: null,
        childUnborn: false,
        childBirthDate: null,
        schoolId: null,
        section: null,
        details: extra.details ?? null,
        isee: null,
        tariffAmount: fee,
        tariffRuleset: fee ? 'rette.tariffa' : null,
        tariffVersion: fee ? 1 : null,
        tariffAt: fee ? '2026-09-01' : null,
        tariffResult: null,
        tariffFacts: null,
        tariffTrace: null,
        tariffMissingReason: fee ? null : 'no_tariff_rule',
      })
    })
    return { payer, enrolment }
  }

  // The world's jobs end while its simulator still answers, even after a failed assertion: a position
  // job left behind would retry against a closed port for minutes. A job that never ends (a test's
  // broken GPD) is given 20 s.
  const close = async () => {
    let timer: NodeJS.Timeout | undefined
    const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, 20_000)))
    await Promise.race([jobQueue().drained(), limit])
    clearTimeout(timer)
    await gpd.close()
  }
  return { tenant, gpd, clock, enrol, close }
}

let parents = 0
const FISCAL_CODES = ['RSSMRA85T10A562S', 'VRDLCU80A01G535X', 'BNCNNA82B41F205K', 'NREPLA79C12H501Z']

export async function makeParent(tenant: Tenant, fiscalCode?: string | null) {
  const user = await makeUser(tenant, ['citizen'])
  parents++
  await RequestContext.asSystem('test', async () => {
    user.fiscalCode = fiscalCode === undefined ? FISCAL_CODES[parents % FISCAL_CODES.length] : fiscalCode
    user.fullName = `Genitore ${parents}`
    await user.save()
  })
  return user
}
