import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import PaymentPosition from '#models/payment_position'
import Tenant from '#models/tenant'
import TenantPlugin from '#models/tenant_plugin'
import User from '#models/user'
import { enqueueFollowUp, enqueueFollowUps } from '#events/follow_up'
import { centsToEuro, italianAmount } from '#integrations/pagopa/amounts'
import { nextNoticeNumber } from '#integrations/pagopa/notice_sequence'
import { pagopaSettingsOf } from '#integrations/pagopa/pagopa_service'
import { noticeChannelFor } from '#integrations/notices/notice_channels'
import { sendNotice } from '#integrations/notices/notice_service'
import { pluginContext } from '#plugins/plugin_context'
import { pluginRegistry } from '#plugins/registry'
import type { JobDefinition } from '#queue/types'
import { RequestContext, type TenantRef } from '#services/infrastructure/request_context'
import { SettingsError } from '#services/tenants/settings_error'
import { lineAmount } from '#services/billing/charge_amount'
import { checkEntry, LedgerError, postEntries, type NewLedgerEntry } from '#services/billing/ledger_service'
import { billingModeOf, parseBillingSettings } from '#services/billing/billing_settings'
import type { LocalizedText } from '#sdk/types'

/**
 * Pre-paid services (DESIGN.md, Money): the family's account of a service is topped up through
 * pagoPA and each day's consumption is debited from it. The same ledger as post-paid billing:
 * - a top-up is a pagoPA position of the amount the family chooses (no charge behind it), published
 *   and notified by the position job; its reconciled receipt posts the payment, which leaves the
 *   account in credit (a negative balance);
 * - the evening debit posts the day's charges the plugin reports (`billing.daily`), keyed by
 *   service, day, enrolment and line, so a day debited again (after a crash, or twice) adds nothing;
 *   meals are never refused: the account may go below zero, and the family then owes it;
 * - the account crossing under the tenant's threshold that day alerts the family, once: the alert's
 *   job is written in the same transaction as the debits that caused it, under a key of the day.
 */
export const PREPAID_DAILY_JOB = 'platform.prepaid-daily'
export const PREPAID_ALERT_JOB = 'platform.prepaid-alert'
/** Every evening at 21:30 (Europe/Rome): the day's attendance is closed by then. */
export const PREPAID_DAILY_CRON = '30 21 * * *'

export class PrepaidRequestError extends Error {
  readonly status = 422
  constructor(
    readonly path: string,
    readonly rule: string,
    readonly messages: LocalizedText
  ) {
    super(messages.en)
    this.name = 'PrepaidRequestError'
  }
}

/** A fault the tests inject just before a day's debits commit (a crash at the worst moment). Never set elsewhere. */
export const prepaidFaults: { beforeDebitCommit?: () => void } = {}

function settingsOf(tenant: Tenant) {
  return parseBillingSettings(tenant.settings?.billing)
}

async function checkPrepaid(tenant: Tenant, service: unknown) {
  const plugin = typeof service === 'string' ? pluginRegistry().get(service) : undefined
  const enabled = plugin
    ? await TenantPlugin.query().where('plugin_id', plugin.manifest.id).where('enabled', true).first()
    : null
  if (!plugin || !enabled || billingModeOf(settingsOf(tenant), plugin.manifest.id) !== 'prepaid') {
    throw new PrepaidRequestError('/service', 'prepaid', {
      it: 'Questo servizio non è prepagato presso l’ente: non prevede ricariche.',
      en: 'This service is not pre-paid in this ente: it takes no top-ups.',
    })
  }
  return plugin.manifest.id
}

/**
 * A top-up of `amountCents` chosen by the family: a pagoPA position for the payer (numbered from the
 * tenant's sequence in the transaction that writes it) and its position job (publish on GPD, send
 * the notice), together. Answers the position.
 */
