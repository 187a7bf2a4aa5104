import { DateTime } from 'luxon'
import { todayInRome } from '#forms/field_rules'
import Enrolment from '#models/enrolment'
import Submission, { type StoredWarning } from '#models/submission'
import { childInData, sameChild, whereChildMayBe, whereSameChild } from '#services/submissions/child_identity'
import {
  attendanceFromOf,
  schoolYearOf,
  serviceOfForm,
  submissionSchoolYear,
} from '#services/enrolments/enrolment_service'
import { submissionStatusLabel } from '#shared/status_labels'
import type { DuplicatePolicy, FormDefinition, FormError, Lang } from '#forms/types'

/**
 * A second application for a child who already has one for the same form and school year. Each form
 * says what to do in its definition (`"x-duplicates"`): the canteen and transport forms `refuse`
 * (one place at the canteen, one pass per child and year: a change is a request to the office, not
 * a new application, and two would be billed twice); the nursery admission forms `warn` (a family
 * may apply again to change its preferences, and the office decides which application stands in
 * the ranking); the accessory nursery services `allow` (a family asks for more days or other weeks
 * during the year, and those forms name an already enrolled child without a codice fiscale).
 *
 * Existing applications count once sent and while they stand (sent, registered, to be completed,
 * accepted), and so do the child's active enrolments.
 */
export const DUPLICATE_RULE = 'duplicate:enrolment'

const STANDING = ['submitted', 'protocolled', 'needs_completion', 'accepted'] as const
/** The child's submissions are read in slices, their data decrypted to confirm the child. */
const SLICE = 200

export interface Duplicate {
  kind: 'submission' | 'enrolment'
  id: number
  status: string
  protocolNumber: string | null
}

export type DuplicateOutcome =
  { kind: 'none' } | { kind: 'refuse'; errors: FormError[] } | { kind: 'warn'; warnings: StoredWarning[] }

/** refuse or warn; null when the form lets a second application through without a word. */
export function duplicatePolicy(form: FormDefinition): Exclude<DuplicatePolicy, 'allow'> | null {
  const policy = form['x-duplicates']
  return policy === 'refuse' || policy === 'warn' ? policy : null
}

/**
 * The first instant of the eighteen months before a school year's end (1 September of the year
 * before, in Rome), written the way the column is stored (Lucid formats dates per database, in the
 * server's zone). The same few values for every sending of a year: kept, not worked out in luxon
 * time zones each time.
 */
const sinceTexts = new Map<string, string>()
function sinceTextOf(year: string, format: string): string {
  const key = `${year}|${format}`
  let text = sinceTexts.get(key)
  if (text === undefined) {
    const since = DateTime.fromISO(`${Number(year.slice(0, 4)) - 1}-09-01`, { zone: 'Europe/Rome' }).toLocal()
    text = since.toFormat(format)
    if (sinceTexts.size >= 64) sinceTexts.clear()
    sinceTexts.set(key, text)
  }
  return text
}

