import { DateTime } from 'luxon'
import Enrolment from '#models/enrolment'
import LedgerEntry from '#models/ledger_entry'
import type Tenant from '#models/tenant'
import type User from '#models/user'
import { italianAmount } from '#integrations/pagopa/amounts'
import { PdfSheet } from '#services/infrastructure/pdf_sheet'
import { serviceName } from '#services/billing/billing_run'
import type { Lang } from '#sdk/types'

/**
 * The yearly statement of a paying parent's payments, for the tax return (spese per la mensa
 * scolastica are deductible as school expenses, art. 15 c. 1 lett. e-bis TUIR, when paid traceably,
 * as pagoPA payments are): every payment received in the calendar year, with its date, service,
 * period and notice, and the children whose charges it paid; the year's total.
 */
const TEXT = {
  it: {
    title: (year: number) => `Attestazione dei pagamenti dell'anno ${year}`,
    intro: (name: string, cf: string, year: number) =>
      `Si attesta che ${name}, codice fiscale ${cf}, ha pagato nell'anno ${year} con pagoPA, per i servizi scolastici dei figli, gli importi seguenti.`,
    payment: 'Pagamento',
    date: 'Data',
    service: 'Servizio e periodo',
    children: 'Per',
    amount: 'Importo',
    total: "Totale pagato nell'anno",
    none: "Nessun pagamento registrato nell'anno.",
    note: 'Documento utile ai fini della detrazione delle spese scolastiche (art. 15, comma 1, lettera e-bis, TUIR).',
  },
  en: {
    title: (year: number) => `Statement of payments for ${year}`,
    intro: (name: string, cf: string, year: number) =>
      `This certifies that ${name}, fiscal code ${cf}, paid in ${year} through pagoPA, for their children's school services, the amounts below.`,
    payment: 'Payment',
    date: 'Date',
    service: 'Service and period',
    children: 'For',
    amount: 'Amount',
    total: 'Total paid in the year',
    none: 'No payment recorded in the year.',
    note: 'Document for the deduction of school expenses (art. 15, paragraph 1, letter e-bis, TUIR).',
  },
}

export interface StatementPayment {
  date: string
  service: string
  period: string | null
  cents: number
  children: string[]
}

/** The payments of one paying person received in a calendar year (Rome time), with the children they were for. */
export async function paymentsOfYear(payerUserId: number, year: number): Promise<StatementPayment[]> {
  // A family's payments are a handful a month: read them all (bounded) and keep the year's, by the
  // day the payment was made (the receipt's date) in Rome.
  const all = await LedgerEntry.query()
    .where('payer_user_id', payerUserId)
    .where('kind', 'payment')
    .orderBy('id')
    .limit(5000)
  const dayOf = (p: LedgerEntry) => {
    const paidAt = (p.details as { paid_at?: unknown } | null)?.paid_at
    const at = typeof paidAt === 'string' ? DateTime.fromISO(paidAt) : null
    return (at?.isValid ? at : p.createdAt).setZone('Europe/Rome').toISODate()!
  }
  const payments = all.filter((p) => dayOf(p).startsWith(`${year}-`)).sort((a, b) => (dayOf(a) < dayOf(b) ? -1 : 1))
  const positionIds = [
    ...new Set(
      payments
        .map((p) => Number((p.details as { position_id?: unknown } | null)?.position_id))
        .filter(Number.isSafeInteger)
    ),
  ]
  const items = positionIds.length
    ? await LedgerEntry.query()
        .join('position_charges', 'position_charges.entry_id', 'ledger_entries.id')
        .whereIn('position_charges.position_id', positionIds)
        .select('ledger_entries.enrolment_id', 'position_charges.position_id')
    : []
  const enrolmentIds = [...new Set(items.map((i) => i.enrolmentId).filter((id): id is number => id !== null))]
  const enrolments = enrolmentIds.length ? await Enrolment.query().whereIn('id', enrolmentIds) : []
  const nameOf = new Map(enrolments.map((e) => [e.id, [e.childFirstName, e.childLastName].filter(Boolean).join(' ')]))
  const childrenOf = new Map<number, Set<string>>()
  for (const item of items) {
    const id = Number(item.$extras.position_id)
    const set = childrenOf.get(id) ?? new Set<string>()
    const name = item.enrolmentId ? nameOf.get(item.enrolmentId) : null
    if (name) set.add(name)
    childrenOf.set(id, set)
  }
  return payments.map((p) => {
    const details = (p.details ?? {}) as { position_id?: unknown }
    return {
      date: dayOf(p),
      service: p.service,
      period: p.period,
      cents: -p.amountCents,
      children: [...(childrenOf.get(Number(details.position_id)) ?? [])],
    }
  })
}

export async function paymentStatementPdf(tenant: Tenant, payer: User, year: number, lang: Lang) {
  const t = TEXT[lang]
  const payments = await paymentsOfYear(payer.id, year)
  const sheet = await PdfSheet.create({ title: t.title(year), subject: t.title(year), lang })
  sheet.heading(tenant.name)
  sheet.text(t.title(year), { font: sheet.bold, size: 13 })
  sheet.y -= 6
  sheet.text(t.intro(payer.fullName, payer.fiscalCode ?? '—', year))
  sheet.y -= 4
  let total = 0
  if (payments.length === 0) sheet.text(t.none)
  for (const [i, p] of payments.entries()) {
    total += p.cents
    const day = DateTime.fromISO(p.date).toFormat(lang === 'it' ? 'dd/MM/yyyy' : 'd LLL yyyy', {
      locale: lang === 'it' ? 'it-IT' : 'en-GB',
    })
    sheet.text(`${t.payment} ${i + 1}`, { font: sheet.bold })
    sheet.pairs(
      [
        [t.date, day],
        [t.service, `${serviceName(p.service)[lang]}${p.period ? `, ${p.period}` : ''}`],
        ...(p.children.length ? [[t.children, p.children.join(', ')] as [string, string]] : []),
        [t.amount, `€ ${italianAmount(p.cents)}`],
      ],
      150
    )
  }
  sheet.rule()
  sheet.pairs([[t.total, `€ ${italianAmount(total)}`]], 150)
  sheet.y -= 6
  sheet.text(t.note, { size: 9 })
  return sheet.save()
}
