import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import PaymentPosition, { OPEN_POSITION_STATUSES } from '#models/payment_position'
import Injunction, { type InjunctionPosition } from '#models/injunction'
import CollectionRecord from '#models/collection_record'
import Tenant from '#models/tenant'
import User from '#models/user'
import { enqueueFollowUp } from '#events/follow_up'
import { writeAudit } from '#services/infrastructure/audit_service'
import { PdfSheet } from '#services/infrastructure/pdf_sheet'
import type { JobDefinition } from '#queue/types'
import { centsToEuro, italianAmount } from '#integrations/pagopa/amounts'
import { formatNoticeNumber } from '#integrations/pagopa/notice_number'
import { protocolService } from '#integrations/protocol'
import type { ChannelName } from '#integrations/notices/notice_channel'
import { noticeChannelFor } from '#integrations/notices/notice_channels'
import { serviceName } from '#services/billing/billing_run'
import { dueText, langOf, positionSubject, sendThroughChannels, type Lang } from '#services/billing/position_job'
import { reconcileTenant } from '#services/billing/reconcile'
import { SPORTELLO_RUOLO_V1, writeRecordFile, type RecordLayout } from '#services/billing/fixed_width'

/**
 * Injunctions and coercive collection (seed 000, arrears b and d; Allegato A, "In caso di mancato
 * pagamento"): after the arrears letter, the office gathers each payer's positions still unpaid
 * `afterDays` after the letter's protocol date into an injunction of payment (ingiunzione), a PDF
 * registered outgoing in the protocol (DOCAREA, flow U) and sent like the letters; the injunctions
 * still unpaid `afterDays` after their own protocol date are then handed to coercive collection in
 * a fixed-width record (fixed_width.ts, docs/collection_record.md) with its CSV.
 *
 * Issuing records the injunction, its positions (each in one injunction at most: a unique key) and
 * the job that protocols and sends it in one transaction; the job's protocol key is the
 * injunction's, so a retry gets the same number. Issuing again issues nothing twice; a record never
 * takes an injunction twice.
 */
export const INJUNCTION_JOB = 'platform.billing-injunction'
const TIME_ZONE = 'Europe/Rome'
/** The days after the letter (and after the injunction) when the office may take the next step, by default. */
export const DEFAULT_AFTER_DAYS = 30
/** The days an injunction gives to pay. */
const PAY_WITHIN_DAYS = 30
/** Candidate positions read at most in one call: the office issues in rounds. */
const MAX_POSITIONS = 5000

export interface InjunctionCandidate {
  payerUserId: number
  payerName: string | null
  payerFiscalCode: string | null
  letterDate: string
  owedCents: number
  positions: InjunctionPosition[]
}

const today = (now?: DateTime) => (now ?? DateTime.now()).setZone(TIME_ZONE)

/**
 * The payers with positions still open whose arrears letter was protocolled at least `afterDays`
 * days before `now`, and which no injunction holds yet; by payer, oldest period first.
 */
