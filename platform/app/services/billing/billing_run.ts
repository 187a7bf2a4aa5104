import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import BillingRun, { type BillingRunNote } from '#models/billing_run'
import Tenant from '#models/tenant'
import TenantPlugin from '#models/tenant_plugin'
import { enqueueFollowUp, enqueueFollowUps } from '#events/follow_up'
import { pluginContext } from '#plugins/plugin_context'
import { pluginRegistry } from '#plugins/registry'
import { nextNoticeNumbers } from '#integrations/pagopa/notice_sequence'
import { pagopaSettingsOf } from '#integrations/pagopa/pagopa_service'
import { RequestContext, type TenantRef } from '#services/infrastructure/request_context'
import { SettingsError } from '#services/tenants/settings_error'
import { lineAmount } from '#services/billing/charge_amount'
import { checkEntry, LedgerError, PERIOD, postEntries, type NewLedgerEntry } from '#services/billing/ledger_service'
import { writeAudits } from '#services/infrastructure/audit_service'
import { billBatchOnPostgres } from '#services/billing/billing_batch_pg'
import { POSITION_BATCH_ACTION, positionBatchEntityId, type PositionBatchAudit } from '#services/billing/billing_audit'
import { phaseClock } from '#services/billing/billing_phases'
import { eachAtMost } from '#services/infrastructure/each_at_most'
import { subscriptionsTo } from '#events/domain_events'
import { billingModeOf, parseBillingSettings, type BillingSettings } from '#services/billing/billing_settings'
import type { JobDefinition } from '#queue/types'
import type { BillingLine, LocalizedText } from '#sdk/types'

/**
 * The monthly post-paid billing run of one service for one period (DESIGN.md, Money):
 *
 * 1. `startRun` writes the run (unique per tenant, service and period) and, in the same
 *    transaction, its collect job.
 * 2. The collect job asks the service's plugin for the charges of the period (`billing.charges`
 *    in its manifest), groups them by paying person (who enrolled the child) and, per payer, in ONE
 *    transaction: posts the charges to the ledger (idempotent keys), takes the next notice number,
 *    writes the position with the charges it asks for, and enqueues the job of its positions (one
 *    job for each `billingBatch.positionsPerJob` positions).
 * 3. The position job creates the debt position on GPD (a position GPD already holds is success),
 *    records it published, renders the AgID notice and sends it through the payer's channel (the
 *    notice service sends each key once), and records it notified.
 *
 * Whatever stops where, running again ends with one charge per line, one position per payer and
 * one notice per position: a payer whose position exists is skipped, and every job is keyed by what
 * it follows. Repeating a collected run (an operator, after fixing a missing fee) adds only what is
 * missing. Progress is counted from the positions and their steps (`runView`).
 */
export const BILLING_COLLECT_JOB = 'platform.billing-collect'
export const BILLING_POSITION_JOB = 'platform.billing-position'
/** The monthly run's follow-up: one job for a chunk of its positions (position_job.ts, billingPositionsJob). */
export const BILLING_POSITIONS_JOB = 'platform.billing-positions'
export const BILLING_MONTHLY_JOB = 'platform.billing-monthly'
/** Every hour of the 1st of the month: each tenant's run starts at its own `runHour`. */
export const BILLING_MONTHLY_CRON = '0 * 1 * *'
const TIME_ZONE = 'Europe/Rome'

export class BillingRequestError extends Error {
  readonly status = 422
  constructor(
    readonly path: string,
    readonly rule: string,
    readonly messages: LocalizedText
  ) {
    super(messages.en)
    this.name = 'BillingRequestError'
  }
}

export function billingSettingsOf(tenant: Tenant): BillingSettings {
  return parseBillingSettings(tenant.settings?.billing)
}

export function serviceName(service: string): LocalizedText {
  return pluginRegistry().get(service)?.manifest.name ?? { it: service, en: service }
}

