import { DateTime, euroTextToCents, monthlyFeeCharges } from '@sportello/platform/sdk'
import type {
  BillingCharges,
  BillingLine,
  BillingNote,
  EnrolmentRecord,
  PluginContext,
  RulePeriod,
} from '@sportello/platform/sdk'
import ClassDay from '../models/class_day.js'
import Mark from '../models/mark.js'
import MealRequest, { type RequestKind } from '../models/meal_request.js'
import { calendarsBetween } from './calendar_service.js'
import { ZONE, classKey, clock, say } from './common.js'
import { childDay } from './day_state.js'
import { pupilOf } from './pupils.js'

/** How many enrolments are read, and their requests and marks, at a time. */
const PAGE = 500

export interface MealCount {
  meals: number
  plain: number
  /** Days of a class nobody closed: counted as the order counted them (enrolled minus cancellations). */
  estimated: number
  /** The days of the meals counted (YYYY-MM-DD, ascending): a fee that changes mid-month splits them. */
  days: string[]
}

/**
 * The meals each child ate in a month, by the rule of the canteen day (day_state.ts): no canteen for
 * the class → no meal; a closed class's day as its marks say; an open one as the kitchen's order
 * counted it. Up to yesterday when the month is still running. The enrolments are read in pages,
 * each page's requests and marks in one query each: memory bounded by a page, work linear in rows.
 */
export async function mealsInMonth(ctx: PluginContext, month: string): Promise<Map<number, MealCount>> {
  const client = ctx.trx ?? undefined
  const first = DateTime.fromISO(`${month}-01`, { zone: ZONE })
  const from = first.toISODate()!
  const last = first.endOf('month').toISODate()!
  const yesterday = clock.now().minus({ days: 1 }).toISODate()!
  const to = last < yesterday ? last : yesterday
  const out = new Map<number, MealCount>()
  if (to < from) return out
  const calendars = await calendarsBetween(from, to, ctx)
  const years = new Set<string>()
  for (const calendar of calendars.values()) if (calendar.schoolYear) years.add(calendar.schoolYear.code)
  if (years.size === 0) return out
  const closed = new Set(
    (await ClassDay.query({ client }).where('day', '>=', from).where('day', '<=', to)).map(
      (c) => `${c.day}|${classKey(c.schoolCode, c.classYear, c.section)}`
    )
  )
  // Ended enrolments (renewed into the next year) owe the meals of their own school year too.
  for (const [schoolYear, status] of [...years].flatMap((y) => [[y, 'active'] as const, [y, 'ended'] as const])) {
    let afterId = 0
    for (;;) {
      const page = await ctx.enrolments.list({ schoolYear, status, afterId, limit: PAGE })
      const pupils = page.map(pupilOf).filter((p) => p !== null)
      const ids = pupils.map((p) => p.enrolmentId)
      if (ids.length > 0) {
        const [requests, marks] = await Promise.all([
          MealRequest.query({ client }).whereIn('enrolment_id', ids).where('day', '>=', from).where('day', '<=', to),
          Mark.query({ client })
            .whereIn('enrolment_id', ids)
            .where('day', '>=', from)
            .where('day', '<=', to)
            .orderBy('marked_at')
            .orderBy('id'),
        ])
        const requestOf = new Map<string, RequestKind>(requests.map((r) => [`${r.enrolmentId}|${r.day}`, r.kind]))
        const marksOf = new Map<string, Mark[]>()
        for (const m of marks) {
          const key = `${m.enrolmentId}|${m.day}`
          const list = marksOf.get(key) ?? []
          list.push(m)
          marksOf.set(key, list)
        }
        for (const pupil of pupils) {
          const count: MealCount = { meals: 0, plain: 0, estimated: 0, days: [] }
          for (const [day, calendar] of calendars) {
            if (calendar.schoolYear?.code !== pupil.schoolYear) continue
            const served = calendar.served(pupil.schoolCode, pupil.classYear, pupil.section).served
            if (!served) continue
            const request = requestOf.get(`${pupil.enrolmentId}|${day}`) ?? null
            if (closed.has(`${day}|${classKey(pupil.schoolCode, pupil.classYear, pupil.section)}`)) {
              const state = childDay(pupil, served, request, marksOf.get(`${pupil.enrolmentId}|${day}`) ?? [])
              if (state.eats) count.meals++
              if (state.eats) count.days.push(day)
              if (state.eats && state.plain) count.plain++
            } else if (request !== 'cancel') {
              count.meals++
              count.days.push(day)
              count.estimated++
              if (request === 'plain') count.plain++
            }
          }
          out.set(pupil.enrolmentId, count)
        }
      }
      if (page.length < PAGE) break
      afterId = page[page.length - 1].id
    }
  }
  return out
}