/** The child's standing applications and active enrolments for this form and school year. */
export async function findDuplicates(
  formKey: string,
  data: Record<string, unknown>,
  sentOn: string,
  exceptSubmissionId: number | null,
  knownService?: string | null
): Promise<Duplicate[]> {
  const child = childInData(data)
  if (!child) return []
  // The caller usually holds the form already (its service is one query less per sending).
  const service = knownService === undefined ? await serviceOfForm(formKey) : knownService
  const year = schoolYearOf(sentOn, attendanceFromOf(service, data))
  const found: Duplicate[] = []

  const enrolments = await whereSameChild(Enrolment.query(), child.key)
    .where('form_key', formKey)
    .where('school_year', year)
    .where('status', 'active')
    .select('id', 'status', 'submission_id')
    .orderBy('id', 'asc')
  for (const e of enrolments) found.push({ kind: 'enrolment', id: e.id, status: e.status, protocolNumber: null })

  // The data are encrypted: the child's applications are found by the blind index beside them
  // (rows written before it existed too, until the migration has indexed them), then read to
  // confirm the child and the school year. Any application for the same school year was sent
  // within the eighteen months before its end.
  const sinceText = sinceTextOf(year, Submission.query().client.dialect.dateTimeFormat)
  let after = 0
  for (;;) {
    const query = whereChildMayBe(Submission.query(), child.key)
      .where('form_key', formKey)
      .whereIn('status', [...STANDING])
      .where('submitted_at', '>=', sinceText)
      .where('id', '>', after)
      .orderBy('id', 'asc')
      .limit(SLICE)
    if (exceptSubmissionId !== null) query.whereNot('id', exceptSubmissionId)
    const rows = await query
    for (const row of rows) {
      const other = childInData(row.data ?? {})
      if (!other || !sameChild(other.key, child.key)) continue
      const theirSent = todayInRome((row.submittedAt ?? row.createdAt).toJSDate())
      if (schoolYearOf(theirSent, attendanceFromOf(service, row.data ?? {})) !== year) continue
      // An accepted application is shown through its enrolment, when there is one.
      if (row.status === 'accepted' && enrolments.some((e) => e.submissionId === row.id)) continue
      found.push({ kind: 'submission', id: row.id, status: row.status, protocolNumber: row.protocolNumber })
    }
    if (rows.length < SLICE) break
    after = rows[rows.length - 1].id
  }
  return found
}

/** What exists, in words: "la domanda n. 12 (Protocollata, protocollo 2026/0000042)". */
function described(d: Duplicate, lang: Lang): string {
  if (d.kind === 'enrolment') return lang === 'it' ? `l'iscrizione n. ${d.id}` : `enrolment no. ${d.id}`
  const status = submissionStatusLabel(d.status, lang)
  const protocol = d.protocolNumber
    ? lang === 'it'
      ? `, protocollo ${d.protocolNumber}`
      : `, protocol ${d.protocolNumber}`
    : ''
  return lang === 'it'
    ? `la domanda n. ${d.id} (${status}${protocol})`
    : `application no. ${d.id} (${status}${protocol})`
}

function message(policy: 'refuse' | 'warn', duplicates: Duplicate[], child: string, year: string, lang: Lang) {
  const what = duplicates.map((d) => described(d, lang)).join(lang === 'it' ? ' e ' : ' and ')
  if (lang === 'it') {
    return policy === 'refuse'
      ? `Per ${child} esiste già ${what} per questo servizio nell'anno scolastico ${year}: non se ne può presentare un'altra. Per cambiare qualcosa rivolgiti all'ufficio del servizio.`
      : `Per ${child} esiste già ${what} per questo servizio nell'anno scolastico ${year}. Questa domanda è inviata comunque: l'ufficio deciderà quale vale.`
  }
  return policy === 'refuse'
    ? `${child} already has ${what} for this service in school year ${year}: another one cannot be sent. To change something, contact the service's office.`
    : `${child} already has ${what} for this service in school year ${year}. This application is sent anyway: the office will decide which one stands.`
}

/** The check of a sending: nothing to say, a refusal (422) or warnings to keep with the submission. */
export async function checkDuplicates(
  form: FormDefinition,
  formKey: string,
  data: Record<string, unknown>,
  exceptSubmissionId: number | null,
  lang: Lang,
  service?: string | null
): Promise<DuplicateOutcome> {
  const policy = duplicatePolicy(form)
  if (!policy) return { kind: 'none' }
  const child = childInData(data)
  if (!child) return { kind: 'none' }
  const sentOn = todayInRome()
  const duplicates = await findDuplicates(formKey, data, sentOn, exceptSubmissionId, service)
  if (duplicates.length === 0) return { kind: 'none' }
  const year = await submissionSchoolYear(formKey, data, sentOn)
  const who = child.name ? `${child.name} (${child.key})` : child.key
  const messages = {
    it: message(policy, duplicates, who, year, 'it'),
    en: message(policy, duplicates, who, year, 'en'),
  }
  if (policy === 'refuse') {
    return { kind: 'refuse', errors: [{ path: child.pointer, rule: DUPLICATE_RULE, message: messages[lang] }] }
  }
  return { kind: 'warn', warnings: [{ rule: DUPLICATE_RULE, messages }] }
}
