import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import PaymentPosition, { OPEN_POSITION_STATUSES } from '#models/payment_position'
import Injunction, { type InjunctionPosition } from '#models/injunction'
import CollectionRecord from '#models/collection_record'
import Tenant from '#models/tenant'
import Enrolment from '#models/enrolment'
import Submission from '#models/submission'
import User from '#models/user'
import { enqueueFollowUp } from '#events/follow_up'
import { writeAudit } from '#services/infrastructure/audit_service'
import { PdfSheet } from '#services/infrastructure/pdf_sheet'
import type { JobDefinition } from '#queue/types'
import { centsToEuro, italianAmount } from '#integrations/pagopa/amounts'
import { formatNoticeNumber } from '#integrations/pagopa/notice_number'
import { nextNoticeNumber } from '#integrations/pagopa/notice_sequence'
import { GpdConflictError, GpdError } from '#integrations/pagopa/gpd_client'
import { noticeCreditor, pagopaFor, pagopaSettingsOf } from '#integrations/pagopa/pagopa_service'
import { renderPaymentNotice } from '#integrations/pagopa/payment_notice_pdf'
import { PermanentJobError } from '#queue/types'
import { recordStep } from '#services/billing/position_steps'
import { protocolService } from '#integrations/protocol'
import type { ChannelName, PostalAddress } from '#integrations/notices/notice_channel'
import { noticeChannelFor } from '#integrations/notices/notice_channels'
import { billingSettingsOf, serviceName } from '#services/billing/billing_run'
import {
  dueText,
  gpdPosition,
  langOf,
  positionSubject,
  sendThroughChannels,
  type Lang,
} from '#services/billing/position_job'
import { applyReceipt, reconcileTenant } from '#services/billing/reconcile'
import { SPORTELLO_RUOLO_V1, writeRecordFile, type RecordLayout } from '#services/billing/fixed_width'
import { lockForTenant } from '#services/infrastructure/tenant_lock'

/**
 * Injunctions and coercive collection (seed 000, arrears b and d; Allegato A, "In caso di mancato
 * pagamento"): after the arrears letter, the office gathers each payer's positions still unpaid
 * `afterDays` after the letter's protocol date into an injunction of payment (ingiunzione), a PDF
 * registered outgoing in the protocol (DOCAREA, flow U) and sent like the letters; the injunctions
 * still unpaid `afterDays` after their own protocol date are then handed to coercive collection in
 * a fixed-width record (fixed_width.ts, docs/collection_record.md) with its CSV.
 *
 * The injunction replaces the unpaid positions by ONE new pagoPA position for the total (seed 000,
 * arrears b: "nuova posizione per il totale"). Issuing records, in one transaction, the injunction,
 * its positions (each in one injunction at most: a unique key), the new position (`pending`, its
 * notice number from the tenant's sequence, its iupd and iuv the idempotency keys on GPD) and the
 * job. The job, retried until it succeeds and safe to run again at any point:
 * 1. invalidates each replaced position on GPD (one already invalid is success) and marks it
 *    `cancelled`, its outcome `invalidated`. A position GPD refuses to invalidate because it was
 *    paid meanwhile is NOT invalidated: its receipt is posted to it as any payment, its outcome is
 *    `paid`, and it leaves the injunction, whose total (and its position's amount, not yet on GPD)
 *    is lowered before publishing. When every position was paid so, the injunction is `paid` at
 *    once, its position `cancelled` (its number is used, never reused), and nothing is sent.
 * 2. creates the new position on GPD, published (a retry finds it there: success);
 * 3. protocols the injunction outgoing and sends it with the position's AgID notice; the protocol
 *    key is the injunction's, so a retry gets the same number.
 * The old positions are invalidated before the new one exists, so the debt is never payable twice.
 * A payment of the new position settles the replaced ones (payment_posting.ts). Issuing again
 * issues nothing twice; a record never takes an injunction twice.
 */
export const INJUNCTION_JOB = 'platform.billing-injunction'
const TIME_ZONE = 'Europe/Rome'
/*
 * The days after the letter (and after the injunction) when the office may take the next step, the
 * days an injunction gives to pay and the least amount worth one are the tenant's settings
 * (billing.injunctionAfterDays, recordAfterDays, injunctionPayDays, injunctionMinCents).
 */
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
  // Under the tenant's least amount no injunction: the positions wait, and count for a later one.
  const min = billingSettingsOf(tenant).injunctionMinCents
  return { candidates: [...byPayer.values()].filter((c) => c.owedCents >= min), truncated }
}

function isUniqueViolation(error: unknown) {
  const code = (error as { code?: unknown }).code
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505'
}