/** Checks that the service can be billed for the period in this tenant; answers the 422 to give otherwise. */
export async function checkBillable(tenant: Tenant, service: string, period: string) {
  if (typeof period !== 'string' || !PERIOD.test(period)) {
    throw new BillingRequestError('/period', 'format', {
      it: 'Il periodo deve essere un mese nella forma AAAA-MM, per esempio 2026-11.',
      en: 'The period must be a month written YYYY-MM, for example 2026-11.',
    })
  }
  const thisMonth = DateTime.now().setZone(TIME_ZONE).toFormat('yyyy-MM')
  if (period > thisMonth) {
    throw new BillingRequestError('/period', 'future', {
      it: 'Non si fattura un mese che non è ancora iniziato.',
      en: 'A month that has not begun cannot be billed.',
    })
  }
  const plugin = typeof service === 'string' ? pluginRegistry().get(service) : undefined
  const enabled = plugin ? await TenantPlugin.query().where('plugin_id', service).where('enabled', true).first() : null
  if (!plugin || !enabled || !plugin.manifest.billing) {
    throw new BillingRequestError('/service', 'billing', {
      it: 'Questo servizio non è attivo per l’ente o non prevede la fatturazione mensile.',
      en: 'This service is not enabled for the ente or has no monthly billing.',
    })
  }
  if (billingModeOf(billingSettingsOf(tenant), service) === 'prepaid') {
    throw new BillingRequestError('/service', 'prepaid', {
      it: 'Questo servizio è prepagato: i consumi si scalano ogni giorno dal conto della famiglia, non si fatturano a fine mese.',
      en: 'This service is pre-paid: consumption is debited daily from the family account, not billed at the end of the month.',
    })
  }
  try {
    pagopaSettingsOf(tenant)
  } catch (error) {
    if (error instanceof SettingsError) {
      throw new BillingRequestError('/service', 'pagopa', {
        it: `Prima di fatturare configura pagoPA: ${error.messages.it}.`,
        en: `Configure pagoPA before billing: ${error.messages.en}.`,
      })
    }
    throw error
  }
}

/**
 * How long a collecting run may show no sign of life (its row unchanged, no new position) before it
 * counts as abandoned: its collect job died for good (a worker killed more often than the queue
 * retries it), and the run would otherwise stay "collecting" with nobody able to start it again.
 * A batch of payers writes its positions in seconds, so a live run is never this quiet.
 */
export const COLLECT_SILENCE_MS = 15 * 60_000

async function abandoned(run: BillingRun, trx: TransactionClientContract, now: DateTime): Promise<boolean> {
  const newest = await trx
    .from('payment_positions')
    .where('tenant_id', run.tenantId)
    .where('run_id', run.id)
    .max('created_at as at')
    .first()
  const stamps = [run.updatedAt ?? run.createdAt, newest?.at ? toDateTime(newest.at) : null]
  const known = stamps.map((at) => at?.toMillis()).filter((ms): ms is number => Number.isFinite(ms))
  // Without a stamp to go by, the run is taken as alive: answering it as it is loses nothing.
  return known.length > 0 && now.toMillis() - Math.max(...known) > COLLECT_SILENCE_MS
}

function toDateTime(value: unknown): DateTime | null {
  if (value instanceof Date) return DateTime.fromJSDate(value)
  if (typeof value === 'number') return DateTime.fromMillis(value)
  if (typeof value !== 'string') return null
  const iso = DateTime.fromISO(value, { zone: 'utc' })
  return iso.isValid ? iso : DateTime.fromSQL(value, { zone: 'utc' })
}

/**
 * Starts (or repeats) the run of a service for a period: the run and its collect job are written
 * together. A run already collecting is answered as it is, unless it is abandoned (silent for
 * COLLECT_SILENCE_MS): then its collection starts again, and skips what the dead attempt billed.
 * A collected or failed run collects again.
 */
