import type { PluginContext } from '@sportello/platform/sdk'
import Mark, { type MarkSource } from '../models/mark.js'
import AdultMeal, { type AdultKind } from '../models/adult_meal.js'
import ClassDay from '../models/class_day.js'
import type { RequestKind } from '../models/meal_request.js'
import { calendarOn, type DayCalendar } from './calendar_service.js'
import { requestsOn } from './booking_service.js'
import { classKey } from './common.js'
import { pupilOfPlacement, type Pupil } from './pupils.js'

/**
 * A child's canteen day, by the written rule that reconciles the two sources:
 * 1. no canteen for the class that day (calendar) → no meal, whatever else was said;
 * 2. otherwise the child is present, with the family's request applied: a cancellation makes the
 *    child absent, a plain-meal request makes the meal plain;
 * 3. then the school's marks, in the order the devices made them: each changes only what it says
 *    (a mark "present" overrides a family's cancellation: the school saw the child at the table).
 */
export interface ChildDay {
  pupil: Pupil
  served: boolean
  request: RequestKind | null
  eats: boolean
  plain: boolean
  lateEntry: boolean
  earlyExit: boolean
  /** Who decided the child's state last: the default, the family, or a mark and its source. */
  decidedBy: 'default' | 'family' | MarkSource
  /** A mark that arrived after the cut-off changed this child's day. */
  afterCutoff: boolean
}

/** What the rule reads of a mark (a Mark satisfies it; schoolsDay reads plain rows into it). */
export interface MarkFacts {
  id: number
  enrolmentId: number
  status: 'present' | 'absent' | null
  plain: boolean | null
  lateEntry: boolean | null
  earlyExit: boolean | null
  markedAt: string
  afterCutoff: boolean
  source: MarkSource
}

const flag = (value: unknown) => (value === null || value === undefined ? null : Boolean(value))

/**
 * The day's marks of these schools as plain rows, only the columns the rule reads: a city's day is
 * tens of thousands of marks, which the cut-off reads at once, so no model is built for each.
 */
async function marksOn(ctx: PluginContext, day: string, codes: string[]): Promise<MarkFacts[]> {
  const client = ctx.trx ?? undefined
  const rows = await inChunks(codes, (chunk) =>
    Mark.query({ client })
      .where('day', day)
      .whereIn('school_code', chunk)
      .select(
        'id',
        'enrolment_id',
        'status',
        'plain',
        'late_entry',
        'early_exit',
        'marked_at',
        'after_cutoff',
        'source'
      )
      .pojo<Record<string, unknown>>()
  )
  return rows.map((r) => ({
    id: Number(r.id),
    enrolmentId: Number(r.enrolment_id),
    status: (r.status as MarkFacts['status']) ?? null,
    plain: flag(r.plain),
    lateEntry: flag(r.late_entry),
    earlyExit: flag(r.early_exit),
    markedAt: String(r.marked_at),
    afterCutoff: Boolean(r.after_cutoff),
    source: r.source as MarkSource,
  }))
}

export function childDay(pupil: Pupil, served: boolean, request: RequestKind | null, marks: MarkFacts[]): ChildDay {
  const state: ChildDay = {
    pupil,
    served,
    request,
    eats: served && request !== 'cancel',
    plain: request === 'plain',
    lateEntry: false,
    earlyExit: false,
    decidedBy: request ? 'family' : 'default',
    afterCutoff: false,
  }
  if (!served) return { ...state, eats: false, plain: false }
  for (const mark of marks) {
    if (mark.status) state.eats = mark.status === 'present'
    if (mark.plain !== null) state.plain = mark.plain
    if (mark.lateEntry !== null) state.lateEntry = mark.lateEntry
    if (mark.earlyExit !== null) state.earlyExit = mark.earlyExit
    state.decidedBy = mark.source
    if (mark.afterCutoff) state.afterCutoff = true
  }
  if (!state.eats) state.plain = false
  return state
}

/** What the day's readers need of a class's closing (a ClassDay satisfies it; schoolsDay reads plain rows). */
export type ClassClosing = Pick<
  ClassDay,
  'schoolCode' | 'classYear' | 'section' | 'closedAt' | 'closedBy' | 'afterCutoff' | 'source'
>

export interface ClassSummary {
  schoolCode: string
  schoolOrder: string | null
  classYear: string
  section: string
  served: boolean
  children: ChildDay[]
  closed: ClassClosing | null
}

export interface AdultCount {
  schoolCode: string
  slot: string
  kind: AdultKind
  count: number
  afterCutoff: boolean
}

export interface SchoolsDay {
  day: string
  calendar: DayCalendar
  classes: ClassSummary[]
  adults: AdultCount[]
}

const byDeviceOrder = (a: { markedAt: string; id: number }, b: { markedAt: string; id: number }) =>
  a.markedAt < b.markedAt ? -1 : a.markedAt > b.markedAt ? 1 : a.id - b.id

const PAGE = 5000

/**
 * The active pupils of these schools in the school year, read lean in pages of 5,000: place and
 * diet only, no model per enrolment and no name decrypted (a city's day is 36,000 children). Their
 * names are read by `withNames` for the few that are shown (a class, the named special diets).
 */