export async function injunctionCandidates(
  tenant: Tenant,
  options: { afterDays: number; now?: DateTime; payerIds?: number[] }
): Promise<{ candidates: InjunctionCandidate[]; truncated: boolean }> {
  const cutoff = today(options.now).minus({ days: options.afterDays }).toISODate()!
  const query = db
    .from('payment_positions')
    .join('arrears_letters', 'arrears_letters.position_id', 'payment_positions.id')
    .where('payment_positions.tenant_id', tenant.id)
    .where('arrears_letters.tenant_id', tenant.id)
    .whereIn('payment_positions.status', OPEN_POSITION_STATUSES)
    .whereRaw('payment_positions.amount_cents > payment_positions.paid_cents')
    .where('arrears_letters.protocol_date', '<=', cutoff)
    .whereNotExists((q) =>
      q
        .from('injunction_positions')
        .whereColumn('injunction_positions.position_id', 'payment_positions.id')
        .where('injunction_positions.tenant_id', tenant.id)
    )
    .select(
      'payment_positions.id',
      'payment_positions.payer_user_id',
      'payment_positions.iupd',
      'payment_positions.nav',
      'payment_positions.service',
      'payment_positions.period',
      'payment_positions.amount_cents',
      'payment_positions.paid_cents',
      'arrears_letters.protocol_date'
    )
    .orderBy('payment_positions.payer_user_id')
    .orderBy('payment_positions.period')
    .orderBy('payment_positions.id')
    .limit(MAX_POSITIONS + 1)
  if (options.payerIds) query.whereIn('payment_positions.payer_user_id', options.payerIds)
  const rows = await query
  const truncated = rows.length > MAX_POSITIONS
  const kept = rows.slice(0, MAX_POSITIONS)
  const payers = new Map<number, User>()
  const ids = [...new Set(kept.map((r) => Number(r.payer_user_id)))]
  for (let i = 0; i < ids.length; i += 500) {
    for (const user of await User.query().whereIn('id', ids.slice(i, i + 500))) payers.set(user.id, user)
  }
  const byPayer = new Map<number, InjunctionCandidate>()
  for (const row of kept) {
    const payerUserId = Number(row.payer_user_id)
    let candidate = byPayer.get(payerUserId)
    if (!candidate) {
      const payer = payers.get(payerUserId)
      candidate = {
        payerUserId,
        payerName: payer?.fullName ?? null,
        payerFiscalCode: payer?.fiscalCode ?? null,
        letterDate: row.protocol_date,
        owedCents: 0,
        positions: [],
      }
      byPayer.set(payerUserId, candidate)
    }
    const owed = Number(row.amount_cents) - Number(row.paid_cents)
    candidate.positions.push({
      id: Number(row.id),
      iupd: row.iupd,
      nav: row.nav,
      service: row.service,
      period: row.period,
      owed_cents: owed,
    })
    candidate.owedCents += owed
    if (row.protocol_date < candidate.letterDate) candidate.letterDate = row.protocol_date
  }
  // A payer cut by the limit is left to the next round whole, never issued in part.
  if (truncated && kept.length > 0) byPayer.delete(Number(kept[kept.length - 1].payer_user_id))
  return { candidates: [...byPayer.values()], truncated }
}

function isUniqueViolation(error: unknown) {
  const code = (error as { code?: unknown }).code
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505'
}

async function nextNumber(trx: TransactionClientContract, tenantId: number, year: number) {
  const row = await trx
    .from('injunctions')
    .where('tenant_id', tenantId)
    .where('year', year)
    .max('number as last')
    .first()
  return Number(row?.last ?? 0) + 1
}

/**
 * Issues the injunctions due: receipts first (a position paid after the letter is not demanded),
 * then one injunction per candidate payer, each in its own transaction with its positions and its
 * protocol-and-send job. A payer whose positions another issue took meanwhile is skipped.
 */
export async function issueInjunctions(
  tenant: Tenant,
  options: { afterDays: number; userId: number | null; now?: DateTime; payerIds?: number[] }
) {
  await reconcileTenant(tenant)
  const { candidates, truncated } = await injunctionCandidates(tenant, options)
  const now = today(options.now)
  const issued: Injunction[] = []
  for (const candidate of candidates) {
    try {
      const injunction = await db.transaction(async (trx) => {
        const made = await Injunction.create(
          {
            year: now.year,
            number: await nextNumber(trx, tenant.id, now.year),
            payerUserId: candidate.payerUserId,
            status: 'issuing',
            positions: candidate.positions,
            owedCents: candidate.owedCents,
            dueDate: now.plus({ days: PAY_WITHIN_DAYS }).toISODate()!,
            protocolNumber: null,
            protocolYear: null,
            protocolDate: null,
            protocolLabel: null,
            issuedBy: options.userId,
            collectionRecordId: null,
          },
          { client: trx }
        )
        const stamp = DateTime.now().toFormat(trx.dialect.dateTimeFormat)
        await trx
          .insertQuery()
          .table('injunction_positions')
          .insert(
            candidate.positions.map((p) => ({
              tenant_id: tenant.id,
              injunction_id: made.id,
              position_id: p.id,
              owed_cents: p.owed_cents,
              created_at: stamp,
            }))
          )
        await enqueueFollowUp(
          trx,
          INJUNCTION_JOB,
          { injunctionId: made.id },
          { jobId: `billing-injunction:${tenant.id}:${made.id}`, tenant: tenant.ref }
        )
        return made
      })
      issued.push(injunction)
    } catch (error) {
      if (!isUniqueViolation(error)) throw error
    }
  }
  return { issued, truncated }
}

