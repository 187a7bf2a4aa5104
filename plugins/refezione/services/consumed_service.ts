import { DateTime } from 'luxon'
import type { PluginContext } from '@sportello/platform/sdk'
import ClassDay from '../models/class_day.js'
import Mark from '../models/mark.js'
import MealRequest from '../models/meal_request.js'
import { calendarsBetween } from './calendar_service.js'
import { ZONE, clock } from './common.js'
import { childDay } from './day_state.js'
import type { Pupil } from './pupils.js'

export interface ConsumedDay {
  day: string
  served: boolean
  ate: boolean
  plain: boolean
  /** The class was not closed: the day counts as the order counted it (enrolled minus cancellations). */
  estimated: boolean
}

/**
 * A child's meals in a month, up to yesterday (today's count is not final until the class closes):
 * what the family sees as "pasti consumati". Five queries for the month, whatever its length.
 */
export async function consumedIn(ctx: PluginContext, pupil: Pupil, month: string): Promise<ConsumedDay[]> {
  const first = DateTime.fromISO(`${month}-01`, { zone: ZONE })
  const yesterday = clock.now().minus({ days: 1 }).toISODate()!
  const last = first.endOf('month').toISODate()!
  const to = last < yesterday ? last : yesterday
  const from = first.toISODate()!
  if (to < from) return []
  const [calendars, requests, marks, closed] = await Promise.all([
    calendarsBetween(from, to, ctx),
    MealRequest.query().where('enrolment_id', pupil.enrolmentId).where('day', '>=', from).where('day', '<=', to),
    Mark.query()
      .where('school_code', pupil.schoolCode)
      .where('day', '>=', from)
      .where('day', '<=', to)
      .where('enrolment_id', pupil.enrolmentId)
      .orderBy('marked_at')
      .orderBy('id'),
    ClassDay.query()
      .where('school_code', pupil.schoolCode)
      .where('class_year', pupil.classYear)
      .where('section', pupil.section)
      .where('day', '>=', from)
      .where('day', '<=', to),
  ])
  const requestOn = new Map(requests.map((r) => [r.day, r.kind]))
  const closedOn = new Set(closed.map((c) => c.day))
  const marksOn = new Map<string, Mark[]>()
  for (const m of marks) marksOn.set(m.day, [...(marksOn.get(m.day) ?? []), m])
  const out: ConsumedDay[] = []
  for (const [day, calendar] of calendars) {
    const served = calendar.served(pupil.schoolCode, pupil.classYear, pupil.section).served
    const request = requestOn.get(day) ?? null
    if (!closedOn.has(day)) {
      out.push({
        day,
        served,
        ate: served && request !== 'cancel',
        plain: served && request === 'plain',
        estimated: served,
      })
      continue
    }
    const state = childDay(pupil, served, request, marksOn.get(day) ?? [])
    out.push({ day, served, ate: state.eats, plain: state.plain, estimated: false })
  }
  return out
}
