import type { EnrolmentRecord, PluginContext, PluginReport, ReportValue } from '@sportello/platform/sdk'

/**
 * The reports of Allegato A ("Strumenti di Reporting") read from the register alone: the enrolled
 * children by school, how many are in each fee band, the non-residents and the exempt. They read the
 * active enrolments of a school year a page at a time; the bands, the regime and the exemption are
 * the outputs of the canteen's rule set (rules/refezione/refezione.tariffa.json: `band`, `regime`
 * "non_residente", `exempt`), as computed when the child was enrolled or renewed.
 */

const BACK_OFFICE = ['operator', 'tenant_admin'] as const
const PAGE = 500

interface YearParams extends Record<string, unknown> {
  school_year: string
  school_code?: string
}

const yearParams = {
  type: 'object',
  properties: {
    school_year: { type: 'string', pattern: '^\\d{4}/\\d{4}$' },
    school_code: { type: 'string', minLength: 1, maxLength: 64 },
  },
  required: ['school_year'],
  additionalProperties: false,
}

/** The active enrolments of the year (at one school when asked), a page at a time, in id order. */
async function* activeEnrolments(ctx: PluginContext, params: YearParams, withTariffResult = false) {
  let afterId = 0
  for (;;) {
    const page = await ctx.enrolments.list({
      schoolYear: params.school_year,
      status: 'active',
      ...(params.school_code ? { schoolIds: [params.school_code] } : {}),
      afterId,
      limit: PAGE,
      withTariffResult,
    })
    if (page.length === 0) return
    yield* page
    afterId = page[page.length - 1].id
  }
}

async function schoolNames(ctx: PluginContext) {
  const schools = await ctx.catalog.schools({ service: 'refezione' })
  return new Map(schools.map((s) => [s.code, s.name]))
}

const childColumns = [
  { key: 'last_name', label: { it: 'Cognome', en: 'Last name' }, type: 'text', width: 20 },
  { key: 'first_name', label: { it: 'Nome', en: 'First name' }, type: 'text', width: 20 },
  { key: 'fiscal_code', label: { it: 'Codice fiscale', en: 'Codice fiscale' }, type: 'text', width: 20 },
  { key: 'birth_date', label: { it: 'Data di nascita', en: 'Birth date' }, type: 'date' },
] as const

function childCells(e: EnrolmentRecord): Record<string, ReportValue> {
  return {
    last_name: e.child.lastName,
    first_name: e.child.firstName,
    fiscal_code: e.child.fiscalCode,
    birth_date: e.child.birthDate,
  }
}

const byName = (a: EnrolmentRecord, b: EnrolmentRecord) =>
  `${a.child.lastName ?? ''} ${a.child.firstName ?? ''}`.localeCompare(
    `${b.child.lastName ?? ''} ${b.child.firstName ?? ''}`,
    'it'
  )

const bySchool: PluginReport<YearParams> = {
  id: 'iscritti-per-scuola',
  title: { it: 'Iscritti per scuola', en: 'Enrolled children by school' },
  description: {
    it: "I bambini iscritti nell'anno scolastico, scuola per scuola, per classe e sezione.",
    en: 'The children enrolled in the school year, school by school, by class and section.',
  },
  roles: BACK_OFFICE,
  params: yearParams,
  columns: [
    { key: 'school', label: { it: 'Scuola', en: 'School' }, type: 'text', width: 36 },
    { key: 'class_year', label: { it: 'Classe', en: 'Class' }, type: 'text', width: 8 },
    { key: 'section', label: { it: 'Sezione', en: 'Section' }, type: 'text', width: 8 },
    ...childColumns,
  ],
  /** School by school (one school's children held at a time, to order them by class and name). */
  async *rows(params, ctx) {
    const names = await schoolNames(ctx)
    const codes = params.school_code ? [params.school_code] : [...names.keys()]
    codes.sort((a, b) => (names.get(a) ?? a).localeCompare(names.get(b) ?? b, 'it'))
    for (const code of codes) {
      const children: EnrolmentRecord[] = []
      for await (const e of activeEnrolments(ctx, { ...params, school_code: code })) children.push(e)
      const classOf = (e: EnrolmentRecord) => `${String(e.details?.class_year ?? '')}|${e.section ?? ''}`
      children.sort((a, b) => classOf(a).localeCompare(classOf(b)) || byName(a, b))
      for (const e of children) {
        yield {
          school: names.get(code) ?? code,
          class_year: typeof e.details?.class_year === 'string' ? e.details.class_year : null,
          section: e.section,
          ...childCells(e),
        }
      }
    }
  },
}