/**
 * The canteen's monthly charges (post-paid, Allegato A "Gestione Pagamenti integrati con PagoPA":
 * the fee of a month is the meals consumed in it × the fee per meal): one line per child who ate,
 * the fee from the enrolment's tariff (refezione.tariffa gives a fee per meal) or the one the office
 * set by hand; a child with no meal in the month owes nothing and gets no line. Each meal costs the
 * fee of the rule set version in force on its day: when a new version starts within the month the
 * line has a part per period (meals × fee of each version, see splitByVersion).
 */
export async function mealCharges(period: string, ctx: PluginContext): Promise<BillingCharges> {
  const counts = await mealsInMonth(ctx, period)
  const enrolments = new Map<number, EnrolmentRecord>()
  const quantity = (enrolment: EnrolmentRecord) => {
    enrolments.set(enrolment.id, enrolment)
    const count = counts.get(enrolment.id)
    return count && count.meals > 0 ? String(count.meals) : null
  }
  const result = await monthlyFeeCharges(ctx, period, {
    quantity,
    description: (enrolment, month) => {
      const meals = counts.get(enrolment.id)?.meals ?? 0
      const name = [enrolment.child.firstName, enrolment.child.lastName].filter(Boolean).join(' ')
      return say(ctx.lang, `Refezione ${month}: ${meals} pasti, ${name}`, `Canteen ${month}: ${meals} meals, ${name}`)
    },
  })
  // The enrolments without a meal are no anomaly: they are left out of the notes the operator reads.
  const ate = new Set([...counts].filter(([, c]) => c.meals > 0).map(([id]) => id))
  const notes = (result.notes ?? []).filter((n) => n.enrolmentId === undefined || ate.has(n.enrolmentId))
  const split = new VersionSplit(ctx, period, notes)
  const lines: BillingLine[] = []
  for (const line of result.lines) {
    const { days, ...count } = counts.get(line.enrolmentId) ?? { days: [] as string[] }
    const base: BillingLine = { ...line, key: 'meals', details: { ...(line.details ?? {}), ...count } }
    lines.push(await split.apply(base, enrolments.get(line.enrolmentId), days))
  }
  return { lines, notes }
}

/** One period of a month's meals at one version's fee. */
interface FeePart {
  from: string
  to: string
  version: number | null
  quantity: string
  unitCents: number
  amountCents: number
}

const euro = (cents: number) => `${Math.floor(cents / 100)},${String(cents % 100).padStart(2, '0')}`
const dayMonth = (day: string) => `${Number(day.slice(8, 10))}/${Number(day.slice(5, 7))}`

/**
 * Re-prices a child's meals by the rule set version in force on the day of each meal. The periods of
 * each rule set are read once per run; the fee of a version is evaluated once per set of facts (the
 * children sharing a band share the evaluation). A line whose meals all fall in the version the
 * enrolment was priced with is left as it was; a fee set by the office is never re-priced.
 */