export async function startRun(
  tenant: Tenant,
  input: { service: string; period: string; userId: number | null }
): Promise<{ run: BillingRun; started: boolean }> {
  await checkBillable(tenant, input.service, input.period)
  const settings = billingSettingsOf(tenant)
  return db.transaction(async (trx) => {
    const query = BillingRun.query({ client: trx }).where('service', input.service).where('period', input.period)
    // SQLite's writer lock already serialises this transaction; PostgreSQL needs the row's lock.
    if (trx.dialect.name === 'postgres') query.forUpdate()
    let run = await query.first()
    if (run?.status === 'collecting' && !(await abandoned(run, trx, DateTime.now()))) return { run, started: false }
    if (!run) {
      run = await BillingRun.create(
        {
          service: input.service,
          period: input.period,
          status: 'collecting',
          payers: null,
          charges: 0,
          totalCents: 0,
          dueDate: DateTime.now().setZone(TIME_ZONE).plus({ days: settings.dueDays }).toISODate()!,
          notes: null,
          error: null,
          startedByUserId: input.userId,
        },
        { client: trx }
      )
    } else {
      run.useTransaction(trx)
      run.status = 'collecting'
      run.error = null
      // A new stamp even when nothing else changes (an abandoned run): it keys the new collect job.
      run.updatedAt = DateTime.now()
      await run.save()
    }
    await enqueueFollowUp(
      trx,
      BILLING_COLLECT_JOB,
      { runId: run.id },
      { jobId: `billing-collect:${tenant.id}:${run.id}:${run.updatedAt?.toMillis() ?? 0}`, tenant: tenant.ref }
    )
    return { run, started: true }
  })
}

/**
 * A fault the tests inject at the last moment of a batch's transaction (after its positions and
 * their jobs are written, before the commit), once per payer of the batch, to stop a run midway as
 * a crash would. Never set elsewhere.
 */
export const billingFaults: { beforePayerCommit?: (payerUserId: number) => void } = {}

/**
 * How many payers one transaction bills: their charges, numbers, positions and jobs are written by
 * multi-row statements and committed together (a crash loses the batch whole, never part of a payer).
 */
export const billingBatch = {
  payersPerTransaction: 500,
  setBasedPayersPerTransaction: 5000,
  positionsPerJob: 100,
  /**
   * How many batch transactions run at once on PostgreSQL (each on its own connection, so the
   * server's cores share the work). They bill disjoint payers; the notice sequence's row lock (see
   * notice_sequence.ts) still numbers their positions one transaction at a time, so while one holds
   * it the next writes its charges. SQLite has one writer: its batches always run one by one.
   */
  concurrentTransactions: 2,
}

/**
 * The jobs that publish and notify a batch's positions: one per `positionsPerJob` positions (a job row
 * per position was 80,000 rows a month in a large comune), keyed by the IUV of its first position
 * (unique for ever), so writing them again adds nothing. Each position's steps are recorded, so a
 * job run again does only what is missing.
 */
export function positionJobs(positions: Array<{ id: number; iuv: string }>, tenantId: number) {
  const jobs: Array<{ payload: { positionIds: number[] }; jobId: string }> = []
  for (let i = 0; i < positions.length; i += billingBatch.positionsPerJob) {
    const chunk = positions.slice(i, i + billingBatch.positionsPerJob)
    jobs.push({
      payload: { positionIds: chunk.map((p) => p.id) },
      jobId: `billing-positions:${tenantId}:${chunk[0].iuv}`,
    })
  }
  return jobs
}

interface PayerLines {
  payerUserId: number
  lines: Array<BillingLine & { enrolmentId: number }>
}

const MAX_LINES = 200_000

/**
 * The collect job: the plugin's charges, grouped by payer; payers are billed in batches, each
 * batch's charges, positions and position jobs in one transaction, by set-based statements.
 */
