import { PassThrough } from 'node:stream'
import type { HttpContext } from '@adonisjs/core/http'
import BillingRun from '#models/billing_run'
import PaymentFlow from '#models/payment_flow'
import PaymentFlowLine from '#models/payment_flow_line'
import PaymentPosition, { OPEN_POSITION_STATUSES, POSITION_STATUSES } from '#models/payment_position'
import Tenant from '#models/tenant'
import Enrolment from '#models/enrolment'
import Injunction from '#models/injunction'
import db from '@adonisjs/lucid/services/db'
import User from '#models/user'
import { PAGE_SIZE, pageParam } from '#services/infrastructure/pagination'
import { requestLanguage } from '#services/infrastructure/request_language'
import { contentDisposition } from '#services/infrastructure/content_disposition'
import { centsToEuro } from '#integrations/pagopa/amounts'
import { formatNoticeNumber } from '#integrations/pagopa/notice_number'
import { checkoutLink, parsePagopaSettings } from '#integrations/pagopa/pagopa_settings'
import { BillingRequestError, runView, serviceName, startRun } from '#services/billing/billing_run'
import { balanceOf, entryView, statementOf } from '#services/billing/ledger_service'
import { langOf, positionNoticePdf } from '#services/billing/position_job'
import { stepsOf } from '#services/billing/position_steps'
import { requestReconciliation } from '#services/billing/reconcile'
import { pagopaSettingsOf } from '#integrations/pagopa/pagopa_service'
import { SettingsError } from '#services/tenants/settings_error'
import { createTopUp, prepaidBalance, PrepaidRequestError } from '#services/billing/prepaid'
import { previewRun } from '#services/billing/billing_preview'
import { paymentStatementPdf } from '#services/billing/payment_statement'
import { LETTER_REPORT_COLUMNS, letterReportRows } from '#services/billing/letters_report'
import { CONTENT_TYPES, ReportOutputClosedError, writeReport } from '#reports/report_writer'
import type { Lang, ReportColumn, ReportValue } from '#sdk/types'

const TEXT = {
  staff: {
    it: 'Solo l’ufficio (operatore o amministratore dell’ente) vede la fatturazione.',
    en: 'Only the office (operator or tenant administrator) sees billing.',
  },
  runNotFound: { it: 'Fatturazione non trovata.', en: 'No such billing run.' },
  month: {
    it: 'Indica il mese ("month") nella forma AAAA-MM, per esempio 2026-11.',
    en: 'Give the month ("month") written YYYY-MM, for example 2026-11.',
  },
  year: (max: number) => ({
    it: `Indica l'anno ("year") dal 2000 al ${max}.`,
    en: `Give the year ("year") from 2000 to ${max}.`,
  }),
  flowNotFound: { it: 'Flusso di rendicontazione non trovato.', en: 'No such reporting flow.' },
  positionNotFound: { it: 'Posizione di pagamento non trovata.', en: 'No such payment position.' },
  body: {
    it: 'Indica il servizio ("service") e il mese ("period", AAAA-MM).',
    en: 'Give the service ("service") and the month ("period", YYYY-MM).',
  },
  filter: (name: string) => ({
    it: `Filtro "${name}" non valido.`,
    en: `Invalid filter "${name}".`,
  }),
  format: { it: 'Formato non valido: usa "xlsx" o "csv".', en: 'Invalid format: use "xlsx" or "csv".' },
}

const STATUS_LABELS: Record<string, { it: string; en: string }> = {
  pending: { it: 'In preparazione', en: 'Being prepared' },
  published: { it: 'Da pagare', en: 'To pay' },
  partially_paid: { it: 'Pagato in parte', en: 'Partly paid' },
  paid: { it: 'Pagato', en: 'Paid' },
  cancelled: { it: 'Annullato', en: 'Cancelled' },
}

function flowView(flow: PaymentFlow, lang: Lang) {
  return {
    id: flow.id,
    flow_id: flow.flowId,
    revision: flow.revision,
    psp_id: flow.pspId,
    psp_name: flow.pspName,
    flow_date: flow.flowDate,
    regulation: flow.regulation,
    regulation_date: flow.regulationDate,
    declared_count: flow.declaredCount,
    declared_sum_cents: flow.declaredSumCents,
    computed_count: flow.computedCount,
    computed_sum_cents: flow.computedSumCents,
    totals_ok: flow.totalsOk,
    problems: (flow.problems ?? []).map((p) => p[lang]),
    summary: flow.summary,
    reconciled_at: flow.createdAt.toISO(),
  }
}

