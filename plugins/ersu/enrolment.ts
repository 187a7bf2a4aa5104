import {
  declaredIsee,
  textOf,
  type EnrolmentDescribeHelpers,
  type EnrolmentDetailGroup,
  type PluginManifest,
} from '@sportello/platform/sdk'

/**
 * The right-to-study part of an enrolment, what the ERSU rankings and the housing call need once
 * an application is accepted (capitolato ERSU Sassari, art. 3: rankings "distinte tra primi anni e
 * anni successivi", per course year and level; housing only for students "fuori sede"; the housing
 * call order takes one first-year student every three later-year ones, by income and then by
 * credits and average mark). The student is the form's shared `student` group, read by the
 * platform; the ISEE is the shared fee block.
 *
 * The form fields it reads: `benefits` (the benefits asked: scholarship, housing, canteen),
 * `institution` (university, academy, conservatory), `degree_course`, `course_level` (1, 2, 3),
 * `course_year`, `first_year` (a freshman), `student_status` (in sede, pendolare, fuori sede),
 * `credits` and `average_mark` (merit, later years only).
 */
export interface ErsuDetails {
  benefits?: string[]
  institution?: string
  degree_course?: string
  course_level?: number
  course_year?: number
  first_year?: boolean
  student_status?: string
  credits?: number
  /** Decimal string ("27.50"), never a float. */
  average_mark?: string
}

/** A whole number in a plausible range, from a number or its text. */
function whole(value: unknown, max: number): number | undefined {
  const text = typeof value === 'number' || typeof value === 'string' ? String(value).trim() : ''
  if (!/^\d{1,4}$/.test(text)) return undefined
  const n = Number(text)
  return n <= max ? n : undefined
}

/** An average mark out of 30 (with lode as 30), kept as a decimal string of two places. */
function mark(value: unknown): string | undefined {
  const text = typeof value === 'number' || typeof value === 'string' ? String(value).trim() : ''
  const match = /^(\d{1,2})(?:\.(\d{1,2}))?$/.exec(text)
  if (!match || Number(match[1]) > 30 || (Number(match[1]) === 30 && Number(match[2] ?? 0) > 0)) return undefined
  return `${match[1]}.${(match[2] ?? '').padEnd(2, '0')}`
}

export function detailsOf(data: Record<string, unknown>): ErsuDetails {
  const details: ErsuDetails = {}
  if (Array.isArray(data.benefits)) {
    const benefits = data.benefits.filter((b): b is string => typeof b === 'string' && b.length > 0)
    if (benefits.length) details.benefits = benefits
  }
  for (const key of ['institution', 'degree_course', 'student_status'] as const) {
    const text = textOf(data[key])
    if (text) details[key] = text
  }
  const level = whole(data.course_level, 3)
  if (level) details.course_level = level
  const year = whole(data.course_year, 10)
  if (year) details.course_year = year
  if (typeof data.first_year === 'boolean') details.first_year = data.first_year
  const credits = whole(data.credits, 400)
  if (credits !== undefined) details.credits = credits
  const average = mark(data.average_mark)
  if (average) details.average_mark = average
  return details
}

const TEXT = {
  benefits: { it: 'Benefici richiesti', en: 'Benefits requested' },
  institution: { it: 'Ateneo o istituto', en: 'University or institute' },
  course: { it: 'Corso di studi', en: 'Course of study' },
  level: { it: 'Livello', en: 'Level' },
  year: { it: 'Anno di corso', en: 'Year of course' },
  freshman: { it: 'Iscrizione al primo anno', en: 'First-year student' },
  yes: { it: 'sì', en: 'yes' },
  no: { it: 'no', en: 'no' },
  status: { it: 'Condizione', en: 'Status' },
  credits: { it: 'Crediti conseguiti', en: 'Credits earned' },
  mark: { it: 'Media dei voti', en: 'Average mark' },
}

export function describe(raw: Record<string, unknown>, h: EnrolmentDescribeHelpers): EnrolmentDetailGroup[] {
  const d = raw as ErsuDetails
  const say = (text: { it: string; en: string }) => text[h.lang]
  const items: EnrolmentDetailGroup['items'] = []
  if (d.benefits?.length) {
    items.push({ label: say(TEXT.benefits), value: d.benefits.map((b) => h.enumLabel('benefits', b) ?? b) })
  }
  if (d.institution)
    items.push({ label: say(TEXT.institution), value: h.enumLabel('institution', d.institution) ?? d.institution })
  if (d.degree_course) items.push({ label: say(TEXT.course), value: d.degree_course })
  if (d.course_level) items.push({ label: say(TEXT.level), value: String(d.course_level) })
  if (d.course_year) items.push({ label: say(TEXT.year), value: String(d.course_year) })
  if (d.first_year !== undefined)
    items.push({ label: say(TEXT.freshman), value: say(d.first_year ? TEXT.yes : TEXT.no) })
  if (d.student_status) {
    items.push({ label: say(TEXT.status), value: h.enumLabel('student_status', d.student_status) ?? d.student_status })
  }
  if (d.credits !== undefined) items.push({ label: say(TEXT.credits), value: String(d.credits) })
  if (d.average_mark) items.push({ label: say(TEXT.mark), value: d.average_mark })
  return items.length ? [{ items }] : []
}

/**
 * Accepting an application of the service enrols the student, in the acceptance's own transaction
 * (accepted and enrolled together, or neither): the record the rankings and the benefits start from.
 */
export const enrolOnAcceptance: NonNullable<NonNullable<PluginManifest['events']>['submission.accepted']> = {
  inTransaction: true,
  handle: async (event, ctx) => {
    if (event.payload.service !== ctx.pluginId) return
    const submission = await ctx.submissions.find(event.payload.submissionId)
    if (!submission) return
    const data = submission.data
    await ctx.enrolments.enrolSubmission(submission.id, {
      schoolId: null,
      section: null,
      isee: declaredIsee(data),
      details: { ...detailsOf(data) },
    })
  },
}