export async function collectRun(runId: number) {
  const run = await BillingRun.find(runId)
  if (!run || run.status !== 'collecting') return
  const tenant = await Tenant.findOrFail(run.tenantId)
  const settings = billingSettingsOf(tenant)
  const pagopa = pagopaSettingsOf(tenant)
  const plugin = pluginRegistry().getOrFail(run.service)
  const ctx = await pluginContext(run.service, { tenant: tenant.ref })
  const clock = phaseClock()
  const result = await plugin.manifest.billing!.charges(run.period, ctx)
  clock.mark('charges from the plugin')
  const notes: BillingRunNote[] = (result.notes ?? []).slice(0, 1000).map((n) => ({ ...n }))
  if (!Array.isArray(result.lines) || result.lines.length > MAX_LINES) {
    throw new Error(`Plugin ${run.service}: billing.charges must answer at most ${MAX_LINES} lines`)
  }

  // The paying parent of each enrolment the lines name, of this service only (a line naming another
  // is left out), and whether that parent has a codice fiscale: one joined read, in one statement on
  // PostgreSQL (the ids as one array parameter), in chunks of bound parameters on SQLite.
  const ids = [...new Set(result.lines.map((l) => l.enrolmentId))].filter((id) => Number.isSafeInteger(id))
  const payerOf = new Map<number, number>()
  const withCode = new Set<number>()
  const onPostgres = db.connection().dialect.name === 'postgres'
  const chunk = onPostgres ? MAX_LINES : 1000
  for (let i = 0; i < ids.length; i += chunk) {
    const slice = ids.slice(i, i + chunk)
    const query = db
      .from('enrolments')
      .join('users', 'users.id', 'enrolments.applicant_user_id')
      .where('enrolments.tenant_id', tenant.id)
      .where('enrolments.service', run.service)
      .select('enrolments.id', 'enrolments.applicant_user_id', db.raw('users.fiscal_code IS NOT NULL AS has_code'))
    if (onPostgres) query.whereRaw('enrolments.id = ANY(?::int[])', [slice])
    else query.whereIn('enrolments.id', slice)
    for (const row of await query) {
      payerOf.set(Number(row.id), Number(row.applicant_user_id))
      if (row.has_code === true || Number(row.has_code) === 1) withCode.add(Number(row.applicant_user_id))
    }
  }
  const byPayer = new Map<number, PayerLines>()
  for (const line of result.lines) {
    const payerUserId = payerOf.get(line.enrolmentId)
    if (payerUserId === undefined) {
      notes.push({
        enrolmentId: line.enrolmentId,
        message: { it: 'Iscrizione inesistente per questo servizio', en: 'No such enrolment in this service' },
      })
      continue
    }
    const group = byPayer.get(payerUserId) ?? { payerUserId, lines: [] }
    group.lines.push(line)
    byPayer.set(payerUserId, group)
  }

  // Payers billed by an earlier attempt are skipped; those without a codice fiscale get a note.
  const done = new Set(
    (
      await db.from('payment_positions').where('tenant_id', tenant.id).where('run_id', run.id).select('payer_user_id')
    ).map((r) => Number(r.payer_user_id))
  )
  const waiting = [...byPayer.keys()].filter((id) => !done.has(id)).sort((a, b) => a - b)
  const name = serviceName(run.service)
  // A chunk of payers' charges, checked: a payer without a codice fiscale, or with a line the plugin
  // gave wrong (the plugin's to fix), is left out with a note; the others are billed.
  const billableOf = (payers: number[]): PayerBill[] => {
    const billable: PayerBill[] = []
    for (const payerUserId of payers) {
      if (!withCode.has(payerUserId)) {
        notes.push({
          payerUserId,
          message: {
            it: 'Il genitore pagante non ha un codice fiscale: nessun avviso creato (ripetere la fatturazione dopo averlo registrato)',
            en: 'The paying parent has no codice fiscale: no notice created (repeat the run once it is recorded)',
          },
        })
        continue
      }
      try {
        const entries = byPayer.get(payerUserId)!.lines.map((line) => chargeOf(run, payerUserId, line))
        billable.push({ payerUserId, entries })
      } catch (error) {
        if (!(error instanceof LedgerError)) throw error
        notes.push({
          payerUserId,
          message: { it: `Addebito non valido: ${error.message}`, en: `Invalid charge: ${error.message}` },
        })
      }
    }
    return billable
  }
  // On PostgreSQL the batch is written by set-based statements inside the server (see
  // billing_batch_pg.ts), unless a plugin listens to charge.created: the portable path emits it.
  clock.mark('payers read')
  const setBased = db.connection().dialect.name === 'postgres' && subscriptionsTo('charge.created').length === 0
  const size = setBased ? billingBatch.setBasedPayersPerTransaction : billingBatch.payersPerTransaction
  const chunks: number[][] = []
  for (let i = 0; i < waiting.length; i += size) chunks.push(waiting.slice(i, i + size))
  // Set-based batches run side by side, each timed by its own clock (their phases overlap); a batch's
  // lines are checked while the other's statements run.
  await eachAtMost(chunks, setBased ? billingBatch.concurrentTransactions : 1, async (payersOfBatch) => {
    const batchClock = setBased ? phaseClock() : clock
    const batch = billableOf(payersOfBatch)
    batchClock.mark('lines checked')
    if (batch.length === 0) return
    await db.transaction(async (trx) => {
      if (!setBased) return billPayers(trx, { run, tenant, batch, pagopa, settings, name, notes })
      const written = await billBatchOnPostgres(trx, { run, tenant, payers: batch, pagopa, notes, clock: batchClock })
      await enqueueFollowUps(trx, BILLING_POSITIONS_JOB, positionJobs(written, tenant.id), { tenant: tenant.ref })
      batchClock.mark('position jobs')
      for (const payer of batch) billingFaults.beforePayerCommit?.(payer.payerUserId)
    })
    batchClock.mark(setBased ? 'commits' : 'batches')
  })
  if (setBased) clock.mark('batches, wall time')

  const totals = await db
    .from('payment_positions')
    .where('tenant_id', tenant.id)
    .where('run_id', run.id)
    .count('* as payers')
    .sum('amount_cents as total')
    .first()
  const charges = await db
    .from('position_charges')
    .join('payment_positions', 'payment_positions.id', 'position_charges.position_id')
    .where('payment_positions.tenant_id', tenant.id)
    .where('payment_positions.run_id', run.id)
    .count('* as charges')
    .first()
  run.status = 'collected'
  run.payers = Number(totals?.payers ?? 0)
  run.totalCents = Number(totals?.total ?? 0)
  run.charges = Number(charges?.charges ?? 0)
  run.notes = notes.length > 0 ? notes : null
  await run.save()
  clock.mark('totals')
}