function isStaff(ctx: HttpContext) {
  return ctx.access.has('operator', 'tenant_admin')
}

function refuse(ctx: HttpContext, lang: Lang) {
  return ctx.response.forbidden({ errors: [{ message: TEXT.staff[lang] }] })
}

function positionView(
  tenantSlug: string,
  position: PaymentPosition,
  lang: Lang,
  steps: Array<{ step: string; at: string; details: Record<string, unknown> | null }>,
  payUrl: ((nav: string) => string) | null = null
) {
  return {
    id: position.id,
    run_id: position.runId,
    service: position.service,
    service_name: serviceName(position.service)[lang],
    period: position.period,
    amount_cents: position.amountCents,
    amount: centsToEuro(position.amountCents),
    paid_cents: position.paidCents,
    due_date: position.dueDate,
    status: position.status,
    status_label: STATUS_LABELS[position.status]?.[lang] ?? position.status,
    iupd: position.iupd,
    iuv: position.iuv,
    nav: position.nav,
    notice_code: formatNoticeNumber(position.nav),
    notice_channel: position.noticeChannel,
    paid_at: position.paidAt?.toISO() ?? null,
    psp: position.psp,
    steps,
    notice_url:
      position.status === 'pending' ? null : `/api/v1/t/${tenantSlug}/payments/positions/${position.id}/notice.pdf`,
    pay_url: payUrl && OPEN_POSITION_STATUSES.includes(position.status) ? payUrl(position.nav) : null,
  }
}

/**
 * The injunctions among the family's positions: a position that IS an injunction's (one notice for
 * the total, seed 000 b) answers its number and the months it replaces; a position an injunction
 * replaced answers that injunction's number. Bounded by the positions asked for (at most 500).
 */
async function injunctionsOf(tenantId: number, positionIds: number[], lang: Lang) {
  const own = new Map<number, { label: string; replaces: Array<{ service_name: string; period: string }> }>()
  const replacedBy = new Map<number, string>()
  for (let i = 0; i < positionIds.length; i += 500) {
    const slice = positionIds.slice(i, i + 500)
    for (const injunction of await Injunction.query().whereIn('position_id', slice)) {
      own.set(injunction.positionId!, {
        label: injunction.label,
        replaces: [...injunction.positions]
          .sort((a, b) => a.period.localeCompare(b.period) || a.id - b.id)
          .map((p) => ({ service_name: serviceName(p.service)[lang], period: p.period })),
      })
    }
    const links = await db
      .from('injunction_positions')
      .join('injunctions', 'injunctions.id', 'injunction_positions.injunction_id')
      .where('injunction_positions.tenant_id', tenantId)
      .whereIn('injunction_positions.position_id', slice)
      .where('injunction_positions.outcome', 'invalidated')
      .select('injunction_positions.position_id', 'injunctions.year', 'injunctions.number')
    for (const link of links) {
      replacedBy.set(Number(link.position_id), `${link.year}/${String(link.number).padStart(6, '0')}`)
    }
  }
  return { own, replacedBy }
}

/**
 * What each position asks for, child by child: the charges it holds (quantity, unit fee, amount,
 * the ledger's description) with the child's first name, for the family's page.
 */
async function positionLines(tenantId: number, positionIds: number[]) {
  const out = new Map<
    number,
    Array<{
      enrolment_id: number | null
      child_name: string | null
      quantity: string | null
      unit_cents: number | null
      amount_cents: number
      description: string
    }>
  >()
  if (positionIds.length === 0) return out
  const rows = await db
    .from('position_charges')
    .join('ledger_entries', 'ledger_entries.id', 'position_charges.entry_id')
    .where('position_charges.tenant_id', tenantId)
    .whereIn('position_charges.position_id', positionIds)
    .orderBy('ledger_entries.id')
    .select(
      'position_charges.position_id as position_id',
      'ledger_entries.enrolment_id as enrolment_id',
      'ledger_entries.quantity as quantity',
      'ledger_entries.unit_cents as unit_cents',
      'ledger_entries.amount_cents as amount_cents',
      'ledger_entries.description as description'
    )
  const enrolmentIds = [...new Set(rows.map((r) => r.enrolment_id).filter((id): id is number => id !== null))]
  const names = new Map(
    (enrolmentIds.length ? await Enrolment.query().whereIn('id', enrolmentIds) : []).map((e) => [
      e.id,
      e.childFirstName,
    ])
  )
  for (const row of rows) {
    const list = out.get(Number(row.position_id)) ?? []
    list.push({
      enrolment_id: row.enrolment_id === null ? null : Number(row.enrolment_id),
      child_name: row.enrolment_id === null ? null : (names.get(Number(row.enrolment_id)) ?? null),
      quantity: row.quantity === null ? null : String(row.quantity),
      unit_cents: row.unit_cents === null ? null : Number(row.unit_cents),
      amount_cents: Number(row.amount_cents),
      description: String(row.description),
    })
    out.set(Number(row.position_id), list)
  }
  return out
}

