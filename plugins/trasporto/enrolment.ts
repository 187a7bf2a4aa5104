import {
  declaredIsee,
  textOf,
  type EnrolmentDescribeHelpers,
  type EnrolmentDetailGroup,
  type PluginManifest,
} from '@sportello/platform/sdk'

/**
 * The transport's part of an enrolment (Allegato B and C): school order and class, the line and
 * stop (or the route), the payment plan, and the people allowed to pick the child up at the stop
 * (names and relationship only; the platform keeps these details encrypted at rest).
 */
export interface TrasportoDetails {
  school_order?: string
  class_year?: string
  transport_line?: string
  transport_stop?: string
  route?: string
  payment_plan?: string
  authorised_pickup_persons?: Array<{ first_name: unknown; last_name: unknown; relationship: unknown }>
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

export function detailsOf(data: Record<string, unknown>): TrasportoDetails {
  const details: TrasportoDetails = {}
  for (const key of [
    'school_order',
    'class_year',
    'transport_line',
    'transport_stop',
    'route',
    'payment_plan',
  ] as const) {
    const value = textOf(data[key])
    if (value) details[key] = value
  }
  if (Array.isArray(data.authorised_pickup_persons)) {
    details.authorised_pickup_persons = data.authorised_pickup_persons
      .filter(isObject)
      .map((p) => ({ first_name: p.first_name, last_name: p.last_name, relationship: p.relationship }))
  }
  return details
}

const TEXT = {
  schoolOrder: { it: 'Ordine di scuola', en: 'School level' },
  class: { it: 'Classe', en: 'Class' },
  line: { it: 'Linea', en: 'Line' },
  stop: { it: 'Fermata', en: 'Stop' },
  route: { it: 'Percorso', en: 'Route' },
  pickup: { it: 'Persone autorizzate al ritiro', en: 'People allowed to pick up the child' },
}

export function describe(raw: Record<string, unknown>, h: EnrolmentDescribeHelpers): EnrolmentDetailGroup[] {
  const d = raw as TrasportoDetails
  const say = (text: { it: string; en: string }) => text[h.lang]
  const items: EnrolmentDetailGroup['items'] = []
  if (d.school_order)
    items.push({ label: say(TEXT.schoolOrder), value: h.enumLabel('school_order', d.school_order) ?? d.school_order })
  if (d.class_year) items.push({ label: say(TEXT.class), value: d.class_year })
  if (d.transport_line) items.push({ label: say(TEXT.line), value: d.transport_line })
  if (d.transport_stop) items.push({ label: say(TEXT.stop), value: d.transport_stop })
  if (d.route) items.push({ label: say(TEXT.route), value: d.route })
  const people = (d.authorised_pickup_persons ?? []).map((p) => {
    const name = [p.first_name, p.last_name].filter((part) => typeof part === 'string' && part).join(' ')
    return typeof p.relationship === 'string' && p.relationship ? `${name} (${p.relationship})` : name
  })
  if (people.length) items.push({ label: say(TEXT.pickup), value: people })
  return items.length ? [{ items }] : []
}

/** Accepting a transport application enrols the child, in the acceptance's own transaction. */
export const enrolOnAcceptance: NonNullable<NonNullable<PluginManifest['events']>['submission.accepted']> = {
  inTransaction: true,
  handle: async (event, ctx) => {
    if (event.payload.service !== ctx.pluginId) return
    const submission = await ctx.submissions.find(event.payload.submissionId)
    if (!submission) return
    const data = submission.data
    await ctx.enrolments.enrolSubmission(submission.id, {
      schoolId: textOf(data.school_id),
      section: textOf(data.section),
      isee: declaredIsee(data),
      details: { ...detailsOf(data) },
    })
  },
}
