import type { HttpContext } from '@adonisjs/core/http'
import { LocalizedError, texts } from '#i18n/catalogue'
import Injunction from '#models/injunction'
import PaymentPosition from '#models/payment_position'
import CollectionRecord from '#models/collection_record'
import Tenant from '#models/tenant'
import User from '#models/user'
import { PAGE_SIZE, pageParam } from '#services/infrastructure/pagination'
import { requestLanguage } from '#services/infrastructure/request_language'
import { contentDisposition } from '#services/infrastructure/content_disposition'
import { centsToEuro } from '#integrations/pagopa/amounts'
import { langOf } from '#services/billing/position_job'
import { billingSettingsOf } from '#services/billing/billing_run'
import {
  createCollectionRecord,
  injunctionCandidates,
  injunctionPdf,
  injunctionView,
  issueInjunctions,
} from '#services/billing/injunctions'
import type { Lang } from '#sdk/types'

/** Payers an office may name in one issue. */
const MAX_PAYERS = 1000

function officeOnly(ctx: HttpContext) {
  if (!ctx.access.has('operator', 'tenant_admin')) throw new LocalizedError(403, texts('injunction.officeOnly'))
}

/** `after_days` from the query or the body: a whole number of days from 0 to 3650, the tenant's setting when absent. */
function afterDaysOf(value: unknown, fallback: number): number {
  if (value === undefined || value === null || value === '') return fallback
  const days =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\d{1,4}$/.test(value)
        ? Number(value)
        : Number.NaN
  if (!Number.isInteger(days) || days < 0 || days > 3650) {
    throw new LocalizedError(422, texts('injunction.afterDays'), 'range', '/after_days')
  }
  return days
}

function payerIdsOf(value: unknown): number[] | undefined {
  if (value === undefined || value === null) return undefined
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    value.length > MAX_PAYERS ||
    !value.every((v) => Number.isSafeInteger(v) && v > 0)
  ) {
    throw new LocalizedError(422, texts('injunction.payerIds', { max: MAX_PAYERS }), 'type', '/payer_ids')
  }
  return value as number[]
}

async function payersOf(ids: number[]) {
  const out = new Map<number, User>()
  const unique = [...new Set(ids)]
  for (let i = 0; i < unique.length; i += 500) {
    for (const u of await User.query().whereIn('id', unique.slice(i, i + 500))) out.set(u.id, u)
  }
  return out
}

/** The injunctions' own pagoPA positions, by id. */
async function ownPositionsOf(injunctions: Injunction[]) {
  const ids = injunctions.map((i) => i.positionId).filter((id): id is number => id !== null)
  const out = new Map<number, PaymentPosition>()
  for (let i = 0; i < ids.length; i += 500) {
    for (const p of await PaymentPosition.query().whereIn('id', ids.slice(i, i + 500))) out.set(p.id, p)
  }
  return out
}

function recordView(record: CollectionRecord) {
  return {
    id: record.id,
    number: record.number,
    layout: record.layout,
    injunctions: record.injunctions,
    total_cents: record.totalCents,
    total: centsToEuro(record.totalCents),
    created_at: record.createdAt.toISO(),
  }
}

/**
 * Injunctions and coercive-collection records for the office (operator, tenant_admin): the payers
 * due an injunction, issuing them, their PDFs, and the records handed to coercive collection
 * (services/billing/injunctions.ts).
 */
export default class InjunctionsController {
  /** `GET /billing/injunctions/candidates?after_days=`: payers whose letter is older than that, still unpaid. */
  async candidates(ctx: HttpContext) {
    officeOnly(ctx)
    const tenant = await Tenant.findOrFail(ctx.tenant.id)
    const afterDays = afterDaysOf(ctx.request.qs().after_days, billingSettingsOf(tenant).injunctionAfterDays)
    const { candidates, truncated } = await injunctionCandidates(tenant, { afterDays })
    return {
      after_days: afterDays,
      truncated,
      candidates: candidates.map((c) => ({
        payer_user_id: c.payerUserId,
        payer_name: c.payerName,
        payer_fiscal_code: c.payerFiscalCode,
        letter_date: c.letterDate,
        owed_cents: c.owedCents,
        owed: centsToEuro(c.owedCents),
        positions: c.positions.map((p) => ({ id: p.id, iupd: p.iupd, period: p.period, owed_cents: p.owed_cents })),
      })),
    }
  }