interface PayerBill {
  payerUserId: number
  entries: NewLedgerEntry[]
}

function chargeOf(run: BillingRun, payerUserId: number, line: BillingLine): NewLedgerEntry {
  const amount = lineAmount(line)
  const entry: NewLedgerEntry = {
    key: `billing:${run.service}:${run.period}:${line.enrolmentId}:${String(line.key).slice(0, 60)}`,
    kind: 'charge',
    payerUserId,
    enrolmentId: line.enrolmentId,
    service: run.service,
    period: run.period,
    ...amount,
    description: line.description,
    details: { run: run.id, ...(line.details ?? {}) },
  }
  checkEntry(entry)
  return entry
}

async function billPayers(
  trx: TransactionClientContract,
  input: {
    run: BillingRun
    tenant: Tenant
    batch: PayerBill[]
    pagopa: ReturnType<typeof pagopaSettingsOf>
    settings: BillingSettings
    name: LocalizedText
    notes: BillingRunNote[]
  }
) {
  const { run, tenant, batch } = input
  await postEntries(
    trx,
    batch.flatMap((payer) => payer.entries),
    { runId: run.id, startedByUserId: run.startedByUserId, service: run.service, period: run.period }
  )
  // Every charge of these payers for this service and period not yet asked for by a position:
  // the lines above, and those the plugin posted itself through ctx.ledger.postCharge.
  const unbilled = new Map<number, Array<{ id: number; cents: number }>>()
  const payerIds = batch.map((p) => p.payerUserId)
  for (let i = 0; i < payerIds.length; i += 500) {
    const rows = await trx
      .from('ledger_entries as e')
      .leftJoin('payment_position_items as i', 'i.entry_id', 'e.id')
      .where('e.tenant_id', tenant.id)
      .whereIn('e.payer_user_id', payerIds.slice(i, i + 500))
      .where('e.service', run.service)
      .where('e.period', run.period)
      .where('e.kind', 'charge')
      .whereNull('e.position_id')
      .whereNull('i.id')
      .orderBy('e.id')
      .select('e.id', 'e.payer_user_id', 'e.amount_cents')
    for (const row of rows) {
      const list = unbilled.get(Number(row.payer_user_id)) ?? []
      list.push({ id: Number(row.id), cents: Number(row.amount_cents) })
      unbilled.set(Number(row.payer_user_id), list)
    }
  }
  const owing: Array<{ payerUserId: number; entries: Array<{ id: number; cents: number }>; total: number }> = []
  for (const payerUserId of payerIds) {
    const entries = unbilled.get(payerUserId) ?? []
    const total = entries.reduce((sum, e) => sum + e.cents, 0)
    if (total <= 0) {
      input.notes.push({
        payerUserId,
        message: { it: 'Nulla da pagare nel periodo', en: 'Nothing to pay in the period' },
      })
      continue
    }
    owing.push({ payerUserId, entries, total })
  }
  if (owing.length === 0) return
  const numbers = await nextNoticeNumbers(trx, tenant.id, input.pagopa.segregationCode, owing.length)
  const now = DateTime.now().toFormat(trx.dialect.dateTimeFormat)
  const positionIds = new Map<string, number>()
  for (let i = 0; i < owing.length; i += 300) {
    const values = owing.slice(i, i + 300).map((payer, j) => {
      const number = numbers[i + j]
      return {
        tenant_id: tenant.id,
        run_id: run.id,
        payer_user_id: payer.payerUserId,
        service: run.service,
        period: run.period,
        // The IUV is unique per ente for ever, so the IUPD built on it is too.
        iupd: `${input.pagopa.fiscalCode}-${run.service}-${number.iuv}`.slice(0, 140),
        iuv: number.iuv,
        nav: number.nav,
        amount_cents: payer.total,
        paid_cents: 0,
        due_date: run.dueDate,
        status: 'pending',
        notice_channel: null,
        paid_at: null,
        psp: null,
        created_at: now,
        updated_at: now,
      }
    })
    // Ids read back by IUV: RETURNING of a multi-row insert is not portable to SQLite through knex.
    await trx.insertQuery().table('payment_positions').insert(values)
    const written = await trx
      .from('payment_positions')
      .where('tenant_id', tenant.id)
      .whereIn(
        'iuv',
        values.map((v) => v.iuv)
      )
      .select('id', 'iuv')
    for (const row of written) positionIds.set(row.iuv, Number(row.id))
  }
  // One audit row for the batch's positions (billing_audit.ts), as for its charges.
  const ids = [...positionIds.values()]
  const after: PositionBatchAudit = {
    runId: run.id,
    startedByUserId: run.startedByUserId,
    service: run.service,
    period: run.period,
    positions: ids.length,
    totalCents: owing.reduce((sum, payer) => sum + payer.total, 0),
    firstPositionId: ids.reduce((a, b) => Math.min(a, b)),
    lastPositionId: ids.reduce((a, b) => Math.max(a, b)),
  }
  await writeAudits(trx, [
    {
      tenantId: tenant.id,
      action: POSITION_BATCH_ACTION,
      entity: 'payment_positions',
      entityId: positionBatchEntityId(run.id),
      after,
    },
  ])
  const items = owing.flatMap((payer, k) =>
    payer.entries.map((entry) => ({
      tenant_id: tenant.id,
      position_id: positionIds.get(numbers[k].iuv)!,
      entry_id: entry.id,
    }))
  )
  for (let i = 0; i < items.length; i += 1000) {
    await trx
      .insertQuery()
      .table('payment_position_items')
      .insert(items.slice(i, i + 1000))
  }
  await enqueueFollowUps(
    trx,
    BILLING_POSITIONS_JOB,
    positionJobs(
      owing.map((_payer, k) => ({ id: positionIds.get(numbers[k].iuv)!, iuv: numbers[k].iuv })),
      tenant.id
    ),
    { tenant: tenant.ref }
  )
  for (const payer of batch) billingFaults.beforePayerCommit?.(payer.payerUserId)
}

