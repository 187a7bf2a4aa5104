import { DateTime, PluginHttpError } from '@sportello/platform/sdk'
import type { PluginContext, PluginRequest } from '@sportello/platform/sdk'
import Assignment from '../models/assignment.js'
import Mark, { type MarkSource } from '../models/mark.js'
import AdultMeal, { type AdultKind } from '../models/adult_meal.js'
import ClassDay from '../models/class_day.js'
import { calendarOn } from './calendar_service.js'
import { clock, cutoffOf, say, settingsOf } from './common.js'
import { pupilOf } from './pupils.js'

type User = PluginRequest<unknown, unknown>['user']

/** Back-office roles see and do everything; school and kitchen staff only their own places. */
export const isBackOffice = (user: User) =>
  user.isPlatformAdmin || user.roles.includes('operator') || user.roles.includes('tenant_admin')

/** The schools a user may mark, or null for all of them (back office). */
export async function schoolsOfUser(user: User): Promise<Set<string> | null> {
  if (isBackOffice(user)) return null
  const rows = await Assignment.query().where('user_id', user.id).where('scope', 'school').limit(500)
  return new Set(rows.map((r) => r.code))
}

export async function checkSchoolAccess(ctx: PluginContext, user: User, schoolCode: string) {
  const allowed = await schoolsOfUser(user)
  if (allowed && !allowed.has(schoolCode)) {
    throw new PluginHttpError(403, [
      {
        path: '/school_code',
        rule: 'assignment',
        message: say(
          ctx.lang,
          `Non sei assegnato alla scuola ${schoolCode}: chiedi all'ufficio di assegnartela`,
          `You are not assigned to school ${schoolCode}: ask the office to assign it to you`
        ),
      },
    ])
  }
}

export interface IncomingMark {
  id: string
  day: string
  school_code: string
  class_year?: string | null
  section: string
  enrolment_id: number
  status?: 'present' | 'absent'
  plain?: boolean
  late_entry?: boolean
  early_exit?: boolean
  marked_at: string
}

export interface MarkResult {
  id: string
  result: 'accepted' | 'duplicate' | 'rejected'
  after_cutoff?: boolean
  message?: string
}

/** The device's time, normalised to UTC so that marks sort as text; a bad time is the receipt time. */
function deviceTime(value: string): string {
  const parsed = DateTime.fromISO(value, { setZone: true })
  return (parsed.isValid ? parsed : clock.now()).toUTC().toISO()!
}

/** Whether something for `day` arrives after that day's cut-off (it is kept, and flagged). */
export async function lateFor(ctx: PluginContext) {
  const settings = await settingsOf(ctx)
  const now = clock.now()
  return (day: string) => now >= cutoffOf(day, settings)
}

/**
 * Records a batch of marks. Each mark is answered on its own: accepted, duplicate (its device id was
 * already received: a resend never counts twice) or rejected with the reason; one bad mark never
 * costs the others. Marks for a day whose cut-off has passed are kept and flagged.
 */