/** The tenant's pay link of a notice (its pagoPA checkout), or null without pagoPA settings. */
function payLinkOf(tenant: Tenant): ((nav: string) => string) | null {
  try {
    const settings = parsePagopaSettings(tenant.settings?.pagopa)
    return settings ? (nav) => checkoutLink(settings, nav) : null
  } catch {
    return null
  }
}

interface PositionFilters {
  status?: string
  service?: string
  period?: string
  run?: number
  payer?: number
}

/** The filters of the staff's position list; a wrong one is a 422 naming it. */
function positionFilters(ctx: HttpContext, lang: Lang): PositionFilters | { error: string } {
  const qs = ctx.request.qs() as Record<string, unknown>
  const out: PositionFilters = {}
  if (qs.status !== undefined) {
    if (!POSITION_STATUSES.includes(qs.status as (typeof POSITION_STATUSES)[number])) return { error: 'status' }
    out.status = qs.status as string
  }
  if (qs.service !== undefined) {
    if (typeof qs.service !== 'string' || !/^[a-z][a-z0-9-]{0,59}$/.test(qs.service)) return { error: 'service' }
    out.service = qs.service
  }
  if (qs.period !== undefined) {
    if (typeof qs.period !== 'string' || !/^\d{4}-(0[1-9]|1[0-2])$/.test(qs.period)) return { error: 'period' }
    out.period = qs.period
  }
  for (const key of ['run', 'payer'] as const) {
    if (qs[key] === undefined) continue
    const value = Number(qs[key])
    if (!Number.isSafeInteger(value) || value < 1) return { error: key }
    out[key] = value
  }
  void lang
  return out
}

function filteredPositions(filters: PositionFilters) {
  const query = PaymentPosition.query()
  if (filters.status) query.where('status', filters.status)
  if (filters.service) query.where('service', filters.service)
  if (filters.period) query.where('period', filters.period)
  if (filters.run) query.where('run_id', filters.run)
  if (filters.payer) query.where('payer_user_id', filters.payer)
  return query
}

const EXPORT_COLUMNS: ReportColumn[] = [
  { key: 'period', label: { it: 'Periodo', en: 'Period' }, type: 'text', width: 10 },
  { key: 'service', label: { it: 'Servizio', en: 'Service' }, type: 'text', width: 20 },
  { key: 'payer_fiscal_code', label: { it: 'Codice fiscale pagante', en: 'Payer fiscal code' }, type: 'text' },
  { key: 'payer_name', label: { it: 'Pagante', en: 'Payer' }, type: 'text' },
  { key: 'notice_code', label: { it: 'Codice avviso', en: 'Notice code' }, type: 'text', width: 26 },
  { key: 'iuv', label: { it: 'IUV', en: 'IUV' }, type: 'text', width: 20 },
  { key: 'amount', label: { it: 'Importo', en: 'Amount' }, type: 'money' },
  { key: 'paid', label: { it: 'Pagato', en: 'Paid' }, type: 'money' },
  { key: 'due_date', label: { it: 'Scadenza', en: 'Due date' }, type: 'date' },
  { key: 'status', label: { it: 'Stato', en: 'Status' }, type: 'text', width: 16 },
  { key: 'paid_at', label: { it: 'Pagato il', en: 'Paid on' }, type: 'date' },
]

/**
 * Billing for the office (runs, positions, a payer's ledger, reconciliation, the export) and
 * payments for the family (their positions with the notice PDF and the pagoPA code, their balance).
 */
