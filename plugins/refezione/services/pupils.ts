import type { EnrolmentPlacement, EnrolmentRecord, PluginContext } from '@sportello/platform/sdk'

/**
 * A child as the canteen's day needs it, read from the enrolment the SDK gives. The one place that
 * knows where an enrolment keeps its school, class and diet: when the enrolment's details move,
 * only this changes.
 */
export interface Pupil {
  enrolmentId: number
  applicantUserId: number
  schoolYear: string
  schoolCode: string
  schoolOrder: string | null
  classYear: string
  section: string
  firstName: string
  lastName: string
  /** The special diet (medical, vegetarian, vegan, religious...), or null for the ordinary menu. */
  diet: string | null
}

function dietOf(record: Pick<EnrolmentRecord, 'details'>): string | null {
  const raw = record.details?.diet
  if (typeof raw === 'string' && raw) return raw
  if (raw && typeof raw === 'object') {
    const { requested, type } = raw as { requested?: unknown; type?: unknown }
    if (requested !== false && typeof type === 'string' && type) return type
  }
  return null
}

function detailText(record: Pick<EnrolmentRecord, 'details'>, key: 'school_order' | 'class_year'): string | null {
  const value = (record.details as Record<string, unknown> | null)?.[key]
  return typeof value === 'string' && value ? value : null
}

/** The pupil, or null for an enrolment without a school or class (it has no place in a canteen day). */
export function pupilOf(record: EnrolmentRecord): Pupil | null {
  const pupil = pupilOfPlacement(record)
  if (!pupil) return null
  pupil.firstName = record.child.firstName ?? ''
  pupil.lastName = record.child.lastName ?? ''
  return pupil
}

/**
 * The pupil from the lean read (`ctx.enrolments.placements`): its place and diet, the name left
 * empty. Whoever shows names reads them afterwards, for those it shows only (`withNames`).
 */
export function pupilOfPlacement(record: EnrolmentPlacement): Pupil | null {
  if (!record.schoolId || !record.section) return null
  return {
    enrolmentId: record.id,
    applicantUserId: record.applicantUserId,
    schoolYear: record.schoolYear,
    schoolCode: record.schoolId,
    // The order and the class year are refezione's own details (enrolment.ts).
    schoolOrder: detailText(record, 'school_order'),
    classYear: detailText(record, 'class_year') ?? '',
    section: record.section,
    firstName: '',
    lastName: '',
    diet: dietOf(record),
  }
}

/** Fills in the names of these pupils (read and decrypted for them only, in pages of 5,000). */
export async function withNames(ctx: PluginContext, pupils: Pupil[]) {
  const byId = new Map(pupils.map((p) => [p.enrolmentId, p]))
  const ids = [...byId.keys()]
  for (let i = 0; i < ids.length; i += 5000) {
    for (const row of await ctx.enrolments.names(ids.slice(i, i + 5000))) {
      const pupil = byId.get(row.id)!
      pupil.firstName = row.firstName ?? ''
      pupil.lastName = row.lastName ?? ''
    }
  }
  return pupils
}
