import { DateTime } from 'luxon'
import type { PluginContext } from '@sportello/platform/sdk'
import Assignment from '../models/assignment.js'
import ClassDay from '../models/class_day.js'
import Kitchen from '../models/kitchen.js'
import KitchenSchool from '../models/kitchen_school.js'
import Mark from '../models/mark.js'
import AdultMeal from '../models/adult_meal.js'
import Order from '../models/order.js'
import { calendarOn } from '../services/calendar_service.js'
import { ZONE, clock } from '../services/common.js'
import { pupilsOf } from '../services/day_state.js'
import { freezeDay } from '../services/order_service.js'

/**
 * Demo data: the demo comune's kitchens (the tender counts 27 centri cottura, one per plesso; the
 * demo catalog has a handful of schools, so two kitchens share them), the demo school and kitchen
 * users placed in them, and the last service day before today marked and ordered, so that a
 * newcomer opens the attendance and the kitchen's order and sees a day. Idempotent.
 */
export async function seedDemoDay(ctx: PluginContext, users: Array<{ id: number; roles: string[] }>) {
  const schools = await ctx.catalog.schools({ service: 'refezione' })
  if (schools.length === 0) return
  const kitchens = [
    {
      code: 'cc-infanzia',
      name: 'Centro cottura Farnesiana (demo)',
      schools: schools.filter((s) => s.order === 'infanzia'),
    },
    {
      code: 'cc-centro',
      name: 'Centro cottura Centro storico (demo)',
      schools: schools.filter((s) => s.order !== 'infanzia'),
    },
  ]
  for (const k of kitchens) {
    if (!(await Kitchen.query().where('code', k.code).first())) {
      await Kitchen.create({ code: k.code, name: k.name, demo: true })
    }
    for (const school of k.schools) {
      if (!(await KitchenSchool.query().where('school_code', school.code).first())) {
        await KitchenSchool.create({ kitchenCode: k.code, schoolCode: school.code })
      }
    }
  }
  const place = async (userId: number, scope: 'school' | 'kitchen', code: string) => {
    await Assignment.firstOrCreate({ userId, scope, code })
  }
  const firstPrimary = schools.find((s) => s.order === 'primaria') ?? schools[0]
  for (const user of users) {
    if (user.roles.includes('school_staff')) await place(user.id, 'school', firstPrimary.code)
    if (user.roles.includes('kitchen')) await place(user.id, 'kitchen', 'cc-centro')
  }

  // The last day before today with canteen at the first primary school.
  let day = clock.now().setZone(ZONE).startOf('day')
  let calendar = null
  for (let back = 1; back <= 21; back++) {
    const candidate = day.minus({ days: back }).toISODate()!
    const cal = await calendarOn(candidate, ctx)
    if (cal.served(firstPrimary.code, null, 'A').served && cal.schoolYear) {
      day = DateTime.fromISO(candidate, { zone: ZONE })
      calendar = cal
      break
    }
  }
  if (!calendar) return
  const date = day.toISODate()!
  if (await Order.query().where('day', date).first()) return
  const pupils = await pupilsOf(
    ctx,
    schools.map((s) => s.code),
    calendar.schoolYear!.code
  )
  const at = (time: string) => DateTime.fromISO(`${date}T${time}`, { zone: ZONE }).toUTC().toISO()!
  // The classes of the first primary school are marked and closed; the others are left open (estimated).
  const marked = pupils.filter((p) => p.schoolCode === firstPrimary.code)
  for (const [i, pupil] of marked.entries()) {
    const id = `demo-${date}-${pupil.enrolmentId}`
    if (await Mark.query().where('device_mark_id', id).first()) continue
    await Mark.create({
      deviceMarkId: id,
      day: date,
      schoolCode: pupil.schoolCode,
      classYear: pupil.classYear,
      section: pupil.section,
      enrolmentId: pupil.enrolmentId,
      status: 'present',
      plain: i % 5 === 4,
      lateEntry: null,
      earlyExit: null,
      markedAt: at('09:05'),
      afterCutoff: false,
      source: 'tablet',
      recordedBy: null,
    })
  }
  for (const klass of new Set(marked.map((p) => `${p.classYear}|${p.section}`))) {
    const [classYear, section] = klass.split('|')
    await ClassDay.firstOrCreate(
      { day: date, schoolCode: firstPrimary.code, classYear, section },
      { closedAt: at('09:15'), closedBy: null, afterCutoff: false, source: 'tablet' }
    )
  }
  for (const [kind, count] of [
    ['teacher', 2],
    ['other', 1],
  ] as const) {
    const id = `demo-${date}-adults-${kind}`
    if (await AdultMeal.query().where('device_mark_id', id).first()) continue
    await AdultMeal.create({
      deviceMarkId: id,
      day: date,
      schoolCode: firstPrimary.code,
      slot: '12:30',
      kind,
      count,
      markedAt: at('09:10'),
      afterCutoff: false,
      source: 'tablet',
      recordedBy: null,
    })
  }
  await freezeDay(ctx, date)
}