export default class BillingController {
  /** `POST /billing/runs` `{ service, period }`: starts (or repeats) a run; 202 with its progress. */
  async storeRun(ctx: HttpContext) {
    const lang = requestLanguage(ctx.request)
    if (!isStaff(ctx)) return refuse(ctx, lang)
    const body = ctx.request.body() as { service?: unknown; period?: unknown }
    if (typeof body.service !== 'string' || typeof body.period !== 'string') {
      return ctx.response.unprocessableEntity({
        errors: [{ path: '/service', rule: 'required', message: TEXT.body[lang] }],
      })
    }
    try {
      const { run } = await startRun(ctx.tenant, {
        service: body.service,
        period: body.period,
        userId: ctx.auth.getUserOrFail().id,
      })
      return ctx.response.accepted({ run: await runView(run, lang) })
    } catch (error) {
      if (error instanceof BillingRequestError) {
        return ctx.response.unprocessableEntity({
          errors: [{ path: error.path, rule: error.rule, message: error.messages[lang] }],
        })
      }
      throw error
    }
  }

  async runs(ctx: HttpContext) {
    const lang = requestLanguage(ctx.request)
    if (!isStaff(ctx)) return refuse(ctx, lang)
    const rows = await BillingRun.query().orderBy('period', 'desc').orderBy('id', 'desc').limit(200)
    return { runs: await Promise.all(rows.map((r) => runView(r, lang))) }
  }

  /**
   * `POST /billing/runs/preview` `{ service, period }`: the dry run of a month, nothing written:
   * lines, payers and total, by school and by unit fee, the enrolments left out and the anomalies.
   */
  async previewRun(ctx: HttpContext) {
    const lang = requestLanguage(ctx.request)
    if (!isStaff(ctx)) return refuse(ctx, lang)
    const body = ctx.request.body() as { service?: unknown; period?: unknown }
    if (typeof body.service !== 'string' || typeof body.period !== 'string') {
      return ctx.response.unprocessableEntity({
        errors: [{ path: '/service', rule: 'required', message: TEXT.body[lang] }],
      })
    }
    try {
      return { preview: await previewRun(ctx.tenant, { service: body.service, period: body.period }, lang) }
    } catch (error) {
      if (error instanceof BillingRequestError) {
        return ctx.response.unprocessableEntity({
          errors: [{ path: error.path, rule: error.rule, message: error.messages[lang] }],
        })
      }
      throw error
    }
  }

  async showRun(ctx: HttpContext) {
    const lang = requestLanguage(ctx.request)
    if (!isStaff(ctx)) return refuse(ctx, lang)
    const id = Number(ctx.params.id)
    const run = Number.isSafeInteger(id) ? await BillingRun.find(id) : null
    if (!run) return ctx.response.notFound({ errors: [{ message: TEXT.runNotFound[lang] }] })
    return { run: await runView(run, lang) }
  }

  /** `GET /billing/positions?status=&service=&period=&run=&payer=&page=`. */
  async positions(ctx: HttpContext) {
    const lang = requestLanguage(ctx.request)
    if (!isStaff(ctx)) return refuse(ctx, lang)
    const filters = positionFilters(ctx, lang)
    if ('error' in filters) {
      return ctx.response.unprocessableEntity({
        errors: [{ path: `/${filters.error}`, rule: 'filter', message: TEXT.filter(filters.error)[lang] }],
      })
    }
    const page = await filteredPositions(filters).orderBy('id').paginate(pageParam(ctx.request), PAGE_SIZE)
    const rows = page.all()
    const steps = await stepsOf(rows.map((r) => r.id))
    const payers = await User.query().whereIn(
      'id',
      rows.map((r) => r.payerUserId)
    )
    const names = new Map(payers.map((u) => [u.id, u]))
    return {
      positions: rows.map((p) => ({
        ...positionView(ctx.tenant.slug, p, lang, steps.get(p.id) ?? []),
        payer: {
          user_id: p.payerUserId,
          name: names.get(p.payerUserId)?.fullName ?? null,
          fiscal_code: names.get(p.payerUserId)?.fiscalCode ?? null,
        },
      })),
      meta: { total: page.total, page: page.currentPage, per_page: PAGE_SIZE, last_page: page.lastPage },
    }
  }