/** What a run has done: its positions by status, how many were notified, and its notes. */
export async function runView(run: BillingRun, lang: 'it' | 'en' = 'it') {
  const byStatus = await db
    .from('payment_positions')
    .where('tenant_id', run.tenantId)
    .where('run_id', run.id)
    .select('status')
    .count('* as count')
    .groupBy('status')
  const positions: Record<string, number> = { pending: 0, published: 0, partially_paid: 0, paid: 0, cancelled: 0 }
  for (const row of byStatus) positions[row.status] = Number(row.count)
  const notified = await db
    .from('payment_position_steps')
    .join('payment_positions', 'payment_positions.id', 'payment_position_steps.position_id')
    .where('payment_positions.tenant_id', run.tenantId)
    .where('payment_positions.run_id', run.id)
    .where('payment_position_steps.step', 'notified')
    .count('* as count')
    .first()
  const total = Object.values(positions).reduce((a, b) => a + b, 0)
  const notifiedCount = Number(notified?.count ?? 0)
  const status =
    run.status !== 'collected' ? run.status : positions.pending > 0 || notifiedCount < total ? 'sending' : 'done'
  return {
    id: run.id,
    service: run.service,
    period: run.period,
    status,
    due_date: run.dueDate,
    payers: run.payers,
    charges: run.charges,
    total_cents: run.totalCents,
    positions: { total, ...positions },
    notified: notifiedCount,
    notes: (run.notes ?? []).map((n) => ({
      enrolment_id: n.enrolmentId ?? null,
      payer_user_id: n.payerUserId ?? null,
      message: n.message[lang],
    })),
    error: run.error,
    created_at: run.createdAt.toISO(),
    updated_at: run.updatedAt?.toISO() ?? null,
  }
}