export async function createTopUp(
  tenant: Tenant,
  input: { payerUserId: number; service: unknown; amountCents: unknown }
): Promise<PaymentPosition> {
  const service = await checkPrepaid(tenant, input.service)
  const settings = settingsOf(tenant)
  const cents = input.amountCents
  if (
    typeof cents !== 'number' ||
    !Number.isSafeInteger(cents) ||
    cents < settings.topUpMinCents ||
    cents > settings.topUpMaxCents
  ) {
    throw new PrepaidRequestError('/amount_cents', 'range', {
      it: `La ricarica deve essere un importo in centesimi tra ${centsToEuro(settings.topUpMinCents)} e ${centsToEuro(settings.topUpMaxCents)} euro.`,
      en: `The top-up must be an amount in cents from ${centsToEuro(settings.topUpMinCents)} to ${centsToEuro(settings.topUpMaxCents)} euro.`,
    })
  }
  let pagopa: ReturnType<typeof pagopaSettingsOf>
  try {
    pagopa = pagopaSettingsOf(tenant)
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error
    throw new PrepaidRequestError('/service', 'pagopa', {
      it: 'L’ente non ha ancora configurato pagoPA: la ricarica non è possibile per ora.',
      en: 'The ente has not configured pagoPA yet: top-ups are not possible for now.',
    })
  }
  const payer = await User.findOrFail(input.payerUserId)
  if (!payer.fiscalCode) {
    throw new PrepaidRequestError('/payer', 'fiscal_code', {
      it: 'Per pagare con pagoPA serve il codice fiscale: registralo nel profilo e riprova.',
      en: 'Paying through pagoPA needs your codice fiscale: record it in your profile and try again.',
    })
  }
  const now = DateTime.now().setZone('Europe/Rome')
  return db.transaction(async (trx) => {
    const number = await nextNoticeNumber(trx, tenant.id, pagopa.segregationCode)
    const position = await PaymentPosition.create(
      {
        runId: null,
        payerUserId: payer.id,
        service,
        period: now.toFormat('yyyy-MM'),
        iupd: `${pagopa.fiscalCode}-${service}-${number.iuv}`.slice(0, 140),
        iuv: number.iuv,
        nav: number.nav,
        amountCents: cents,
        paidCents: 0,
        dueDate: now.plus({ days: settings.dueDays }).toISODate()!,
        status: 'pending',
        noticeChannel: null,
        paidAt: null,
        psp: null,
      },
      { client: trx }
    )
    // The position job publishes it and sends its notice (imported lazily: it imports billing_run).
    const { BILLING_POSITION_JOB } = await import('#services/billing/billing_run')
    await enqueueFollowUp(
      trx,
      BILLING_POSITION_JOB,
      { positionId: position.id },
      { jobId: `billing-position:${tenant.id}:${position.iuv}`, tenant: tenant.ref }
    )
    return position
  })
}

/**
 * Debits one day of a pre-paid service: the plugin's lines for the day posted as charges, and an
 * alert job for each payer whose credit fell under the threshold that day, in one transaction.
 * Answers what it posted and alerted.
 */