  /** `GET /billing/positions/export?format=xlsx|csv&<filters>`: the list as a spreadsheet, streamed. */
  async exportPositions(ctx: HttpContext) {
    const lang = requestLanguage(ctx.request)
    if (!isStaff(ctx)) return refuse(ctx, lang)
    const format = (ctx.request.qs().format ?? 'xlsx') as string
    if (format !== 'xlsx' && format !== 'csv') {
      return ctx.response.unprocessableEntity({
        errors: [{ path: '/format', rule: 'enum', message: TEXT.format[lang] }],
      })
    }
    const parsed = positionFilters(ctx, lang)
    if ('error' in parsed) {
      return ctx.response.unprocessableEntity({
        errors: [{ path: `/${parsed.error}`, rule: 'filter', message: TEXT.filter(parsed.error)[lang] }],
      })
    }
    const filters: PositionFilters = parsed
    async function* rows(): AsyncIterable<Record<string, ReportValue>> {
      let lastId = 0
      for (;;) {
        const batch = await filteredPositions(filters).where('id', '>', lastId).orderBy('id').limit(500)
        if (batch.length === 0) return
        const payers = await User.query().whereIn(
          'id',
          batch.map((r) => r.payerUserId)
        )
        const byId = new Map(payers.map((u) => [u.id, u]))
        for (const p of batch) {
          yield {
            period: p.period,
            service: serviceName(p.service)[lang],
            payer_fiscal_code: byId.get(p.payerUserId)?.fiscalCode ?? null,
            payer_name: byId.get(p.payerUserId)?.fullName ?? null,
            notice_code: formatNoticeNumber(p.nav),
            iuv: p.iuv,
            amount: centsToEuro(p.amountCents),
            paid: centsToEuro(p.paidCents),
            due_date: p.dueDate,
            status: STATUS_LABELS[p.status]?.[lang] ?? p.status,
            paid_at: p.paidAt?.toISODate() ?? null,
          }
        }
        lastId = batch[batch.length - 1].id
      }
    }
    const output = new PassThrough()
    const title = lang === 'it' ? 'Posizioni di pagamento' : 'Payment positions'
    ctx.response.header('content-type', CONTENT_TYPES[format])
    ctx.response.header('content-disposition', contentDisposition('attachment', `posizioni.${format}`))
    ctx.response.header('cache-control', 'no-store')
    writeReport(format, rows(), output, { title, columns: EXPORT_COLUMNS, lang }).catch((error) => {
      if (error instanceof ReportOutputClosedError) return
      ctx.logger.error({ err: error }, 'positions export failed while streaming')
      output.destroy(error as Error)
    })
    ctx.response.response.once('close', () => {
      if (!output.writableFinished) output.destroy()
    })
    ctx.response.stream(output)
  }

  /** `GET /billing/payers/:userId/ledger`: a payer's statement and balance. */
  async payerLedger(ctx: HttpContext) {
    const lang = requestLanguage(ctx.request)
    if (!isStaff(ctx)) return refuse(ctx, lang)
    const userId = Number(ctx.params.userId)
    if (!Number.isSafeInteger(userId) || userId < 1) {
      return ctx.response.notFound({ errors: [{ message: TEXT.positionNotFound[lang] }] })
    }
    const entries = await statementOf(userId)
    return { balance: await balanceOf({ payerUserId: userId }), entries: entries.map(entryView) }
  }

  /** `POST /billing/reconcile`: reads the receipts of open positions and the new reporting flows now (also done every hour). */
  async reconcile(ctx: HttpContext) {
    const lang = requestLanguage(ctx.request)
    if (!isStaff(ctx)) return refuse(ctx, lang)
    // Without pagoPA there is nothing to read: said now, rather than by a job failing three times.
    try {
      pagopaSettingsOf(ctx.tenant)
    } catch (error) {
      if (!(error instanceof SettingsError)) throw error
      return ctx.response.conflict({ errors: [{ path: error.path, rule: 'pagopa', message: error.messages[lang] }] })
    }
    await requestReconciliation(ctx.tenant)
    return ctx.response.accepted({ queued: true })
  }

