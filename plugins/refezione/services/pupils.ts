import type { EnrolmentRecord } from '@sportello/platform/sdk'

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

function dietOf(record: EnrolmentRecord): string | null {
  const raw = record.details?.diet
  if (typeof raw === 'string' && raw) return raw
  if (raw && typeof raw === 'object') {
    const { requested, type } = raw as { requested?: unknown; type?: unknown }
    if (requested !== false && typeof type === 'string' && type) return type
  }
  return null
}

function detailText(record: EnrolmentRecord, key: 'school_order' | 'class_year'): string | null {
  const value = (record.details as Record<string, unknown> | null)?.[key]
  return typeof value === 'string' && value ? value : null
}

/** The pupil, or null for an enrolment without a school or class (it has no place in a canteen day). */
export function pupilOf(record: EnrolmentRecord): Pupil | null {
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
    firstName: record.child.firstName ?? '',
    lastName: record.child.lastName ?? '',
    diet: dietOf(record),
  }
}
