import { DateTime, PluginHttpError } from '@sportello/platform/sdk'
import type { PluginContext, PluginReport } from '@sportello/platform/sdk'
import AdultMeal from '../models/adult_meal.js'
import Alert from '../models/alert.js'
import ClassDay from '../models/class_day.js'
import Order from '../models/order.js'
import { ZONE, say } from './common.js'
import { schoolsDay, pupilsOf } from './day_state.js'
import { lineOf } from './order_service.js'
import { dietLabel } from './order_documents.js'
import { schoolYearOn } from './calendar_service.js'

const BACK_OFFICE = ['operator', 'tenant_admin'] as const
/** A report covers at most a school year's worth of days: its rows stay bounded. */
const MAX_DAYS = 400

const period = {
  type: 'object',
  properties: {
    from: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
    to: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
    school_code: { type: 'string', minLength: 1, maxLength: 64 },
  },
  required: ['from', 'to'],
  additionalProperties: false,
}

interface PeriodParams extends Record<string, unknown> {
  from: string
  to: string
  school_code?: string
}

function daysOf(ctx: PluginContext, params: PeriodParams): string[] {
  const from = DateTime.fromISO(params.from, { zone: ZONE })
  const to = DateTime.fromISO(params.to, { zone: ZONE })
  const span = Math.round(to.diff(from, 'days').days)
  if (!from.isValid || !to.isValid || span < 0 || span > MAX_DAYS) {
    throw new PluginHttpError(422, [
      {
        path: '/to',
        rule: 'range',
        message: say(
          ctx.lang,
          `Il periodo va dal primo all'ultimo giorno, al più ${MAX_DAYS} giorni`,
          `The period goes from the first to the last day, ${MAX_DAYS} days at most`
        ),
      },
    ])
  }
  return Array.from({ length: span + 1 }, (_, i) => from.plus({ days: i }).toISODate()!)
}

async function canteenSchools(ctx: PluginContext, only?: string) {
  const schools = (await ctx.catalog.schools({ service: 'refezione' })).filter((s) => !only || s.code === only)
  const classes = await ctx.catalog.classesOf(schools.map((s) => s.code))
  return schools.map((s) => ({ code: s.code, name: s.name, order: s.order, classes: classes[s.code] ?? [] }))
}

const presences: PluginReport<PeriodParams> = {
  id: 'presenze',
  title: { it: 'Presenze per giorno, scuola e classe', en: 'Presences by day, school and class' },
  description: {
    it: 'Iscritti, pasti, pasti in bianco e assenti di ogni classe, giorno per giorno nel periodo.',
    en: 'Enrolled, meals, plain meals and absences of each class, day by day in the period.',
  },
  roles: BACK_OFFICE,
  params: period,
  check: (params, ctx) => void daysOf(ctx, params),
  columns: [
    { key: 'day', label: { it: 'Giorno', en: 'Day' }, type: 'date' },
    { key: 'school', label: { it: 'Scuola', en: 'School' }, type: 'text', width: 36 },
    { key: 'order', label: { it: 'Ordine', en: 'Order' }, type: 'text' },
    { key: 'class_year', label: { it: 'Classe', en: 'Class' }, type: 'text' },
    { key: 'section', label: { it: 'Sezione', en: 'Section' }, type: 'text' },
    { key: 'enrolled', label: { it: 'Iscritti', en: 'Enrolled' }, type: 'integer' },
    { key: 'meals', label: { it: 'Pasti', en: 'Meals' }, type: 'integer' },
    { key: 'plain', label: { it: 'In bianco', en: 'Plain' }, type: 'integer' },
    { key: 'absent', label: { it: 'Assenti', en: 'Absent' }, type: 'integer' },
    { key: 'estimated', label: { it: 'Stimato', en: 'Estimated' }, type: 'boolean' },
  ],
  /** Day by day, computed as the order is: closed classes as marked, open ones by the fallback rule. */
  async *rows(params, ctx) {
    const schools = await canteenSchools(ctx, params.school_code)
    const names = new Map(schools.map((s) => [s.code, s.name]))
    for (const day of daysOf(ctx, params)) {
      const state = await schoolsDay(ctx, day, schools)
      for (const c of state.classes.filter((k) => k.served)) {
        const { line } = lineOf(c, names.get(c.schoolCode) ?? c.schoolCode)
        yield {
          day,
          school: line.school_name,
          order: line.order,
          class_year: line.class_year,
          section: line.section,
          enrolled: c.children.length,
          meals: line.meals,
          plain: line.plain,
          absent: c.children.length - line.meals,
          estimated: line.estimated,
        }
      }
    }
  },
}

