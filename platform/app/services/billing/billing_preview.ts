import Enrolment from '#models/enrolment'
import type Tenant from '#models/tenant'
import User from '#models/user'
import { pluginContext } from '#plugins/plugin_context'
import { pluginRegistry } from '#plugins/registry'
import { centsToEuro } from '#integrations/pagopa/amounts'
import { lineAmount } from '#services/billing/charge_amount'
import { checkBillable } from '#services/billing/billing_run'
import { LedgerError } from '#services/billing/ledger_service'
import type { Lang } from '#sdk/types'

/**
 * The dry run of a month (the operator looks before publishing): the lines the service's plugin
 * would bill, counted and summed by school and by unit fee (the fee band as billed), the children
 * left out (without a fee, ...) and the anomalies (a paying parent without a codice fiscale, a
 * line the ledger would refuse, a line naming no enrolment of the service). Nothing is written.
 */
export interface PreviewGroup {
  key: string
  children: number
  quantity: string
  total_cents: number
  total: string
}

const MAX_LINES = 200_000

function add(
  map: Map<string, { children: number; quantity: number; cents: number }>,
  key: string,
  line: { q: number; c: number }
) {
  const row = map.get(key) ?? { children: 0, quantity: 0, cents: 0 }
  row.children++
  // Quantities are decimal strings of at most three decimals: summing thousandths stays exact.
  row.quantity += line.q
  row.cents += line.c
  map.set(key, row)
}

const groups = (map: Map<string, { children: number; quantity: number; cents: number }>): PreviewGroup[] =>
  [...map.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, row]) => ({
      key,
      children: row.children,
      quantity: String(row.quantity / 1000),
      total_cents: row.cents,
      total: centsToEuro(row.cents),
    }))

export async function previewRun(tenant: Tenant, input: { service: string; period: string }, lang: Lang) {
  await checkBillable(tenant, input.service, input.period)
  const plugin = pluginRegistry().getOrFail(input.service)
  const ctx = await pluginContext(input.service, { tenant: tenant.ref })
  const result = await plugin.manifest.billing!.charges(input.period, ctx)
  if (!Array.isArray(result.lines) || result.lines.length > MAX_LINES) {
    throw new Error(`Plugin ${input.service}: billing.charges must answer at most ${MAX_LINES} lines`)
  }
  const ids = [...new Set(result.lines.map((l) => l.enrolmentId))]
  const enrolments = new Map<number, Enrolment>()
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await Enrolment.query()
      .whereIn('id', ids.slice(i, i + 500))
      .where('service', input.service)
    for (const row of rows) enrolments.set(row.id, row)
  }
  const payerIds = [...new Set([...enrolments.values()].map((e) => e.applicantUserId))]
  const payers = new Map<number, User>()
  for (let i = 0; i < payerIds.length; i += 500) {
    for (const user of await User.query().whereIn('id', payerIds.slice(i, i + 500))) payers.set(user.id, user)
  }
  const bySchool = new Map<string, { children: number; quantity: number; cents: number }>()
  const byFee = new Map<string, { children: number; quantity: number; cents: number }>()
  const anomalies: Array<{ enrolment_id?: number; payer_user_id?: number; message: string }> = []
  const billedPayers = new Set<number>()
  let total = 0
  let lines = 0
  for (const line of result.lines) {
    const enrolment = enrolments.get(line.enrolmentId)
    if (!enrolment) {
      anomalies.push({
        enrolment_id: line.enrolmentId,
        message: lang === 'it' ? 'Iscrizione inesistente per questo servizio' : 'No such enrolment in this service',
      })
      continue
    }
    let amount
    try {
      amount = lineAmount(line)
    } catch (error) {
      if (!(error instanceof LedgerError)) throw error
      anomalies.push({ enrolment_id: line.enrolmentId, message: error.message })
      continue
    }
    const quantity = Math.round(Number(amount.quantity ?? '1') * 1000)
    lines++
    total += amount.amountCents
    billedPayers.add(enrolment.applicantUserId)
    add(bySchool, enrolment.schoolId ?? '-', { q: quantity, c: amount.amountCents })
    add(byFee, amount.unitCents === null ? '-' : centsToEuro(amount.unitCents), { q: quantity, c: amount.amountCents })
  }
  for (const payerId of billedPayers) {
    if (!payers.get(payerId)?.fiscalCode) {
      anomalies.push({
        payer_user_id: payerId,
        message:
          lang === 'it'
            ? 'Il genitore pagante non ha un codice fiscale: non riceverà l’avviso finché non è registrato'
            : 'The paying parent has no codice fiscale: no notice until it is recorded',
      })
    }
  }
  return {
    service: input.service,
    period: input.period,
    lines,
    payers: billedPayers.size,
    total_cents: total,
    total: centsToEuro(total),
    by_school: groups(bySchool),
    by_fee: groups(byFee),
    left_out: (result.notes ?? [])
      .slice(0, 1000)
      .map((n) => ({ enrolment_id: n.enrolmentId ?? null, message: n.message[lang] })),
    anomalies: anomalies.slice(0, 1000),
  }
}
