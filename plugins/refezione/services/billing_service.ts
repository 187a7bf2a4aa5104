import { DateTime, monthlyFeeCharges } from '@sportello/platform/sdk'
import type { BillingCharges, EnrolmentRecord, PluginContext } from '@sportello/platform/sdk'
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
  for (const schoolYear of years) {
    let afterId = 0
    for (;;) {
      const page = await ctx.enrolments.list({ schoolYear, status: 'active', afterId, limit: PAGE })
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
          const count: MealCount = { meals: 0, plain: 0, estimated: 0 }
          for (const [day, calendar] of calendars) {
            if (calendar.schoolYear?.code !== pupil.schoolYear) continue
            const served = calendar.served(pupil.schoolCode, pupil.classYear, pupil.section).served
            if (!served) continue
            const request = requestOf.get(`${pupil.enrolmentId}|${day}`) ?? null
            if (closed.has(`${day}|${classKey(pupil.schoolCode, pupil.classYear, pupil.section)}`)) {
              const state = childDay(pupil, served, request, marksOf.get(`${pupil.enrolmentId}|${day}`) ?? [])
              if (state.eats) count.meals++
              if (state.eats && state.plain) count.plain++
            } else if (request !== 'cancel') {
              count.meals++
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
 * set by hand; a child with no meal in the month owes nothing and gets no line.
 */
export async function mealCharges(period: string, ctx: PluginContext): Promise<BillingCharges> {
  const counts = await mealsInMonth(ctx, period)
  const quantity = (enrolment: EnrolmentRecord) => {
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
  return {
    lines: result.lines.map((line) => ({
      ...line,
      key: 'meals',
      details: { ...(line.details ?? {}), ...counts.get(line.enrolmentId) },
    })),
    notes: (result.notes ?? []).filter((n) => n.enrolmentId === undefined || ate.has(n.enrolmentId)),
  }
}