const adults: PluginReport<PeriodParams> = {
  id: 'adulti',
  title: { it: 'Pasti adulti per giorno e scuola', en: "Adults' meals by day and school" },
  description: {
    it: 'I pasti di insegnanti e altri adulti, per giorno, scuola e turno.',
    en: "Teachers' and other adults' meals by day, school and slot.",
  },
  roles: BACK_OFFICE,
  params: period,
  check: (params, ctx) => void daysOf(ctx, params),
  columns: [
    { key: 'day', label: { it: 'Giorno', en: 'Day' }, type: 'date' },
    { key: 'school_code', label: { it: 'Scuola', en: 'School' }, type: 'text' },
    { key: 'slot', label: { it: 'Turno', en: 'Slot' }, type: 'text' },
    { key: 'teachers', label: { it: 'Insegnanti', en: 'Teachers' }, type: 'integer' },
    { key: 'others', label: { it: 'Altri adulti', en: 'Other adults' }, type: 'integer' },
  ],
  async *rows(params, ctx) {
    daysOf(ctx, params)
    // The latest entry of each day, school, slot and kind counts; entries come in pages, in order.
    const latest = new Map<string, AdultMeal>()
    let last = 0
    for (;;) {
      const query = AdultMeal.query()
        .where('day', '>=', params.from)
        .where('day', '<=', params.to)
        .where('id', '>', last)
        .orderBy('id')
        .limit(1000)
      if (params.school_code) query.where('school_code', params.school_code)
      const page = await query
      for (const entry of page) {
        const key = `${entry.day}|${entry.schoolCode}|${entry.slot}|${entry.kind}`
        const seen = latest.get(key)
        if (!seen || seen.markedAt < entry.markedAt || (seen.markedAt === entry.markedAt && seen.id < entry.id)) {
          latest.set(key, entry)
        }
      }
      if (page.length < 1000) break
      last = page[page.length - 1].id
    }
    const rows = new Map<string, { day: string; school_code: string; slot: string; teachers: number; others: number }>()
    for (const entry of latest.values()) {
      const key = `${entry.day}|${entry.schoolCode}|${entry.slot}`
      const row = rows.get(key) ?? {
        day: entry.day,
        school_code: entry.schoolCode,
        slot: entry.slot,
        teachers: 0,
        others: 0,
      }
      if (entry.kind === 'teacher') row.teachers = entry.count
      else row.others = entry.count
      rows.set(key, row)
    }
    yield* [...rows.values()].sort((a, b) =>
      `${a.day}|${a.school_code}|${a.slot}` < `${b.day}|${b.school_code}|${b.slot}` ? -1 : 1
    )
  },
}

const diets: PluginReport<{ day: string }> = {
  id: 'diete',
  title: { it: 'Diete speciali per dieta e scuola', en: 'Special diets by diet and school' },
  description: {
    it: 'Quanti bambini seguono ogni dieta speciale, scuola per scuola, nel giorno scelto.',
    en: 'How many children follow each special diet, school by school, on the chosen day.',
  },
  roles: BACK_OFFICE,
  params: {
    type: 'object',
    properties: { day: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } },
    required: ['day'],
    additionalProperties: false,
  },
  columns: [
    { key: 'school', label: { it: 'Scuola', en: 'School' }, type: 'text', width: 36 },
    { key: 'diet', label: { it: 'Dieta', en: 'Diet' }, type: 'text' },
    { key: 'children', label: { it: 'Bambini', en: 'Children' }, type: 'integer' },
  ],
  /** Counts only (no names): the enrolled children of the school year in force on the day. */
  async *rows(params, ctx) {
    const year = await schoolYearOn(params.day, ctx)
    if (!year) return
    const schools = await canteenSchools(ctx)
    const counts = new Map<string, number>()
    for (const pupil of await pupilsOf(
      ctx,
      schools.map((s) => s.code),
      year.code
    )) {
      if (!pupil.diet) continue
      const key = `${pupil.schoolCode}|${pupil.diet}`
      counts.set(key, (counts.get(key) ?? 0) + 1)
    }
    for (const school of schools) {
      for (const [key, n] of [...counts.entries()].filter(([k]) => k.startsWith(`${school.code}|`)).sort()) {
        yield { school: school.name, diet: dietLabel(ctx.lang, key.slice(school.code.length + 1)), children: n }
      }
    }
  },
}