  /**
   * `POST /payments/topups` `{ service, amount_cents }`: a top-up of a pre-paid service's account by
   * the reader, of the amount they choose: 201 with the position (its notice and pagoPA code follow
   * as for any position) and the account's balance (negative: a credit).
   */
  async storeTopUp(ctx: HttpContext) {
    const lang = requestLanguage(ctx.request)
    const user = ctx.auth.getUserOrFail()
    const body = ctx.request.body() as { service?: unknown; amount_cents?: unknown }
    try {
      const position = await createTopUp(ctx.tenant, {
        payerUserId: user.id,
        service: body.service,
        amountCents: body.amount_cents,
      })
      return ctx.response.created({
        position: positionView(ctx.tenant.slug, position, lang, []),
        balance_cents: await prepaidBalance(ctx.tenant.id, user.id, position.service),
      })
    } catch (error) {
      if (error instanceof PrepaidRequestError) {
        return ctx.response.unprocessableEntity({
          errors: [{ path: error.path, rule: error.rule, message: error.messages[lang] }],
        })
      }
      throw error
    }
  }

  /**
   * `GET /billing/flows?anomalies=1&page=`: the reporting flows reconciled, newest first, with their
   * totals check and the count of each outcome; `anomalies=1` keeps those with something to look at.
   */
  async flows(ctx: HttpContext) {
    const lang = requestLanguage(ctx.request)
    if (!isStaff(ctx)) return refuse(ctx, lang)
    const page = pageParam(ctx.request)
    const query = PaymentFlow.query().orderBy('id', 'desc')
    if (ctx.request.input('anomalies') === '1') {
      query.where((q) =>
        q
          .where('totals_ok', false)
          .orWhereIn('id', (sub) => sub.from('payment_flow_lines').select('flow_row_id').whereNot('outcome', 'matched'))
      )
    }
    const rows = await query.paginate(page, PAGE_SIZE)
    return {
      flows: rows.all().map((f) => flowView(f, lang)),
      meta: { page, total: rows.total, per_page: PAGE_SIZE },
    }
  }

  /** `GET /billing/flows/:id`: one flow with its lines, the ones not matched first. */
  async showFlow(ctx: HttpContext) {
    const lang = requestLanguage(ctx.request)
    if (!isStaff(ctx)) return refuse(ctx, lang)
    const id = Number(ctx.params.id)
    const flow = Number.isSafeInteger(id) && id > 0 ? await PaymentFlow.find(id) : null
    if (!flow) return ctx.response.notFound({ errors: [{ message: TEXT.flowNotFound[lang] }] })
    const lines = await PaymentFlowLine.query().where('flow_row_id', flow.id).orderBy('line_index').limit(10_000)
    const order = (outcome: string) => (outcome === 'matched' ? 1 : 0)
    return {
      flow: flowView(flow, lang),
      lines: lines
        .sort((a, b) => order(a.outcome) - order(b.outcome) || a.lineIndex - b.lineIndex)
        .map((l) => ({
          index: l.lineIndex,
          iuv: l.iuv,
          iur: l.iur,
          id_transfer: l.idTransfer,
          amount_cents: l.amountCents,
          amount: centsToEuro(l.amountCents),
          pay_status: l.payStatus,
          pay_date: l.payDate,
          outcome: l.outcome,
          difference_cents: l.differenceCents,
          position_id: l.positionId,
          reason: l.reason[lang],
        })),
    }
  }

  /**
   * `GET /billing/letters?month=YYYY-MM&format=json|xlsx|csv`: the arrears letters sent in a month,
   * one row per position listed (protocol number, parent's codice fiscale, position, amount owed).
   * JSON answers the first 1,000 rows (`truncated` says when there are more); the files stream all.
   */
  async letters(ctx: HttpContext) {
    const lang = requestLanguage(ctx.request)
    if (!isStaff(ctx)) return refuse(ctx, lang)
    const qs = ctx.request.qs() as Record<string, unknown>
    const month = qs.month
    if (typeof month !== 'string' || !/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) {
      return ctx.response.unprocessableEntity({
        errors: [{ path: '/month', rule: 'format', message: TEXT.month[lang] }],
      })
    }
    const format = (qs.format ?? 'json') as string
    if (format === 'json') {
      const rows: Array<Record<string, ReportValue>> = []
      let truncated = false
      for await (const row of letterReportRows(month)) {
        if (rows.length === 1000) {
          truncated = true
          break
        }
        rows.push(row)
      }
      return { month, rows, truncated }
    }
    if (format !== 'xlsx' && format !== 'csv') {
      return ctx.response.unprocessableEntity({
        errors: [{ path: '/format', rule: 'enum', message: TEXT.format[lang] }],
      })
    }
    const output = new PassThrough()
    const title = lang === 'it' ? `Lettere di sollecito ${month}` : `Arrears letters ${month}`
    ctx.response.header('content-type', CONTENT_TYPES[format])
    ctx.response.header('content-disposition', contentDisposition('attachment', `solleciti-${month}.${format}`))
    ctx.response.header('cache-control', 'no-store')
    writeReport(format, letterReportRows(month), output, { title, columns: LETTER_REPORT_COLUMNS, lang }).catch(
      (error) => {
        if (error instanceof ReportOutputClosedError) return
        ctx.logger.error({ err: error }, 'letters report failed while streaming')
        output.destroy(error as Error)
      }
    )
    ctx.response.stream(output)
  }