export async function debitDay(tenant: Tenant, service: string, day: string) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || !DateTime.fromISO(day).isValid) throw new Error(`Not a day: ${day}`)
  const settings = settingsOf(tenant)
  if (billingModeOf(settings, service) !== 'prepaid') return { debited: 0, alerted: 0, notes: [] as string[] }
  const plugin = pluginRegistry().getOrFail(service)
  const daily = plugin.manifest.billing?.daily
  if (!daily) throw new Error(`Plugin ${service} is pre-paid in tenant ${tenant.slug} but declares no billing.daily`)
  const ctx = await pluginContext(service, { tenant: tenant.ref })
  const result = await daily(day, ctx)
  if (!Array.isArray(result.lines) || result.lines.length > 200_000) {
    throw new Error(`Plugin ${service}: billing.daily must answer at most 200000 lines`)
  }
  const notes: string[] = []
  const ids = [...new Set(result.lines.map((l) => l.enrolmentId))].filter((id) => Number.isSafeInteger(id))
  const payerOf = new Map<number, number>()
  for (let i = 0; i < ids.length; i += 1000) {
    const rows = await db
      .from('enrolments')
      .where('tenant_id', tenant.id)
      .where('service', service)
      .whereIn('id', ids.slice(i, i + 1000))
      .select('id', 'applicant_user_id')
    for (const row of rows) payerOf.set(Number(row.id), Number(row.applicant_user_id))
  }
  const entries: NewLedgerEntry[] = []
  for (const line of result.lines) {
    const payerUserId = payerOf.get(line.enrolmentId)
    if (payerUserId === undefined) {
      notes.push(`enrolment ${line.enrolmentId}: not an enrolment of ${service}`)
      continue
    }
    try {
      const entry: NewLedgerEntry = {
        key: `prepaid:${service}:${day}:${line.enrolmentId}:${String(line.key).slice(0, 60)}`,
        kind: 'charge',
        payerUserId,
        enrolmentId: line.enrolmentId,
        service,
        period: day.slice(0, 7),
        ...lineAmount(line),
        description: line.description,
        details: { day, prepaid: true, ...(line.details ?? {}) },
      }
      checkEntry(entry)
      entries.push(entry)
    } catch (error) {
      if (!(error instanceof LedgerError)) throw error
      notes.push(`enrolment ${line.enrolmentId}: ${error.message}`)
    }
  }
  const payers = [...new Set(entries.map((e) => e.payerUserId))].sort((a, b) => a - b)
  const outcome = await db.transaction(async (trx) => {
    const created = await postEntries(trx, entries)
    // Only the payers this call debited can have crossed now: a day debited again alerts no one.
    const debitedNow = new Set(created.map((c) => c.entry.payerUserId))
    const alerts: Array<{ payload: { payerUserId: number; service: string; day: string }; jobId: string }> = []
    const touched = payers.filter((id) => debitedNow.has(id))
    for (let i = 0; i < touched.length; i += 500) {
      const chunk = touched.slice(i, i + 500)
      // The balance after the day, and the day's own debits: the balance before is their difference.
      const sums = await trx.rawQuery(
        'SELECT payer_user_id, SUM(amount_cents) AS balance, ' +
          "SUM(CASE WHEN kind = 'charge' AND entry_key LIKE ? THEN amount_cents ELSE 0 END) AS today " +
          `FROM ledger_entries WHERE tenant_id = ? AND service = ? AND payer_user_id IN (${chunk.map(() => '?').join(', ')}) ` +
          'GROUP BY payer_user_id',
        [`prepaid:${service}:${day}:%`, tenant.id, service, ...chunk]
      )
      const rows = Array.isArray(sums) ? sums : ((sums as { rows: unknown[] }).rows ?? [])
      for (const row of rows as Array<Record<string, unknown>>) {
        const balance = Number(row.balance)
        const today = Number(row.today ?? 0)
        const creditAfter = -balance
        const creditBefore = creditAfter + today
        if (today > 0 && creditBefore >= settings.lowBalanceCents && creditAfter < settings.lowBalanceCents) {
          const payerUserId = Number(row.payer_user_id)
          alerts.push({
            payload: { payerUserId, service, day },
            jobId: `prepaid-alert:${tenant.id}:${service}:${payerUserId}:${day}`,
          })
        }
      }
    }
    if (alerts.length > 0) await enqueueFollowUps(trx, PREPAID_ALERT_JOB, alerts, { tenant: tenant.ref })
    prepaidFaults.beforeDebitCommit?.()
    return { debited: created.length, alerted: alerts.length }
  })
  return { ...outcome, notes }
}