class VersionSplit {
  #periods = new Map<string, Promise<RulePeriod[]>>()
  #fees = new Map<string, Promise<{ unitCents: number | null; trace: unknown[] | null }>>()
  readonly #first: string
  readonly #last: string

  constructor(
    private ctx: PluginContext,
    period: string,
    private notes: BillingNote[]
  ) {
    const first = DateTime.fromISO(`${period}-01`, { zone: ZONE })
    this.#first = first.toISODate()!
    this.#last = first.endOf('month').toISODate()!
  }

  #periodsOf(ruleset: string) {
    let read = this.#periods.get(ruleset)
    if (!read) {
      read = this.ctx.rules.periods(ruleset, this.#first, this.#last)
      this.#periods.set(ruleset, read)
    }
    return read
  }

  #feeAt(ruleset: string, at: string, facts: Record<string, unknown>) {
    const key = `${ruleset}|${at}|${JSON.stringify(facts)}`
    let fee = this.#fees.get(key)
    if (!fee) {
      fee = this.ctx.rules.evaluate(ruleset, at, facts).then(
        (evaluation) => ({
          unitCents: euroTextToCents(evaluation.result.amount === null ? null : String(evaluation.result.amount)),
          trace: evaluation.trace,
        }),
        () => ({ unitCents: null, trace: null })
      )
      this.#fees.set(key, fee)
    }
    return fee
  }

  async apply(line: BillingLine, enrolment: EnrolmentRecord | undefined, days: string[]): Promise<BillingLine> {
    const tariff = enrolment?.tariff
    if (!enrolment || !tariff?.ruleset || enrolment.feeOverride || line.unitCents === undefined) return line
    const periods = await this.#periodsOf(tariff.ruleset)
    const used = periods
      .map((p) => ({ ...p, days: days.filter((day) => day >= p.from && day <= p.to).length }))
      .filter((p) => p.days > 0)
    if (used.length === 0 || (used.length === 1 && used[0].version === tariff.version)) return line
    const parts: FeePart[] = []
    const traces: Array<{ version: number | null; at: string; trace: unknown[] | null }> = []
    for (const p of used) {
      let unitCents = line.unitCents
      let trace: unknown[] | null = null
      if (p.version !== tariff.version) {
        const fee = p.version === null || !tariff.facts ? null : await this.#feeAt(tariff.ruleset, p.from, tariff.facts)
        if (fee && fee.unitCents !== null) {
          unitCents = fee.unitCents
          trace = fee.trace
        } else {
          const params = { from: p.from, to: p.to, fee: euro(line.unitCents) }
          this.notes.push({
            enrolmentId: enrolment.id,
            message: {
              it: this.ctx.t('billing.fee_not_computable', params, 'it'),
              en: this.ctx.t('billing.fee_not_computable', params, 'en'),
            },
          })
        }
      }
      parts.push({
        from: p.from,
        to: p.to,
        version: p.version,
        quantity: String(p.days),
        unitCents,
        amountCents: p.days * unitCents,
      })
      traces.push({ version: p.version, at: p.from, trace })
    }
    const details = { ...(line.details ?? {}), version: parts[parts.length - 1].version, at: parts[0].from }
    if (parts.length === 1) {
      return { ...line, unitCents: parts[0].unitCents, details: { ...details, trace: traces } }
    }
    const meals = parts.reduce((sum, p) => sum + Number(p.quantity), 0)
    const which = parts
      .map((p) => `${p.quantity} × ${euro(p.unitCents)} € (${dayMonth(p.from)}–${dayMonth(p.to)})`)
      .join(' + ')
    const rest: BillingLine = { ...line }
    delete rest.unitCents
    return {
      ...rest,
      quantity: String(meals),
      amountCents: parts.reduce((sum, p) => sum + p.amountCents, 0),
      description: `${line.description}: ${which}`,
      details: { ...details, versions: parts.map((p) => p.version), parts, trace: traces },
    }
  }
}