const TEXT = {
  it: {
    title: 'Ingiunzione di pagamento',
    number: 'Numero',
    protocol: 'Protocollo',
    protocolOf: (label: string, date: string) => `n. ${label} del ${date}`,
    date: 'Data',
    to: 'Debitore',
    fiscalCode: 'Codice fiscale',
    intro:
      'Nonostante il sollecito formale già inviato, risultano ancora non pagati i seguenti avvisi di pagamento pagoPA, per i quali si ingiunge il pagamento:',
    code: 'Codice avviso',
    owed: 'Importo dovuto',
    total: 'Totale ingiunto',
    due: 'Da pagare entro',
    how: 'Si può pagare ciascun avviso con l’app IO, presso banche, uffici postali e punti convenzionati o online con il codice avviso indicato.',
    after:
      'In mancanza di pagamento entro il termine l’ente procederà alla riscossione coattiva delle somme dovute, con l’aggiunta delle spese. Se ha già pagato, non tenga conto di questo atto.',
  },
  en: {
    title: 'Payment injunction',
    number: 'Number',
    protocol: 'Protocol',
    protocolOf: (label: string, date: string) => `no. ${label} of ${date}`,
    date: 'Date',
    to: 'Debtor',
    fiscalCode: 'Fiscal code',
    intro:
      'Despite the formal reminder already sent, the following pagoPA payment notices are still unpaid; payment of them is hereby demanded:',
    code: 'Notice code',
    owed: 'Amount owed',
    total: 'Total demanded',
    due: 'To pay by',
    how: 'Pay each notice with the IO app, at banks, post offices and affiliated shops or online with the notice code shown.',
    after:
      'Without payment by the date above the ente will recover the sums owed by coercive collection, costs added. If you have already paid, please disregard this act.',
  },
}

function subjectOf(p: InjunctionPosition, lang: Lang) {
  return positionSubject({ service: p.service, period: p.period } as PaymentPosition, lang)
}

/** The injunction's PDF, with its protocol registration once it has one. */
export async function injunctionPdf(tenant: Tenant, injunction: Injunction, payer: User | null, lang: Lang) {
  const t = TEXT[lang]
  const sheet = await PdfSheet.create({ title: t.title, subject: `${t.title} ${injunction.label}`, lang })
  sheet.heading(tenant.name)
  sheet.text(t.title, { font: sheet.bold, size: 13 })
  sheet.y -= 6
  const protocol =
    injunction.protocolLabel && injunction.protocolDate
      ? [
          [t.protocol, t.protocolOf(injunction.protocolLabel, dueText(injunction.protocolDate, lang))] as [
            string,
            string,
          ],
        ]
      : []
  sheet.pairs(
    [
      [t.number, injunction.label],
      ...protocol,
      [t.date, dueText(injunction.createdAt.setZone(TIME_ZONE).toISODate()!, lang)],
      [t.to, payer?.fullName ?? '—'],
      [t.fiscalCode, payer?.fiscalCode ?? '—'],
    ],
    150
  )
  sheet.y -= 6
  sheet.text(t.intro)
  for (const p of injunction.positions) {
    sheet.y -= 4
    sheet.text(subjectOf(p, lang), { font: sheet.bold })
    sheet.pairs(
      [
        [t.code, formatNoticeNumber(p.nav)],
        [t.owed, `€ ${italianAmount(p.owed_cents)}`],
      ],
      150
    )
  }
  sheet.rule()
  sheet.pairs(
    [
      [t.total, `€ ${italianAmount(injunction.owedCents)}`],
      [t.due, dueText(injunction.dueDate, lang)],
    ],
    150
  )
  sheet.y -= 6
  sheet.text(t.how)
  sheet.text(t.after)
  return sheet.save()
}

/**
 * Protocols an injunction outgoing and sends it: registered by the injunction's key (a retry gets
 * the same number), the number printed on the copy sent by post (registered mail) where the ente
 * runs the postal batch, else by email.
 */