/** The balance of a payer's account for a pre-paid service: positive owed, negative a credit. */
export async function prepaidBalance(tenantId: number, payerUserId: number, service: string) {
  const row = await db
    .from('ledger_entries')
    .where('tenant_id', tenantId)
    .where('payer_user_id', payerUserId)
    .where('service', service)
    .sum('amount_cents as balance')
    .first()
  return Number(row?.balance ?? 0)
}

/** The alert: the family's credit fell under the threshold; by email (each key once). */
export async function sendLowBalanceAlert(
  tenant: Tenant,
  input: { payerUserId: number; service: string; day: string }
) {
  const payer = await User.find(input.payerUserId)
  if (!payer) return null
  const balance = await prepaidBalance(tenant.id, payer.id, input.service)
  const lang = payer.locale === 'en' ? 'en' : 'it'
  const name = pluginRegistry().get(input.service)?.manifest.name[lang] ?? input.service
  const money = (cents: number) => (lang === 'it' ? italianAmount(cents) : centsToEuro(cents))
  const credit = money(Math.max(0, -balance))
  const owed = money(Math.max(0, balance))
  const threshold = money(settingsOf(tenant).lowBalanceCents)
  const text =
    lang === 'it'
      ? `${tenant.name}: il credito del servizio ${name} è sceso sotto la soglia (${threshold} euro). ` +
        (balance > 0 ? `Risultano da pagare ${owed} euro. ` : `Credito residuo: ${credit} euro. `) +
        'I pasti non vengono negati: ricarica il conto dal portale, sezione Pagamenti, con pagoPA.'
      : `${tenant.name}: the credit of ${name} fell under the threshold (${threshold} euro). ` +
        (balance > 0 ? `${owed} euro are owed. ` : `Remaining credit: ${credit} euro. `) +
        'Meals are not refused: top up the account from the portal, Payments section, through pagoPA.'
  const channel = noticeChannelFor(tenant, 'email')
  if (!channel || !payer.email) return null
  const { notice } = await sendNotice(
    channel,
    {
      idempotencyKey: `prepaid-alert:${input.service}:${payer.id}:${input.day}`,
      recipient: { name: payer.fullName, email: payer.email, fiscalCode: payer.fiscalCode },
      subject: lang === 'it' ? `Credito in esaurimento: ${name}` : `Credit running low: ${name}`,
      text,
    },
    { ref: { type: 'prepaid', id: `${input.service}:${payer.id}` } }
  )
  return notice
}

export const prepaidAlertJob: JobDefinition<{ payerUserId: number; service: string; day: string }> = {
  attempts: 5,
  backoffMs: 30_000,
  async handle(payload, ctx) {
    const tenantRef = RequestContext.tenant()
    if (!tenantRef) throw new Error(`${ctx.name}: no tenant`)
    const tenant = await Tenant.findOrFail(tenantRef.id)
    await sendLowBalanceAlert(tenant, payload)
  },
}

/** The evening job: each tenant's pre-paid services debited for the day (Europe/Rome). */
export const prepaidDailyJob: JobDefinition<{ day?: string }> = {
  attempts: 5,
  backoffMs: 60_000,
  async handle(payload) {
    const day = payload?.day ?? DateTime.now().setZone('Europe/Rome').toISODate()!
    const tenants = await RequestContext.asSystem('prepaid-daily', () => Tenant.query().orderBy('id'))
    const failures: string[] = []
    for (const tenant of tenants) {
      let prepaid: string[]
      try {
        prepaid = settingsOf(tenant).prepaid
      } catch {
        continue
      }
      for (const service of prepaid) {
        try {
          await RequestContext.withTenant(tenant.ref as TenantRef, () => debitDay(tenant, service, day))
        } catch (error) {
          failures.push(`${tenant.slug}/${service}: ${(error as Error).message}`)
        }
      }
    }
    if (failures.length > 0) throw new Error(`Pre-paid debits of ${day} failed for ${failures.join('; ')}`)
  },
}
