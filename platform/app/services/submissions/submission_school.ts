import { isPlainObject } from '#forms/json_pointer'

/**
 * The school an application is for, as the catalog codes it: the school forms name it `school_id`,
 * the nursery forms `structure_id` (the same fields the plugins enrol from). Kept beside the
 * encrypted data (`submissions.school_code`) so that the inbox filters by school in SQL.
 */
const SCHOOL_FIELDS = ['school_id', 'structure_id']
const MAX_CODE = 64

export function schoolOfData(data: unknown): string | null {
  if (!isPlainObject(data)) return null
  for (const field of SCHOOL_FIELDS) {
    const value = data[field]
    if (typeof value === 'string' && value.trim() !== '' && value.trim().length <= MAX_CODE) return value.trim()
  }
  return null
}