export async function pupilsOf(ctx: PluginContext, schoolCodes: string[], schoolYear: string) {
  const pupils: Pupil[] = []
  let afterId = 0
  for (;;) {
    const page = await ctx.enrolments.placements({
      schoolIds: schoolCodes,
      status: 'active',
      schoolYear,
      afterId,
      limit: PAGE,
    })
    for (const record of page) {
      const pupil = pupilOfPlacement(record)
      if (pupil) pupils.push(pupil)
    }
    if (page.length < PAGE) return pupils
    afterId = page[page.length - 1].id
  }
}

/** The day's closings of these schools as plain rows: a city's day closes 1,600 classes. */
async function closingsOn(ctx: PluginContext, day: string, codes: string[]): Promise<ClassClosing[]> {
  const client = ctx.trx ?? undefined
  const rows = await inChunks(codes, (chunk) =>
    ClassDay.query({ client })
      .where('day', day)
      .whereIn('school_code', chunk)
      .select('school_code', 'class_year', 'section', 'closed_at', 'closed_by', 'after_cutoff', 'source')
      .pojo<Record<string, unknown>>()
  )
  return rows.map((r) => ({
    schoolCode: String(r.school_code),
    classYear: String(r.class_year ?? ''),
    section: String(r.section),
    closedAt: String(r.closed_at),
    closedBy: r.closed_by === null || r.closed_by === undefined ? null : Number(r.closed_by),
    afterCutoff: Boolean(r.after_cutoff),
    source: r.source as MarkSource,
  }))
}

async function inChunks<T>(codes: string[], read: (chunk: string[]) => Promise<T[]>) {
  const out: T[] = []
  for (let i = 0; i < codes.length; i += 500) out.push(...(await read(codes.slice(i, i + 500))))
  return out
}

/**
 * The day of a set of schools, every class with its children: a bounded number of queries whatever
 * the number of classes (pupils in pages, with the marks, closings and adults beside them, then the
 * requests, one pass each), and work linear in the pupils and marks.
 */
export async function schoolsDay(
  ctx: PluginContext,
  day: string,
  schools: Array<{ code: string; order: string | null; classes: Array<{ year: string | null; section: string }> }>
): Promise<SchoolsDay> {
  const client = ctx.trx ?? undefined
  const calendar = await calendarOn(day, ctx)
  const codes = schools.map((s) => s.code)
  // The marks, closings and adults are read while the pupils' pages are (the database answers
  // them while this process decrypts the pupils' details); the requests need the pupils.
  const [pupils, marks, closed, adults] = await Promise.all([
    calendar.schoolYear ? pupilsOf(ctx, codes, calendar.schoolYear.code) : ([] as Pupil[]),
    marksOn(ctx, day, codes),
    closingsOn(ctx, day, codes),
    inChunks(codes, (chunk) => AdultMeal.query({ client }).where('day', day).whereIn('school_code', chunk)),
  ])
  const requests = await requestsOn(
    ctx,
    day,
    pupils.map((p) => p.enrolmentId)
  )
  const marksOf = new Map<number, MarkFacts[]>()
  for (const mark of marks.sort(byDeviceOrder)) {
    const list = marksOf.get(mark.enrolmentId) ?? []
    list.push(mark)
    marksOf.set(mark.enrolmentId, list)
  }
  const closedOf = new Map(closed.map((c) => [classKey(c.schoolCode, c.classYear, c.section), c]))
  const classes = new Map<string, ClassSummary>()
  for (const school of schools) {
    for (const c of school.classes) {
      const key = classKey(school.code, c.year, c.section)
      classes.set(key, {
        schoolCode: school.code,
        schoolOrder: school.order,
        classYear: c.year ?? '',
        section: c.section,
        served: calendar.served(school.code, c.year, c.section).served,
        children: [],
        closed: closedOf.get(key) ?? null,
      })
    }
  }
  for (const pupil of pupils) {
    const summary = classes.get(classKey(pupil.schoolCode, pupil.classYear, pupil.section))
    // A child in a class the catalog no longer lists still eats: count it in a class of its own.
    const target =
      summary ??
      classes
        .set(classKey(pupil.schoolCode, pupil.classYear, pupil.section), {
          schoolCode: pupil.schoolCode,
          schoolOrder: pupil.schoolOrder,
          classYear: pupil.classYear,
          section: pupil.section,
          served: calendar.served(pupil.schoolCode, pupil.classYear, pupil.section).served,
          children: [],
          closed: closedOf.get(classKey(pupil.schoolCode, pupil.classYear, pupil.section)) ?? null,
        })
        .get(classKey(pupil.schoolCode, pupil.classYear, pupil.section))!
    target.children.push(
      childDay(pupil, target.served, requests.get(pupil.enrolmentId) ?? null, marksOf.get(pupil.enrolmentId) ?? [])
    )
  }
  const latest = new Map<string, AdultMeal>()
  for (const entry of adults.sort(byDeviceOrder)) latest.set(`${entry.schoolCode}|${entry.slot}|${entry.kind}`, entry)
  return {
    day,
    calendar,
    classes: [...classes.values()],
    adults: [...latest.values()]
      .filter((a) => a.count > 0)
      .map((a) => ({
        schoolCode: a.schoolCode,
        slot: a.slot,
        kind: a.kind,
        count: a.count,
        afterCutoff: a.afterCutoff,
      }))
      .sort((a, b) => (a.schoolCode + a.slot + a.kind < b.schoolCode + b.slot + b.kind ? -1 : 1)),
  }
}
