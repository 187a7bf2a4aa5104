import { DateTime } from 'luxon'
import BillingRun from '#models/billing_run'
import PaymentPosition from '#models/payment_position'
import Tenant from '#models/tenant'
import TenantPlugin from '#models/tenant_plugin'
import { jobQueue } from '#queue/queue_factory'
import type { JobDefinition } from '#queue/types'
import { parsePagopaSettings } from '#integrations/pagopa/pagopa_settings'
import { RequestContext } from '#services/infrastructure/request_context'
import { BillingRequestError, startRun } from '#services/billing/billing_run'
import { reconcileTenant } from '#services/billing/reconcile'

/**
 * The demo's billed months, so that a newcomer sees billing at work: the canteen of the demo comune
 * billed for the two months before this one (meals from its calendar and attendance), the older
 * month paid on the pagoPA simulator's checkout and reconciled, the last one left to pay.
 *
 * The seed only starts the runs (a run and its collect job, written together); the web process
 * runs them once its simulators are up, then the demo payment job pays the older month's positions
 * on the simulator and reconciles. Each step is keyed: seeding again adds nothing.
 */
export const DEMO_BILLING_PAY_JOB = 'platform.demo-billing-pay'
const SERVICE = 'refezione'
const ZONE = 'Europe/Rome'

export function demoBillingPeriods(now = DateTime.now().setZone(ZONE)) {
  return [now.minus({ months: 2 }).toFormat('yyyy-MM'), now.minus({ months: 1 }).toFormat('yyyy-MM')]
}

export async function seedDemoBilling(tenant: Tenant) {
  let configured = false
  try {
    configured = parsePagopaSettings(tenant.settings?.pagopa) !== null
  } catch {
    configured = false
  }
  if (!configured) return
  await RequestContext.withTenant(tenant.ref, async () => {
    const enabled = await TenantPlugin.query().where('plugin_id', SERVICE).where('enabled', true).first()
    if (!enabled) return
    const [paid, unpaid] = demoBillingPeriods()
    for (const period of [paid, unpaid]) {
      if (await BillingRun.query().where('service', SERVICE).where('period', period).first()) continue
      try {
        await startRun(tenant, { service: SERVICE, period, userId: null })
      } catch (error) {
        if (error instanceof BillingRequestError) return
        throw error
      }
    }
    await jobQueue().enqueue(
      DEMO_BILLING_PAY_JOB,
      { period: paid },
      { jobId: `demo-billing-pay:${tenant.id}:${paid}`, tenant: tenant.ref, delayMs: 5000 }
    )
  })
}

/** Thrown while the older month's positions are not on pagoPA yet: the queue tries again later. */
class NotYetPublished extends Error {}

/** Pays the demo's older month on the simulator's checkout (its /sim/pay) and reconciles the receipts. */
export const demoBillingPayJob: JobDefinition<{ period: string }> = {
  attempts: 12,
  backoffMs: 5000,
  async handle(payload, ctx) {
    if (!ctx.tenant) return
    const tenant = await Tenant.findOrFail(ctx.tenant.id)
    // The simulator's own root (the demo's pagoPA settings name it as baseUrl).
    const baseUrl = (tenant.settings?.pagopa as { baseUrl?: unknown } | undefined)?.baseUrl
    if (typeof baseUrl !== 'string') return
    const run = await BillingRun.query().where('service', SERVICE).where('period', payload.period).first()
    if (!run) return
    if (run.status === 'collecting') throw new NotYetPublished(`demo billing ${payload.period}: still collecting`)
    const positions = await PaymentPosition.query().where('run_id', run.id).orderBy('id')
    if (positions.some((p) => p.status === 'pending')) {
      throw new NotYetPublished(`demo billing ${payload.period}: positions not yet on pagoPA`)
    }
    for (const position of positions.filter((p) => p.status === 'published')) {
      const answer = await fetch(`${baseUrl.replace(/\/+$/, '')}/sim/pay`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ nav: position.nav }),
        signal: AbortSignal.timeout(10_000),
      })
      // 409: already paid (a retry after the payment): the receipt is there to reconcile.
      if (!answer.ok && answer.status !== 409) throw new Error(`demo payment of ${position.nav}: HTTP ${answer.status}`)
    }
    await reconcileTenant(tenant)
  },
}
