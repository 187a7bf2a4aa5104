import {
  declaredIsee,
  textOf,
  type EnrolmentDescribeHelpers,
  type EnrolmentDetailGroup,
  type PluginManifest,
} from '@sportello/platform/sdk'

/**
 * The nurseries' part of an enrolment: the facilities chosen in order of preference (nidi,
 * Edugate), the attendance (full or part time, days a week), the weeks of nido estivo, and, in
 * the accessory services' forms, the service the child already attends.
 */
export interface NidiDetails {
  structure_preferences?: unknown[]
  attendance_time?: string
  weeks?: Array<{ from: string; to: string }>
  days_per_week?: string | number
  attended_service?: string
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const isWeek = (value: unknown): value is { from: string; to: string } =>
  isObject(value) && typeof value.from === 'string' && typeof value.to === 'string'

export function detailsOf(data: Record<string, unknown>): NidiDetails {
  const details: NidiDetails = {}
  if (Array.isArray(data.structure_preferences)) details.structure_preferences = data.structure_preferences
  const attendance = textOf(data.attendance_time)
  if (attendance) details.attendance_time = attendance
  if (Array.isArray(data.weeks)) details.weeks = data.weeks.filter(isWeek)
  if (typeof data.days_per_week === 'string' || typeof data.days_per_week === 'number')
    details.days_per_week = data.days_per_week
  // In the accessory services' forms `service` is the service the child attends (nido, Edugate).
  const attended = textOf(data.service)
  if (attended) details.attended_service = attended
  return details
}

/** The first week of attendance of nido estivo: it decides the school year (the one ending that summer). */
export function attendanceFrom(data: Record<string, unknown>): string | null {
  if (!Array.isArray(data.weeks)) return null
  const days = data.weeks
    .filter(isWeek)
    .map((w) => w.from)
    .filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d))
    .sort()
  return days[0] ?? null
}

const TEXT = {
  attendedService: { it: 'Servizio frequentato', en: 'Service attended' },
  structures: { it: 'Strutture scelte', en: 'Chosen facilities' },
  weeks: { it: 'Settimane di frequenza', en: 'Weeks of attendance' },
  daysPerWeek: { it: 'Giorni a settimana', en: 'Days a week' },
  attendance: { it: 'Frequenza', en: 'Attendance' },
}

export function describe(raw: Record<string, unknown>, h: EnrolmentDescribeHelpers): EnrolmentDetailGroup[] {
  const d = raw as NidiDetails
  const say = (text: { it: string; en: string }) => text[h.lang]
  const items: EnrolmentDetailGroup['items'] = []
  if (d.attended_service)
    items.push({
      label: say(TEXT.attendedService),
      value: h.enumLabel('service', d.attended_service) ?? d.attended_service,
    })
  const structures = (d.structure_preferences ?? []).map(String)
  if (structures.length) items.push({ label: say(TEXT.structures), value: structures })
  const weeks = (d.weeks ?? []).filter(isWeek).map((w) => `${h.day(w.from) ?? w.from} – ${h.day(w.to) ?? w.to}`)
  if (weeks.length) items.push({ label: say(TEXT.weeks), value: weeks })
  if (d.days_per_week !== undefined) items.push({ label: say(TEXT.daysPerWeek), value: String(d.days_per_week) })
  if (d.attendance_time)
    items.push({
      label: say(TEXT.attendance),
      value: h.enumLabel('attendance_time', d.attendance_time) ?? d.attendance_time,
    })
  return items.length ? [{ items }] : []
}

/**
 * Accepting an application for a nursery or one of its accessory services enrols the child, in the
 * acceptance's own transaction; the facility is the school of the record.
 */
export const enrolOnAcceptance: NonNullable<NonNullable<PluginManifest['events']>['submission.accepted']> = {
  inTransaction: true,
  handle: async (event, ctx) => {
    if (event.payload.service !== ctx.pluginId) return
    const submission = await ctx.submissions.find(event.payload.submissionId)
    if (!submission) return
    const data = submission.data
    await ctx.enrolments.enrolSubmission(submission.id, {
      schoolId: textOf(data.school_id) ?? textOf(data.structure_id),
      section: textOf(data.section),
      isee: declaredIsee(data),
      details: { ...detailsOf(data) },
    })
  },
}