/** The groups of the band report, in this order; a band the rule set names otherwise is shown as written. */
const GROUPS: Record<string, { it: string; en: string }> = {
  intera: { it: 'Tariffa intera', en: 'Full fee' },
  ridotta: { it: 'Tariffa ridotta', en: 'Reduced fee' },
  minima: { it: 'Tariffa minima', en: 'Minimum fee' },
  non_residente: { it: 'Non residenti (tariffa unica)', en: 'Non-residents (flat fee)' },
  esente: { it: 'Esenti', en: 'Exempt' },
  none: { it: 'Tariffa non calcolata', en: 'Fee not computed' },
}

function groupOf(e: EnrolmentRecord): string {
  const result = e.tariff.result
  if (!result) return 'none'
  if (result.exempt === true) return 'esente'
  if (result.regime === 'non_residente') return 'non_residente'
  return typeof result.band === 'string' && result.band ? result.band : 'none'
}

const byBand: PluginReport<YearParams> = {
  id: 'iscritti-per-fascia',
  title: { it: 'Iscritti per fascia tariffaria', en: 'Enrolled children by fee band' },
  description: {
    it: 'Quanti iscritti per fascia tariffaria, con non residenti ed esenti.',
    en: 'How many children in each fee band, with non-residents and exempt children.',
  },
  roles: BACK_OFFICE,
  params: yearParams,
  columns: [
    { key: 'band', label: { it: 'Fascia', en: 'Band' }, type: 'text', width: 32 },
    { key: 'children', label: { it: 'Iscritti', en: 'Children' }, type: 'integer' },
  ],
  /** Counts only (no names); a fee set by hand does not change the band the rule set gave. */
  async *rows(params, ctx) {
    const counts = new Map<string, number>()
    for await (const e of activeEnrolments(ctx, params, true)) {
      const group = groupOf(e)
      counts.set(group, (counts.get(group) ?? 0) + 1)
    }
    const order = Object.keys(GROUPS)
    const keys = [...counts.keys()].sort(
      (a, b) => (order.indexOf(a) + 1 || order.length) - (order.indexOf(b) + 1 || order.length) || a.localeCompare(b)
    )
    for (const key of keys) {
      yield { band: GROUPS[key]?.[ctx.lang] ?? key, children: counts.get(key)! }
    }
  },
}

/** A list of the children of one group of the band report, with their school and fee. */
function groupList(
  id: string,
  title: { it: string; en: string },
  group: string,
  withFee: boolean
): PluginReport<YearParams> {
  return {
    id,
    title,
    roles: BACK_OFFICE,
    params: yearParams,
    columns: [
      { key: 'school', label: { it: 'Scuola', en: 'School' }, type: 'text', width: 36 },
      { key: 'section', label: { it: 'Sezione', en: 'Section' }, type: 'text', width: 8 },
      ...childColumns,
      ...(withFee ? [{ key: 'fee', label: { it: 'Tariffa', en: 'Fee' }, type: 'money' as const }] : []),
    ],
    /** In id order, a page at a time. */
    async *rows(params, ctx) {
      const names = await schoolNames(ctx)
      for await (const e of activeEnrolments(ctx, params, true)) {
        if (groupOf(e) !== group) continue
        yield {
          school: e.schoolId ? (names.get(e.schoolId) ?? e.schoolId) : null,
          section: e.section,
          ...childCells(e),
          ...(withFee ? { fee: e.feeOverride?.amount ?? e.tariff.amount } : {}),
        }
      }
    },
  }
}

const nonResidents = groupList(
  'non-residenti',
  { it: 'Iscritti non residenti', en: 'Non-resident enrolled children' },
  'non_residente',
  true
)
const exempt = groupList('esenti', { it: 'Iscritti esenti', en: 'Exempt enrolled children' }, 'esente', false)

export const ENROLMENT_REPORTS = [bySchool, byBand, nonResidents, exempt]