export async function recordMarks(
  ctx: PluginContext,
  user: User,
  incoming: IncomingMark[],
  source: MarkSource
): Promise<MarkResult[]> {
  const results = new Map<string, MarkResult>()
  const allowed = await schoolsOfUser(user)
  const today = clock.now().toISODate()!
  const late = await lateFor(ctx)
  const ids = [...new Set(incoming.map((m) => m.id))]
  const known = new Set(
    (await Mark.query().whereIn('device_mark_id', ids).select('device_mark_id')).map((m) => m.deviceMarkId)
  )
  const enrolments = new Map(
    (await ctx.enrolments.list({ ids: [...new Set(incoming.map((m) => m.enrolment_id))] })).map((e) => [e.id, e])
  )
  const calendars = new Map<string, Awaited<ReturnType<typeof calendarOn>>>()
  const fresh: IncomingMark[] = []
  for (const mark of incoming) {
    if (results.has(mark.id)) continue
    if (known.has(mark.id)) {
      results.set(mark.id, { id: mark.id, result: 'duplicate' })
      continue
    }
    const reject = (it: string, en: string) =>
      void results.set(mark.id, { id: mark.id, result: 'rejected', message: say(ctx.lang, it, en) })
    const pupil = enrolments.get(mark.enrolment_id) ? pupilOf(enrolments.get(mark.enrolment_id)!) : null
    const classYear = mark.class_year ?? ''
    if (allowed && !allowed.has(mark.school_code)) {
      reject(`Non sei assegnato alla scuola ${mark.school_code}`, `You are not assigned to school ${mark.school_code}`)
    } else if (
      !pupil ||
      enrolments.get(mark.enrolment_id)!.status !== 'active' ||
      pupil.schoolCode !== mark.school_code ||
      pupil.classYear !== classYear ||
      pupil.section !== mark.section
    ) {
      reject(
        `L'iscrizione ${mark.enrolment_id} non è di questa classe`,
        `Enrolment ${mark.enrolment_id} is not in this class`
      )
    } else if (mark.day > today) {
      reject(`Il ${mark.day} non è ancora arrivato`, `${mark.day} has not come yet`)
    } else {
      if (!calendars.has(mark.day)) calendars.set(mark.day, await calendarOn(mark.day, ctx))
      if (!calendars.get(mark.day)!.served(mark.school_code, classYear, mark.section).served) {
        reject(`Il ${mark.day} questa classe non ha la mensa`, `This class has no canteen on ${mark.day}`)
      } else {
        fresh.push(mark)
      }
    }
  }
  const write = async () =>
    ctx.transaction(async (tctx) => {
      for (const mark of fresh) {
        const afterCutoff = late(mark.day)
        await Mark.create(
          {
            deviceMarkId: mark.id,
            day: mark.day,
            schoolCode: mark.school_code,
            classYear: mark.class_year ?? '',
            section: mark.section,
            enrolmentId: mark.enrolment_id,
            status: mark.status ?? null,
            plain: mark.plain ?? null,
            lateEntry: mark.late_entry ?? null,
            earlyExit: mark.early_exit ?? null,
            markedAt: deviceTime(mark.marked_at),
            afterCutoff,
            source,
            recordedBy: user.id,
          },
          { client: tctx.trx! }
        )
        results.set(mark.id, { id: mark.id, result: 'accepted', after_cutoff: afterCutoff })
      }
    })
  try {
    await write()
  } catch (error) {
    // Two sends of the same batch crossed: the first one's marks are in, so the second's are duplicates.
    const now = new Set(
      (
        await Mark.query()
          .whereIn(
            'device_mark_id',
            fresh.map((m) => m.id)
          )
          .select('device_mark_id')
      ).map((m) => m.deviceMarkId)
    )
    if (now.size === 0) throw error
    for (const mark of fresh.filter((m) => now.has(m.id))) results.set(mark.id, { id: mark.id, result: 'duplicate' })
    fresh.splice(0, fresh.length, ...fresh.filter((m) => !now.has(m.id)))
    await write()
  }
  const seen = new Set<string>()
  return incoming.filter((m) => !seen.has(m.id) && Boolean(seen.add(m.id))).map((m) => results.get(m.id)!)
}

export interface IncomingAdults {
  id: string
  day: string
  school_code: string
  slot: string
  kind: AdultKind
  count: number
  marked_at: string
}

/** Adults' meals of a slot: each entry sets the count of its school, slot and kind (the last one counts). */
export async function recordAdults(ctx: PluginContext, user: User, entries: IncomingAdults[], source: MarkSource) {
  const allowed = await schoolsOfUser(user)
  const today = clock.now().toISODate()!
  const late = await lateFor(ctx)
  const known = new Set(
    (
      await AdultMeal.query()
        .whereIn(
          'device_mark_id',
          entries.map((e) => e.id)
        )
        .select('device_mark_id')
    ).map((m) => m.deviceMarkId)
  )
  const results: MarkResult[] = []
  await ctx.transaction(async (tctx) => {
    for (const entry of entries) {
      if (known.has(entry.id)) {
        results.push({ id: entry.id, result: 'duplicate' })
        continue
      }
      if ((allowed && !allowed.has(entry.school_code)) || entry.day > today) {
        results.push({
          id: entry.id,
          result: 'rejected',
          message: say(
            ctx.lang,
            'Scuola non tua o giorno non ancora arrivato',
            'Not your school, or a day that has not come yet'
          ),
        })
        continue
      }
      known.add(entry.id)
      const afterCutoff = late(entry.day)
      await AdultMeal.create(
        {
          deviceMarkId: entry.id,
          day: entry.day,
          schoolCode: entry.school_code,
          slot: entry.slot,
          kind: entry.kind,
          count: entry.count,
          markedAt: deviceTime(entry.marked_at),
          afterCutoff,
          source,
          recordedBy: user.id,
        },
        { client: tctx.trx! }
      )
      results.push({ id: entry.id, result: 'accepted', after_cutoff: afterCutoff })
    }
  })
  return results
}

/** Closes a class's day; closing it again changes nothing. */
export async function closeClass(
  ctx: PluginContext,
  user: User,
  input: { day: string; school_code: string; class_year?: string | null; section: string; marked_at?: string },
  source: MarkSource
) {
  await checkSchoolAccess(ctx, user, input.school_code)
  const key = {
    day: input.day,
    schoolCode: input.school_code,
    classYear: input.class_year ?? '',
    section: input.section,
  }
  const find = () =>
    ClassDay.query()
      .where('day', key.day)
      .where('school_code', key.schoolCode)
      .where('class_year', key.classYear)
      .where('section', key.section)
      .first()
  const existing = await find()
  if (existing) return existing
  const late = await lateFor(ctx)
  try {
    return await ClassDay.create({
      ...key,
      closedAt: deviceTime(input.marked_at ?? clock.now().toISO()!),
      closedBy: user.id,
      afterCutoff: late(input.day),
      source,
    })
  } catch (error) {
    // Two devices closed the class at once: the other one's close stands.
    const other = await find()
    if (!other) throw error
    return other
  }
}