  /** `POST /billing/injunctions` `{ after_days?, payer_ids? }`: issues the injunctions due (all, or those payers'). */
  async store(ctx: HttpContext) {
    officeOnly(ctx)
    const body = ctx.request.body() as Record<string, unknown>
    const tenant = await Tenant.findOrFail(ctx.tenant.id)
    const afterDays = afterDaysOf(body.after_days, billingSettingsOf(tenant).injunctionAfterDays)
    const payerIds = payerIdsOf(body.payer_ids)
    const lang = requestLanguage(ctx.request)
    const { issued, truncated } = await issueInjunctions(tenant, {
      afterDays,
      payerIds,
      userId: ctx.auth.user?.id ?? null,
    })
    const payers = await payersOf(issued.map((i) => i.payerUserId))
    const own = await ownPositionsOf(issued)
    ctx.response.status(issued.length > 0 ? 201 : 200)
    return {
      issued: issued.length,
      truncated,
      injunctions: issued.map((i) =>
        injunctionView(i, payers.get(i.payerUserId) ?? null, lang, own.get(i.positionId ?? 0) ?? null)
      ),
    }
  }

  /** `GET /billing/injunctions?page=`: the injunctions issued, newest first, 50 a page. */
  async index(ctx: HttpContext) {
    officeOnly(ctx)
    const lang = requestLanguage(ctx.request)
    const page = pageParam(ctx.request)
    const rows = await Injunction.query()
      .orderBy('id', 'desc')
      .offset((page - 1) * PAGE_SIZE)
      .limit(PAGE_SIZE + 1)
    const payers = await payersOf(rows.map((r) => r.payerUserId))
    const own = await ownPositionsOf(rows)
    return {
      page,
      has_more: rows.length > PAGE_SIZE,
      injunctions: rows
        .slice(0, PAGE_SIZE)
        .map((i) => injunctionView(i, payers.get(i.payerUserId) ?? null, lang, own.get(i.positionId ?? 0) ?? null)),
    }
  }

  /** `GET /billing/injunctions/:id/pdf`: the injunction as sent (with its protocol number once it has one). */
  async pdf(ctx: HttpContext) {
    officeOnly(ctx)
    const id = Number(ctx.params.id)
    const injunction = Number.isSafeInteger(id) ? await Injunction.find(id) : null
    if (!injunction) throw new LocalizedError(404, texts('injunction.notFound'))
    const tenant = await Tenant.findOrFail(injunction.tenantId)
    const payer = await User.find(injunction.payerUserId)
    const lang: Lang = ctx.request.qs().lang === 'en' ? 'en' : ctx.request.qs().lang === 'it' ? 'it' : langOf(payer)
    const pdf = await injunctionPdf(tenant, injunction, payer, lang)
    ctx.response.header('content-type', 'application/pdf')
    ctx.response.header(
      'content-disposition',
      contentDisposition('inline', `ingiunzione-${injunction.year}-${injunction.number}.pdf`)
    )
    ctx.response.header('cache-control', 'no-store')
    return ctx.response.send(Buffer.from(pdf))
  }

  /** `GET /billing/collection-records`: the records handed to coercive collection, newest first. */
  async records(ctx: HttpContext) {
    officeOnly(ctx)
    const rows = await CollectionRecord.query()
      .select('id', 'tenant_id', 'number', 'layout', 'injunctions', 'total_cents', 'created_by', 'created_at')
      .orderBy('id', 'desc')
      .limit(200)
    return { records: rows.map(recordView) }
  }

  /**
   * `POST /billing/collection-records` `{ after_days? }`: hands the injunctions protocolled at least
   * that long ago and still unpaid to coercive collection; 200 with `record: null` when none is due.
   */
  async storeRecord(ctx: HttpContext) {
    officeOnly(ctx)
    const body = ctx.request.body() as Record<string, unknown>
    const tenant = await Tenant.findOrFail(ctx.tenant.id)
    const afterDays = afterDaysOf(body.after_days, billingSettingsOf(tenant).recordAfterDays)
    const record = await createCollectionRecord(tenant, { afterDays, userId: ctx.auth.user?.id ?? null })
    ctx.response.status(record ? 201 : 200)
    return { record: record ? recordView(record) : null }
  }

  /** `GET /billing/collection-records/:id/file?format=txt|csv`: the fixed-width file, or its CSV. */
  async recordFile(ctx: HttpContext) {
    officeOnly(ctx)
    const format = ctx.request.qs().format ?? 'txt'
    if (format !== 'txt' && format !== 'csv') {
      throw new LocalizedError(422, texts('collectionRecord.format'), 'enum', '/format')
    }
    const id = Number(ctx.params.id)
    const record = Number.isSafeInteger(id) ? await CollectionRecord.find(id) : null
    if (!record) throw new LocalizedError(404, texts('collectionRecord.notFound'))
    ctx.response.header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'text/plain; charset=us-ascii')
    ctx.response.header('content-disposition', contentDisposition('attachment', `ruolo-${record.number}.${format}`))
    ctx.response.header('cache-control', 'no-store')
    return ctx.response.send(format === 'csv' ? record.csv : record.content)
  }
}