async function nextNumber(trx: TransactionClientContract, tenantId: number, year: number) {
  // Until commit: two issues at once (the nightly job and an operator) would read the same greatest.
  await lockForTenant(trx, 'injunction', tenantId)
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
  const pagopa = candidates.length > 0 ? pagopaSettingsOf(tenant) : null
  const issued: Injunction[] = []
  for (const candidate of candidates) {
    try {
      const injunction = await db.transaction(async (trx) => {
        const year = now.year
        const number = await nextNumber(trx, tenant.id, year)
        const dueDate = now.plus({ days: billingSettingsOf(tenant).injunctionPayDays }).toISODate()!
        const services = [...new Set(candidate.positions.map((p) => p.service))]
        const notice = await nextNoticeNumber(trx, tenant.id, pagopa!.segregationCode)
        const position = await PaymentPosition.create(
          {
            runId: null,
            payerUserId: candidate.payerUserId,
            service: services[0],
            period: now.toFormat('yyyy-MM'),
            iupd: `${pagopa!.fiscalCode}-ING-${year}-${number}`.slice(0, 140),
            iuv: notice.iuv,
            nav: notice.nav,
            amountCents: candidate.owedCents,
            paidCents: 0,
            dueDate,
            status: 'pending',
            noticeChannel: null,
            paidAt: null,
            psp: null,
          },
          { client: trx }
        )
        const made = await Injunction.create(
          {
            year,
            number,
            payerUserId: candidate.payerUserId,
            status: 'issuing',
            positions: candidate.positions,
            owedCents: candidate.owedCents,
            dueDate,
            positionId: position.id,
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
    replaced:
      'Gli avvisi elencati sono stati annullati su pagoPA e sostituiti da un unico avviso per il totale ingiunto:',
    totalCode: 'Codice avviso pagoPA del totale',
    howOne:
      'Si può pagare il totale con l’app IO, presso banche, uffici postali e punti convenzionati o online con il codice avviso qui sopra o con l’avviso pagoPA allegato.',
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
    replaced: 'The notices listed have been cancelled on pagoPA and replaced by one notice for the total demanded:',
    totalCode: 'pagoPA notice code of the total',
    howOne:
      'Pay the total with the IO app, at banks, post offices and affiliated shops or online with the notice code above or the attached pagoPA notice.',
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
  const position = injunction.positionId ? await PaymentPosition.find(injunction.positionId) : null
  if (position) {
    sheet.text(t.replaced)
    sheet.y -= 4
  }
  sheet.pairs(
    [
      [t.total, `€ ${italianAmount(injunction.owedCents)}`],
      ...(position ? [[t.totalCode, formatNoticeNumber(position.nav)] as [string, string]] : []),
      [t.due, dueText(injunction.dueDate, lang)],
    ],
    150
  )
  sheet.y -= 6
  sheet.text(position ? t.howOne : t.how)
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
  const own = injunction.positionId ? await PaymentPosition.find(injunction.positionId) : null
  if (position && payer) {
    const pdf = await injunctionPdf(tenant, injunction, payer, lang)
    // The AgID notice of the one position that now asks for the total.
    const notice = own
      ? await renderPaymentNotice({
          lang,
          subject: `${t.title} ${injunction.label}`,
          creditor: noticeCreditor(tenant),
          debtor: { fiscalCode: payer.fiscalCode ?? '', fullName: payer.fullName.slice(0, 70) },
          single: { nav: own.nav, amountCents: own.amountCents, dueDate: own.dueDate },
        })
      : null
    const preferred: ChannelName[] = noticeChannelFor(tenant, 'post') ? ['post', 'email'] : ['email']
    const sent = await sendThroughChannels(
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
          ...(own && notice
            ? [{ filename: `avviso-${own.nav}.pdf`, content: notice, contentType: 'application/pdf' }]
            : []),
        ],
      },
      preferred
    )
    if (own) {
      await db.transaction((trx) =>
        recordStep(trx, tenant.id, own.id, 'notified', { channel: sent.channel, status: sent.status })
      )
    }
  }
  // Paid while it was being sent (payment_posting.ts): it stays paid.
  const now = await Injunction.query().where('id', injunction.id).select('status').first()
  injunction.status = now?.status === 'paid' ? 'paid' : 'issued'
  await injunction.save()
}

type ReplacedOutcome = 'invalidated' | 'paid'

/**
 * Step 1 and 2 of the injunction's job (see the top of this file): the replaced positions off GPD,
 * the injunction's position on it. Each outcome is recorded as it is known, so a run after a crash
 * asks GPD only what is missing (and GPD answers what it already did as success). Answers whether
 * the injunction still has to be protocolled and sent.
 */
export async function replaceOnPagopa(injunctionId: number): Promise<boolean> {
  const injunction = await Injunction.find(injunctionId)
  if (!injunction || injunction.status !== 'issuing') return false
  // Issued before injunctions had a position of their own: nothing to replace.
  if (injunction.positionId === null) return true
  const position = await PaymentPosition.findOrFail(injunction.positionId)
  if (position.status !== 'pending') return position.status !== 'cancelled'
  const tenant = await Tenant.findOrFail(injunction.tenantId)
  const { settings, gateway } = pagopaFor(tenant)
  const rows = await db
    .from('injunction_positions')
    .where('tenant_id', tenant.id)
    .where('injunction_id', injunction.id)
    .orderBy('id')
  for (const row of rows) {
    if (row.outcome) continue
    const old = await PaymentPosition.findOrFail(Number(row.position_id))
    let outcome: ReplacedOutcome = 'invalidated'
    if (old.status === 'paid') outcome = 'paid'
    else {
      try {
        await gateway.invalidatePosition(old.iupd)
      } catch (error) {
        if (error instanceof GpdConflictError) {
          // GPD holds it paid (or being paid): it is not invalidated; its receipt is posted to it.
          const receipt = await gateway.getReceipt(old.iuv)
          if (!receipt) throw new Error(`Position ${old.iupd} cannot be invalidated and has no receipt yet`)
          await applyReceipt(old, receipt)
          outcome = 'paid'
        } else if (!(error instanceof GpdError && error.status === 404)) {
          throw error
        }
        // 404: GPD does not hold it, so nobody can pay it: as good as invalidated.
      }
    }
    await db.transaction(async (trx) => {
      await trx.from('injunction_positions').where('id', row.id).update({ outcome })
      if (outcome !== 'invalidated') return
      await old.refresh()
      old.useTransaction(trx)
      old.status = 'cancelled'
      await old.save()
      await recordStep(trx, tenant.id, old.id, 'cancelled', { injunction_id: Number(injunction.id) })
    })
  }
  const outcomes = new Map<number, string>(
    (
      await db
        .from('injunction_positions')
        .where('tenant_id', tenant.id)
        .where('injunction_id', injunction.id)
        .select('position_id', 'outcome')
    ).map((r) => [Number(r.position_id), r.outcome])
  )
  const kept = injunction.positions.filter((p) => outcomes.get(p.id) === 'invalidated')
  const total = kept.reduce((sum, p) => sum + p.owed_cents, 0)
  const still = await db.transaction(async (trx) => {
    injunction.useTransaction(trx)
    position.useTransaction(trx)
    if (total === 0) {
      position.status = 'cancelled'
      await position.save()
      await recordStep(trx, tenant.id, position.id, 'cancelled', {
        injunction_id: Number(injunction.id),
        reason: 'paid',
      })
      injunction.status = 'paid'
      injunction.owedCents = 0
      await injunction.save()
      return false
    }
    if (total !== injunction.owedCents || kept.length !== injunction.positions.length) {
      injunction.positions = kept
      injunction.owedCents = total
      await injunction.save()
      position.amountCents = total
      await position.save()
    }
    return true
  })
  if (!still) return false
  const payer = await User.findOrFail(position.payerUserId)
  if (!payer.fiscalCode) throw new PermanentJobError(`Position ${position.iupd}: the payer has no codice fiscale`)
  const body = gpdPosition(
    tenant,
    position,
    payer,
    settings.iban,
    billingSettingsOf(tenant).taxonomy,
    `${TEXT.it.title} ${injunction.label}`
  )
  let gpdStatus: string
  try {
    gpdStatus = (await gateway.createPosition(body, { toPublish: true })).position.status
  } catch (error) {
    // Another position under our IUPD or IUV: a person must look (nothing is paid twice meanwhile).
    if (error instanceof GpdConflictError) throw new PermanentJobError(error.message)
    throw error
  }
  await db.transaction(async (trx) => {
    const updated = await PaymentPosition.query({ client: trx })
      .where('id', position.id)
      .where('status', 'pending')
      .update({ status: 'published', updated_at: DateTime.now().toFormat(trx.dialect.dateTimeFormat) })
    const affected = Array.isArray(updated) ? Number(updated[0]) : Number(updated)
    if (affected === 1) await recordStep(trx, tenant.id, position.id, 'published', { gpd_status: gpdStatus })
  })
  return true
}

export const billingInjunctionJob: JobDefinition<{ injunctionId: number }> = {
  attempts: 8,
  backoffMs: 5000,
  async handle(payload) {
    if (await replaceOnPagopa(payload.injunctionId)) await protocolInjunction(payload.injunctionId)
  },
}

export function injunctionView(
  injunction: Injunction,
  payer: User | null,
  lang: Lang,
  own: PaymentPosition | null = null
) {
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
    position: own
      ? {
          id: own.id,
          iupd: own.iupd,
          notice_code: formatNoticeNumber(own.nav),
          status: own.status,
          amount_cents: own.amountCents,
          paid_cents: own.paidCents,
          due_date: own.dueDate,
        }
      : null,
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
  'debtor_address',
  'debtor_postal_code',
  'debtor_municipality',
  'debtor_province',
  'amount_eur',
] as const

function csvCell(value: string | number) {
  const text = String(value)
  return /[;"\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

const compact = (date: string) => date.replaceAll('-', '')

interface DebtorAddress {
  address: string
  postal_code: string
  municipality: string
  province: string
}

const NO_ADDRESS: DebtorAddress = { address: '', postal_code: '', municipality: '', province: '' }
const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '')

/**
 * The debtor's address for the coercive-collection record: the residence the paying parent gave in
 * the application behind the injunction's charges (`payer.residence` of the submission, encrypted at
 * rest and read here only for the record), the most recent enrolment first; else the postal address
 * chosen for paper notices (`notice_address` of the enrolment); else empty.
 */
async function debtorAddress(
  trx: TransactionClientContract,
  tenantId: number,
  payerUserId: number,
  positionIds: number[]
): Promise<DebtorAddress> {
  const rows = await trx
    .from('position_charges')
    .join('ledger_entries', 'ledger_entries.id', 'position_charges.entry_id')
    .where('position_charges.tenant_id', tenantId)
    .whereIn('position_charges.position_id', positionIds.slice(0, 500))
    .whereNotNull('ledger_entries.enrolment_id')
    .orderBy('ledger_entries.id', 'desc')
    .select('ledger_entries.enrolment_id')
    .limit(20)
  const enrolmentIds = [...new Set(rows.map((r) => Number(r.enrolment_id)))]
  const enrolments = enrolmentIds.length
    ? await Enrolment.query({ client: trx }).whereIn('id', enrolmentIds).where('applicant_user_id', payerUserId)
    : []
  enrolments.sort((a, b) => enrolmentIds.indexOf(a.id) - enrolmentIds.indexOf(b.id))
  for (const enrolment of enrolments) {
    const submission = await Submission.query({ client: trx }).where('id', enrolment.submissionId).first()
    const payer = submission?.data?.payer as Record<string, unknown> | undefined
    const residence = payer?.residence as Record<string, unknown> | undefined
    if (residence && text(residence.street)) {
      return {
        address: `${text(residence.street)} ${text(residence.house_number)}`.trim(),
        postal_code: text(residence.postal_code),
        municipality: text(residence.municipality),
        province: text(residence.province),
      }
    }
  }
  for (const enrolment of enrolments) {
    const postal = enrolment.details?.notice_address as PostalAddress | undefined
    if (postal && Array.isArray(postal.lines) && postal.lines.length > 0) {
      return {
        address: postal.lines.map(text).join(' ').trim(),
        postal_code: text(postal.postalCode),
        municipality: text(postal.city),
        province: text(postal.province),
      }
    }
  }
  return NO_ADDRESS
}

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
    // Two records started at once would take the same injunctions and the same number: the second
    // waits here for the first, then finds only what the first left.
    await lockForTenant(trx, 'collectionRecord', tenant.id)
    const injunctions = await Injunction.query({ client: trx })
      .where('status', 'issued')
      .whereNull('collection_record_id')
      .where('protocol_date', '<=', cutoff)
      .orderBy('year')
      .orderBy('number')
      .limit(MAX_POSITIONS)
    const positionIds = injunctions.flatMap((i) => (i.positionId ? [i.positionId] : i.positions.map((p) => p.id)))
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
      // An injunction with its own position owes what that position still asks; the positions it
      // replaced are listed for the months and notices. One issued before that owes its positions.
      const own = injunction.positionId
      const unpaid = own
        ? open.has(own)
          ? injunction.positions
          : []
        : injunction.positions.filter((p) => open.has(p.id))
      if (unpaid.length === 0) {
        injunction.useTransaction(trx)
        injunction.status = 'paid'
        await injunction.save()
        continue
      }
      const owed = own ? open.get(own)! : unpaid.reduce((sum, p) => sum + open.get(p.id)!, 0)
      taken.push({ injunction, owed, unpaid })
    }
    if (taken.length === 0) return null
    const last = await trx.from('collection_records').where('tenant_id', tenant.id).max('number as last').first()
    const number = Number(last?.last ?? 0) + 1
    const addresses = new Map<number, DebtorAddress>()
    for (const { injunction, unpaid } of taken) {
      const ids = unpaid.map((p) => p.id)
      addresses.set(injunction.id, await debtorAddress(trx, tenant.id, injunction.payerUserId, ids))
    }
    const details = taken.map(({ injunction, owed, unpaid }, i) => {
      const payer = payers.get(injunction.payerUserId)
      const where = addresses.get(injunction.id) ?? NO_ADDRESS
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
        debtor_address: where.address,
        debtor_postal_code: where.postal_code,
        debtor_municipality: where.municipality,
        debtor_province: where.province,
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