export async function protocolInjunction(injunctionId: number) {
  const injunction = await Injunction.find(injunctionId)
  if (!injunction || injunction.status !== 'issuing') return
  const tenant = await Tenant.findOrFail(injunction.tenantId)
  const payer = await User.find(injunction.payerUserId)
  const lang = langOf(payer)
  const t = TEXT[lang]
  const [firstName, ...rest] = (payer?.fullName ?? '').trim().split(/\s+/)
  const registration = await protocolService().register({
    idempotencyKey: `injunction:${injunction.id}`,
    direction: 'U',
    subject: `${t.title} ${injunction.label}`,
    correspondent: {
      firstName: firstName || '-',
      lastName: rest.join(' ') || '-',
      fiscalCode: payer?.fiscalCode ?? null,
    },
    document: {
      fileName: `ingiunzione-${injunction.year}-${injunction.number}.pdf`,
      content: await injunctionPdf(tenant, injunction, payer, lang),
      mimeType: 'application/pdf',
    },
  })
  injunction.merge({
    protocolNumber: registration.number,
    protocolYear: registration.year,
    protocolDate: registration.date,
    protocolLabel: registration.label,
  })
  const position = await PaymentPosition.find(injunction.positions[0]?.id ?? 0)
  if (position && payer) {
    const pdf = await injunctionPdf(tenant, injunction, payer, lang)
    const preferred: ChannelName[] = noticeChannelFor(tenant, 'post') ? ['post', 'email'] : ['email']
    await sendThroughChannels(
      tenant,
      position,
      `ingiunzione-${injunction.id}`,
      {
        recipient: { name: payer.fullName, email: payer.email, fiscalCode: payer.fiscalCode },
        subject: `${t.title} ${injunction.label}`,
        text: `${t.intro} € ${italianAmount(injunction.owedCents)}. ${t.protocol} ${t.protocolOf(registration.label, dueText(registration.date, lang))}. ${t.after}`,
        registered: true,
        attachments: [
          {
            filename: `ingiunzione-${injunction.year}-${injunction.number}.pdf`,
            content: pdf,
            contentType: 'application/pdf',
          },
        ],
      },
      preferred
    )
  }
  injunction.status = 'issued'
  await injunction.save()
}

export const billingInjunctionJob: JobDefinition<{ injunctionId: number }> = {
  attempts: 8,
  backoffMs: 5000,
  handle: (payload) => protocolInjunction(payload.injunctionId),
}

export function injunctionView(injunction: Injunction, payer: User | null, lang: Lang) {
  return {
    id: injunction.id,
    number: injunction.label,
    status: injunction.status,
    payer_user_id: injunction.payerUserId,
    payer_name: payer?.fullName ?? null,
    payer_fiscal_code: payer?.fiscalCode ?? null,
    owed_cents: injunction.owedCents,
    owed: centsToEuro(injunction.owedCents),
    due_date: injunction.dueDate,
    protocol: injunction.protocolLabel,
    protocol_date: injunction.protocolDate,
    collection_record_id: injunction.collectionRecordId,
    positions: injunction.positions.map((p) => ({
      id: p.id,
      iupd: p.iupd,
      notice_code: formatNoticeNumber(p.nav),
      period: p.period,
      subject: subjectOf(p, lang),
      owed_cents: p.owed_cents,
      owed: centsToEuro(p.owed_cents),
    })),
    created_at: injunction.createdAt.toISO(),
  }
}

/** The CSV's columns: the detail record's fields, in order (plus the euro amount for people). */
const CSV_COLUMNS = [
  'sequence',
  'debtor_fiscal_code',
  'debtor_name',
  'injunction_number',
  'protocol',
  'protocol_date',
  'service',
  'period_from',
  'period_to',
  'notices',
  'amount_cents',
  'amount_eur',
] as const