const consumed: PluginReport<PeriodParams> = {
  id: 'pasti',
  title: { it: 'Pasti consumati nel periodo', en: 'Meals consumed in a period' },
  description: {
    it: 'I totali del periodo per scuola: giorni di servizio, pasti di alunni e adulti, classi stimate.',
    en: "The period's totals by school: service days, pupils' and adults' meals, estimated classes.",
  },
  roles: BACK_OFFICE,
  params: period,
  check: (params, ctx) => void daysOf(ctx, params),
  columns: [
    { key: 'school', label: { it: 'Scuola', en: 'School' }, type: 'text', width: 36 },
    { key: 'order', label: { it: 'Ordine', en: 'Order' }, type: 'text' },
    { key: 'days', label: { it: 'Giorni di servizio', en: 'Service days' }, type: 'integer' },
    { key: 'meals', label: { it: 'Pasti alunni', en: "Pupils' meals" }, type: 'integer' },
    { key: 'plain', label: { it: 'di cui in bianco', en: 'of which plain' }, type: 'integer' },
    { key: 'teachers', label: { it: 'Pasti insegnanti', en: "Teachers' meals" }, type: 'integer' },
    { key: 'others', label: { it: 'Pasti altri adulti', en: "Other adults' meals" }, type: 'integer' },
    { key: 'estimated_lines', label: { it: 'Classi stimate', en: 'Estimated classes' }, type: 'integer' },
  ],
  /** From the kitchens' orders as last revised: what was cooked, and what the caterer invoices. */
  async *rows(params, ctx) {
    daysOf(ctx, params)
    const totals = new Map<
      string,
      {
        school: string
        order: string
        days: Set<string>
        meals: number
        plain: number
        teachers: number
        others: number
        estimated_lines: number
      }
    >()
    const of = (code: string, name: string, order: string | null) => {
      const row = totals.get(code) ?? {
        school: name,
        order: order ?? '',
        days: new Set<string>(),
        meals: 0,
        plain: 0,
        teachers: 0,
        others: 0,
        estimated_lines: 0,
      }
      totals.set(code, row)
      return row
    }
    let last = 0
    for (;;) {
      const page = await Order.query()
        .where('day', '>=', params.from)
        .where('day', '<=', params.to)
        .where('id', '>', last)
        .orderBy('id')
        .limit(200)
      for (const order of page) {
        for (const l of order.lines.classes) {
          if (params.school_code && l.school_code !== params.school_code) continue
          const row = of(l.school_code, l.school_name, l.order)
          row.days.add(order.day)
          row.meals += l.meals
          row.plain += l.plain
          if (l.estimated) row.estimated_lines++
        }
        for (const a of order.lines.adults) {
          if (params.school_code && a.school_code !== params.school_code) continue
          const row = totals.get(a.school_code)
          if (!row) continue
          row.teachers += a.teachers
          row.others += a.others
        }
      }
      if (page.length < 200) break
      last = page[page.length - 1].id
    }
    for (const row of [...totals.values()].sort((a, b) => a.school.localeCompare(b.school, 'it'))) {
      yield { ...row, days: row.days.size }
    }
  },
}

const lateClasses: PluginReport<PeriodParams> = {
  id: 'classi-in-ritardo',
  title: { it: 'Classi chiuse in ritardo o stimate', en: 'Classes closed late or estimated' },
  description: {
    it: "Le classi che hanno chiuso le presenze dopo l'orario limite o di cui il pasto è stato stimato.",
    en: 'The classes that closed their attendance after the cut-off or whose meals were estimated.',
  },
  roles: BACK_OFFICE,
  params: period,
  check: (params, ctx) => void daysOf(ctx, params),
  columns: [
    { key: 'day', label: { it: 'Giorno', en: 'Day' }, type: 'date' },
    { key: 'school_code', label: { it: 'Scuola', en: 'School' }, type: 'text' },
    { key: 'class_year', label: { it: 'Classe', en: 'Class' }, type: 'text' },
    { key: 'section', label: { it: 'Sezione', en: 'Section' }, type: 'text' },
    { key: 'what', label: { it: 'Cosa', en: 'What' }, type: 'text', width: 30 },
  ],
  async *rows(params, ctx) {
    daysOf(ctx, params)
    const estimated = await Alert.query()
      .where('kind', 'class_not_closed')
      .where('day', '>=', params.from)
      .where('day', '<=', params.to)
      .orderBy('day')
      .orderBy('id')
      .limit(100_000)
    const late = await ClassDay.query()
      .where('after_cutoff', true)
      .where('day', '>=', params.from)
      .where('day', '<=', params.to)
      .orderBy('day')
      .orderBy('id')
      .limit(100_000)
    const rows = [
      ...estimated.map((a) => ({
        day: a.day,
        school_code: a.schoolCode,
        class_year: a.classYear || null,
        section: a.section,
        what: say(ctx.lang, "stimata all'orario limite", 'estimated at the cut-off'),
      })),
      ...late.map((c) => ({
        day: c.day,
        school_code: c.schoolCode,
        class_year: c.classYear || null,
        section: c.section,
        what: say(ctx.lang, "chiusa dopo l'orario limite", 'closed after the cut-off'),
      })),
    ].filter((r) => !params.school_code || r.school_code === params.school_code)
    yield* rows.sort((a, b) =>
      `${a.day}|${a.school_code}|${a.section}` < `${b.day}|${b.school_code}|${b.section}` ? -1 : 1
    )
  },
}

export const REPORTS = [presences, adults, diets, consumed, lateClasses]