export const billingCollectJob: JobDefinition<{ runId: number }> = {
  attempts: 5,
  backoffMs: 5000,
  async handle(payload, ctx) {
    try {
      await collectRun(payload.runId)
    } catch (error) {
      // The last attempt leaves the run failed with the reason, for the operator to repeat it.
      if (ctx.attempt >= 5) {
        const run = await BillingRun.find(payload.runId)
        if (run && run.status === 'collecting') {
          run.status = 'failed'
          run.error = (error as Error).message.slice(0, 1000)
          await run.save()
        }
      }
      throw error
    }
  },
}

/** The scheduled start: on the 1st, at each tenant's hour, the month before for the services it lists. */
export const billingMonthlyJob: JobDefinition<Record<string, never>> = {
  attempts: 3,
  backoffMs: 60_000,
  async handle() {
    const now = DateTime.now().setZone(TIME_ZONE)
    await startMonthlyRuns(now)
  },
}

export async function startMonthlyRuns(now: DateTime) {
  const period = now.minus({ months: 1 }).toFormat('yyyy-MM')
  const tenants = await RequestContext.asSystem('billing-monthly', () => Tenant.query().orderBy('id'))
  const failures: string[] = []
  for (const tenant of tenants) {
    let settings: BillingSettings
    try {
      settings = billingSettingsOf(tenant)
    } catch {
      continue
    }
    if (settings.services.length === 0 || settings.runHour !== now.hour || now.day !== 1) continue
    for (const service of settings.services) {
      try {
        await RequestContext.withTenant(tenant.ref as TenantRef, () =>
          startRun(tenant, { service, period, userId: null })
        )
      } catch (error) {
        failures.push(`${tenant.slug}/${service}: ${(error as Error).message}`)
      }
    }
  }
  if (failures.length > 0) throw new Error(`Monthly billing not started for ${failures.join('; ')}`)
}