function csvCell(value: string | number) {
  const text = String(value)
  return /[;"\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

const compact = (date: string) => date.replaceAll('-', '')

/**
 * Hands to coercive collection the injunctions protocolled at least `afterDays` before `now` and
 * not yet in a record, still unpaid: each for what its positions still ask (receipts first; one
 * paid meanwhile is marked paid and left out). One record, numbered per tenant, holding the file in
 * the layout and its CSV; each injunction taken points to it, in the same transaction.
 */
export async function createCollectionRecord(
  tenant: Tenant,
  options: { afterDays: number; userId: number | null; now?: DateTime; layout?: RecordLayout }
): Promise<CollectionRecord | null> {
  const layout = options.layout ?? SPORTELLO_RUOLO_V1
  await reconcileTenant(tenant)
  const now = today(options.now)
  const cutoff = now.minus({ days: options.afterDays }).toISODate()!
  return db.transaction(async (trx) => {
    const injunctions = await Injunction.query({ client: trx })
      .where('status', 'issued')
      .whereNull('collection_record_id')
      .where('protocol_date', '<=', cutoff)
      .orderBy('year')
      .orderBy('number')
      .limit(MAX_POSITIONS)
    const positionIds = injunctions.flatMap((i) => i.positions.map((p) => p.id))
    const open = new Map<number, number>()
    for (let i = 0; i < positionIds.length; i += 500) {
      const rows = await trx
        .from('payment_positions')
        .where('tenant_id', tenant.id)
        .whereIn('id', positionIds.slice(i, i + 500))
        .whereIn('status', OPEN_POSITION_STATUSES)
        .select('id', 'amount_cents', 'paid_cents')
      for (const r of rows) {
        const owed = Number(r.amount_cents) - Number(r.paid_cents)
        if (owed > 0) open.set(Number(r.id), owed)
      }
    }
    const payerIds = [...new Set(injunctions.map((i) => i.payerUserId))]
    const payers = new Map<number, User>()
    for (let i = 0; i < payerIds.length; i += 500) {
      for (const u of await User.query({ client: trx }).whereIn('id', payerIds.slice(i, i + 500))) payers.set(u.id, u)
    }
    const taken: Array<{ injunction: Injunction; owed: number; unpaid: InjunctionPosition[] }> = []
    for (const injunction of injunctions) {
      const unpaid = injunction.positions.filter((p) => open.has(p.id))
      if (unpaid.length === 0) {
        injunction.status = 'paid'
        await injunction.save()
        continue
      }
      taken.push({ injunction, owed: unpaid.reduce((sum, p) => sum + open.get(p.id)!, 0), unpaid })
    }
    if (taken.length === 0) return null
    const last = await trx.from('collection_records').where('tenant_id', tenant.id).max('number as last').first()
    const number = Number(last?.last ?? 0) + 1
    const details = taken.map(({ injunction, owed, unpaid }, i) => {
      const payer = payers.get(injunction.payerUserId)
      const periods = unpaid.map((p) => p.period).sort()
      const services = [...new Set(unpaid.map((p) => serviceName(p.service).it))]
      return {
        sequence: i + 1,
        debtor_fiscal_code: payer?.fiscalCode ?? '',
        debtor_name: payer?.fullName ?? '',
        injunction_number: injunction.label,
        protocol: injunction.protocolLabel ?? '',
        protocol_date: compact(injunction.protocolDate ?? ''),
        service: services.length === 1 ? services[0] : 'VARI',
        period_from: periods[0].replace('-', ''),
        period_to: periods[periods.length - 1].replace('-', ''),
        notices: unpaid.length,
        amount_cents: owed,
      }
    })
    const total = taken.reduce((sum, x) => sum + x.owed, 0)
    const content = writeRecordFile(
      layout,
      {
        ente_fiscal_code: tenant.fiscalCode ?? '',
        ente_name: tenant.name,
        supply_number: number,
        supply_date: compact(now.toISODate()!),
      },
      details,
      { details: details.length, total_cents: total }
    )
    const csv = [
      CSV_COLUMNS.join(';'),
      ...details.map((d) =>
        CSV_COLUMNS.map((c) => csvCell(c === 'amount_eur' ? centsToEuro(d.amount_cents) : d[c])).join(';')
      ),
    ]
      .map((l) => `${l}\r\n`)
      .join('')
    const record = await CollectionRecord.create(
      {
        number,
        layout: layout.id,
        injunctions: taken.length,
        totalCents: total,
        content,
        csv,
        createdBy: options.userId,
      },
      { client: trx }
    )
    for (const { injunction } of taken) {
      injunction.collectionRecordId = record.id
      await injunction.save()
    }
    await writeAudit(trx, {
      tenantId: tenant.id,
      action: 'create',
      entity: 'collection_records',
      entityId: String(record.id),
      after: { number, layout: layout.id, injunctions: taken.map((x) => x.injunction.label), total_cents: total },
    })
    return record
  })
}