  /** `GET /payments/positions`: the reader's own positions, newest first. */
  async myPositions(ctx: HttpContext) {
    const lang = requestLanguage(ctx.request)
    const user = ctx.auth.getUserOrFail()
    const rows = await PaymentPosition.query()
      .where('payer_user_id', user.id)
      .orderBy('period', 'desc')
      .orderBy('id', 'desc')
      .limit(500)
    const steps = await stepsOf(rows.map((r) => r.id))
    const lines = await positionLines(
      ctx.tenant.id,
      rows.map((r) => r.id)
    )
    const injunctions = await injunctionsOf(
      ctx.tenant.id,
      rows.map((r) => r.id),
      lang
    )
    return {
      positions: rows.map((p) => ({
        ...positionView(ctx.tenant.slug, p, lang, steps.get(p.id) ?? [], payLinkOf(ctx.tenant)),
        lines: lines.get(p.id) ?? [],
        injunction: injunctions.own.get(p.id) ?? null,
        replaced_by: injunctions.replacedBy.get(p.id) ?? null,
      })),
      balance: await balanceOf({ payerUserId: user.id }),
    }
  }

  /**
   * `GET /payments/statement.pdf?year=YYYY`: the reader's payments of a calendar year as a PDF, for
   * the deduction of school expenses (the current year by default).
   */
  async statementPdf(ctx: HttpContext) {
    const lang = requestLanguage(ctx.request)
    const user = ctx.auth.getUserOrFail()
    const raw = ctx.request.qs().year
    const thisYear = new Date().getFullYear()
    const year = raw === undefined ? thisYear : Number(raw)
    if (!Number.isInteger(year) || year < 2000 || year > thisYear) {
      return ctx.response.unprocessableEntity({
        errors: [{ path: '/year', rule: 'range', message: TEXT.year(thisYear)[lang] }],
      })
    }
    const tenant = await Tenant.findOrFail(ctx.tenant.id)
    const pdf = await paymentStatementPdf(tenant, user, year, lang)
    ctx.response.header('content-type', 'application/pdf')
    ctx.response.header('content-disposition', contentDisposition('inline', `pagamenti-${year}.pdf`))
    ctx.response.header('cache-control', 'no-store')
    return ctx.response.send(Buffer.from(pdf))
  }

  /** `GET /payments/positions/:id/notice.pdf`: the AgID notice, for its payer or the office. */
  async noticePdf(ctx: HttpContext) {
    const lang = requestLanguage(ctx.request)
    const id = Number(ctx.params.id)
    const position = Number.isSafeInteger(id) ? await PaymentPosition.find(id) : null
    const user = ctx.auth.getUserOrFail()
    if (!position || position.status === 'pending' || (position.payerUserId !== user.id && !isStaff(ctx))) {
      return ctx.response.notFound({ errors: [{ message: TEXT.positionNotFound[lang] }] })
    }
    const tenant = await Tenant.findOrFail(position.tenantId)
    const payer = await User.findOrFail(position.payerUserId)
    const pdf = await positionNoticePdf(tenant, position, payer, ctx.request.qs().lang === 'en' ? 'en' : langOf(payer))
    ctx.response.header('content-type', 'application/pdf')
    ctx.response.header('content-disposition', contentDisposition('inline', `avviso-${position.nav}.pdf`))
    ctx.response.header('cache-control', 'no-store')
    return ctx.response.send(Buffer.from(pdf))
  }
}
