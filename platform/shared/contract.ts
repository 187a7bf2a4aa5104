/**
 * What the server and the citizen portal agree on: statuses, roles, the error shape and the
 * answers (DTOs) the portal reads. The server imports the constants from here (submission
 * statuses, roles), so the two sides cannot drift; the portal types every answer with these.
 *
 * Browser-safe like conditions.ts: no Node API, no server import, nothing but constants and types.
 */

/** The languages of the interface and of the answers (`Accept-Language`). */
export const LANGS = ['it', 'en'] as const
export type Lang = (typeof LANGS)[number]
export type Localized = Record<Lang, string>

/** The life of a submission (see app/services/submissions/submission_service.ts for the transitions). */
export const SUBMISSION_STATUSES = [
  'draft',
  'submitted',
  'protocolled',
  'accepted',
  'rejected',
  'needs_completion',
] as const
export type SubmissionStatus = (typeof SUBMISSION_STATUSES)[number]

/** Statuses in which the applicant (or an operator with procura) may still change the data. */
export const EDITABLE_STATUSES: readonly SubmissionStatus[] = ['draft', 'needs_completion']

/** The roles a membership can hold in a tenant (platform_admin is a user flag across tenants). */
export const ROLES = [
  'citizen',
  'school_staff',
  'kitchen',
  'operator',
  'tenant_admin',
  'designer',
  'platform_admin',
] as const
export type Role = (typeof ROLES)[number]

/** One error of the platform's error shape: `{ errors: [{ path?, rule?, message }] }`. */
export interface ApiError {
  /** JSON Pointer of the field the error is about ("" or absent: the whole request). */
  path?: string
  /** Machine-readable rule: "schema:required", a BLOCCO id, "window:closed", "duplicate:enrolment"… */
  rule?: string
  /** For a person, in the request's language: what is wrong and what to do. */
  message: string
}
export interface ApiErrorBody {
  errors: ApiError[]
}

/** The keys that are allowed in one error: anything else (a `field`, a `code`) breaks the shape. */
export const API_ERROR_KEYS = ['path', 'rule', 'message'] as const

/**
 * The JSON Pointer (RFC 6901) of a place given as its keys, one per level:
 * `['settings', 'enrolment', 'refezione.iscrizione', 'opens']` → `/settings/enrolment/refezione.iscrizione/opens`
 * (a key may hold dots or slashes, so places travel as keys and become a pointer only here).
 */
export function jsonPointer(keys: readonly (string | number)[]): string {
  return keys.map((k) => `/${String(k).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('')
}

/** What is wrong with a body that should be the error shape, or null when it is one. */
export function errorShapeProblem(body: unknown): string | null {
  const errors = (body as { errors?: unknown } | null)?.errors
  if (typeof body !== 'object' || body === null || !Array.isArray(errors) || errors.length === 0) {
    return 'the body has no non-empty "errors" list'
  }
  for (const [i, error] of errors.entries()) {
    if (typeof error !== 'object' || error === null) return `errors[${i}] is not an object`
    const extra = Object.keys(error).filter((k) => !(API_ERROR_KEYS as readonly string[]).includes(k))
    if (extra.length > 0) return `errors[${i}] has keys outside path, rule, message: ${extra.join(', ')}`
    const e = error as Record<string, unknown>
    if (typeof e.message !== 'string' || e.message.trim() === '') return `errors[${i}] has no message`
    if (e.rule !== undefined && typeof e.rule !== 'string') return `errors[${i}].rule is not a string`
    if (e.path !== undefined && (typeof e.path !== 'string' || (e.path !== '' && !e.path.startsWith('/')))) {
      return `errors[${i}].path is not a JSON Pointer: ${JSON.stringify(e.path)}`
    }
  }
  return null
}

/** `GET /api/v1/auth/me`, and the answer to a login. */
export interface MeDto {
  id: number
  email: string
  fullName: string
  isPlatformAdmin: boolean
  tenants: { slug: string; name: string; roles: Role[] }[]
}

/** `settings.identity` of a tenant: how the portal presents the comune. Every entry is optional. */
export interface TenantIdentity {
  logo_url?: string
  privacy_url?: string
  accessibility_url?: string
  contacts?: { email?: string; phone?: string; pec?: string; address?: string }
}

/** `GET /api/v1/t/:tenant`: the portal reads the name and the identity block. */
export interface TenantDto {
  tenant: { slug: string; name: string; settings?: { identity?: TenantIdentity } & Record<string, unknown> }
  plugins?: string[]
}

/** Whether a form's call is open today (calendar days YYYY-MM-DD, `closes` included). */
export interface EnrolmentWindowDto {
  open: boolean
  opens: string | null
  closes: string | null
  state: 'open' | 'not_yet' | 'closed'
}

/** One entry of `GET /forms`. */
export interface FormSummaryDto {
  id: number
  key: string
  service: string
  title: Localized
  enrolment: EnrolmentWindowDto
  /** The version in force today. */
  currentVersion?: { id: number; version: number }
}

/** A submission as lists show it (no data). */
export interface SubmissionSummaryDto {
  id: number
  formId: number
  formKey: string
  formVersionId: number
  applicantUserId: number
  submittedByUserId: number
  onBehalf: boolean
  status: SubmissionStatus
  /** Why it was rejected or sent back for completion (or the note of a late filing at the counter). */
  statusReason: string | null
  /** Whether the applicant may still change and (re)send it. */
  editable: boolean
  /** The child the application is for ("Giulia Rossi"), so a family with several tells them apart. */
  childName: string | null
  protocolNumber: string | null
  submittedAt: string | null
  createdAt: string | null
  updatedAt: string | null
}

/** `GET /submissions/:sid`, and the answer to a save or a sending. */
export interface SubmissionDetailDto extends SubmissionSummaryDto {
  formVersion: number | null
  data: Record<string, unknown>
  history: { from: SubmissionStatus | null; to: SubmissionStatus; reason: string | null; at: string | null }[]
}

/** Accepted, but something for staff to decide (e.g. a second enrolment of the same child). */
export interface SubmissionWarning {
  rule: string
  message: string
}

export interface SubmissionAnswer {
  submission: SubmissionDetailDto
  warnings?: SubmissionWarning[]
}

/** What a fee is counted by, as the rule set's output says. */
export const FEE_UNITS = ['meal', 'day', 'week', 'month', 'year', 'once'] as const
export type FeeUnit = (typeof FEE_UNITS)[number]

/** The family's reading of a fee, in the request's language: never the operator's trace. */
export interface FeeSummary {
  band: string | null
  reasons: string[]
  /** Decimal string ("3.43"), never a float. */
  amount: string | null
  unit: FeeUnit | null
  exempt: boolean
  text: string
}

/** One result of `POST /rulesets/:id/evaluate`. */
export interface EvaluationDto {
  ruleset: string
  version: number
  at: string
  result: Record<string, string | number | boolean | null>
  trace: unknown[]
  /** Output name → unit, for outputs that are amounts. */
  units?: Record<string, FeeUnit>
  summary?: FeeSummary
}

/** The children enrolled through accepted applications (Allegato C), as `GET /enrolments` lists them. */
export interface EnrolmentSummaryDto {
  id: number
  service: string
  serviceName: string
  formKey: string
  formTitle: string
  schoolYear: string
  submissionId: number
  status: 'active' | 'withdrawn' | 'ended'
  /** The day the child stops, when withdrawn (YYYY-MM-DD). */
  withdrawnFrom?: string | null
  /** The enrolment of the previous school year this one renews. */
  renewedFromId?: number | null
  child: {
    firstName: string | null
    lastName: string | null
    fiscalCode: string | null
    unborn: boolean
    birthDate: string | null
  }
  school: {
    id: string | null
    /** The school's name in the comune's catalog, when the code is still there. */
    name: string | null
    section: string | null
  }
  tariff: {
    amount: string | null
    missingReason: string | null
    missingText: string | null
    unit?: FeeUnit | null
    summary?: FeeSummary | null
    /** The fee set by hand by an operator, which billing charges in place of `amount` (staff also read why and who). */
    override?: FeeOverrideDto | null
  }
  /** Staff lists: the child's documents expired or expiring; null when none. */
  documents?: DocumentAlertDto | null
}

export interface FeeOverrideDto {
  /** Decimal string, euro ("3.50"). */
  amount: string
  at: string | null
  reason?: string | null
  byName?: string | null
}

/** `GET /enrolments/:eid`. The trace stays for staff and the PDF; families read `tariff.summary`. */
export interface EnrolmentDetailDto extends EnrolmentSummaryDto {
  /** Staff read why and by whom it was withdrawn. */
  withdrawal?: { from: string | null; reason: string | null; byName: string | null } | null
  isee: { presented: boolean; value: string | null; inpsProtocol: string | null; kind: string | null } | null
  /** The service's own detail, as its plugin stored it. */
  details: Record<string, unknown> | null
  /**
   * The same detail as people read it, described by the service's plugin in the reader's language:
   * groups without a title join the school section, the others are sections of their own.
   */
  detailGroups: Array<{ title?: string; text?: string; items: Array<{ label: string; value: string | string[] }> }>
  tariff: EnrolmentSummaryDto['tariff'] & {
    title: string | null
    ruleset: string | null
    version: number | null
    at: string | null
    result: Record<string, string | number | boolean | null> | null
    trace: { step: string; kind: string; message: string; source: string | null }[]
  }
}

/** The statuses the back office's inbox shows (a draft is the citizen's own, until sent). */
export const INBOX_STATUSES = [
  'submitted',
  'protocolled',
  'needs_completion',
  'accepted',
  'rejected',
] as const satisfies readonly SubmissionStatus[]
export type InboxStatus = (typeof INBOX_STATUSES)[number]

/** How the inbox sorts: by the submission's number (its order of arrival), newest or oldest first. */
export const INBOX_SORTS = ['newest', 'oldest'] as const
export type InboxSort = (typeof INBOX_SORTS)[number]

/** A person an application names, as the inbox shows them. */
export interface InboxPersonDto {
  name: string | null
  fiscalCode: string | null
}

/** One row of `GET /inbox`. */
export interface InboxRowDto {
  id: number
  formKey: string
  formTitle: string
  service: string
  status: SubmissionStatus
  protocolNumber: string | null
  submittedAt: string | null
  updatedAt: string | null
  onBehalf: boolean
  applicant: InboxPersonDto
  child: InboxPersonDto | null
  /** Something staff should check before deciding (e.g. another application for the same child). */
  hasWarnings: boolean
}

/** `GET /inbox`: a page of rows, the cursor of the next one, the counts per status under the other filters. */
export interface InboxAnswerDto {
  submissions: InboxRowDto[]
  /** Pass as `after` for the next page; null on the last one. */
  next: string | null
  counts: Record<InboxStatus, number>
  total: number
}

/** `GET /submissions/:sid/form`: the form version the submission was made on, to label its data. */
export interface SubmissionFormDto {
  formKey: string
  title: Localized
  version: number
  definition: { schema: unknown; uiSchema?: Record<string, unknown>; attachments?: Record<string, unknown> }
}

/** `POST /inbox/bulk-accept`, `GET /inbox/bulk/:id`: a selection accepted as a job, with its progress. */
export interface BulkActionDto {
  id: number
  kind: 'accept'
  status: 'queued' | 'running' | 'done'
  total: number
  done: number
  failed: number
  pending: number
  createdAt: string
  finishedAt: string | null
  /** Each application of the selection; `message` says why one failed, in the reader's language. */
  items: Array<{ submissionId: number; status: 'pending' | 'done' | 'failed'; message: string | null }>
}

/** `GET/POST /counter/citizens`: the citizen an operator files for at the counter (procura). */
export interface CounterCitizenDto {
  id: number
  fullName: string
  fiscalCode: string | null
  email: string
}

/** `POST /enrolments/renew`: what became of each enrolment asked for. */
export interface RenewResultDto {
  enrolmentId: number
  outcome: 'renewed' | 'already_renewed' | 'cycle_end' | 'unknown_cycle' | 'not_active' | 'not_found'
  renewedId?: number
  /** Why it was not renewed, in the reader's language. */
  message: string | null
}

/** A parent or child of the offices' register of people (`/people`). */
export interface PersonDto {
  id: number
  kind: 'parent' | 'child'
  firstName: string
  lastName: string
  fiscalCode: string
  birthDate: string | null
  /** The list: the person's documents expired or expiring; null when none. */
  documents?: DocumentAlertDto | null
}

/** A child's enrolment as the register of people lists it. */
export interface PersonEnrolmentDto {
  id: number
  service: string
  serviceName: string
  schoolYear: string
  status: 'active' | 'withdrawn' | 'ended'
}

/** `GET /people/:id`: the person, their parents or children, and what the children attend. */
export interface PersonDetailDto extends PersonDto {
  parents: PersonDto[]
  children: Array<PersonDto & { enrolments: PersonEnrolmentDto[] }>
  /** A child's own enrolments. */
  enrolments: PersonEnrolmentDto[]
  /** A child's brothers and sisters (children of the same parents) and the services they attend. */
  siblings: Array<PersonDto & { enrolments: PersonEnrolmentDto[] }>
}

/** One entry of `GET /audit`: who did what to which record, when, with the values before and after. */
export interface AuditEntryDto {
  id: number
  tenantId: number | null
  actorUserId: number | null
  actorLabel: string
  action: string
  entity: string
  entityId: string
  before: Record<string, unknown> | null
  after: Record<string, unknown> | null
  createdAt: string
}

/** `GET /audit`: newest first, a page at a time; `next` is the `after` of the following page. */
export interface AuditAnswerDto {
  tenant?: string
  entries: AuditEntryDto[]
  next: string | null
}

/**
 * The documents the offices keep for a person (documents_controller.ts): identity document,
 * L. 104/92 certification, foster care decree, medical diet certificate, or another document.
 */
export const DOCUMENT_TYPES = ['identity', 'l104', 'foster_care', 'medical_diet', 'other'] as const
export type DocumentType = (typeof DOCUMENT_TYPES)[number]

/**
 * Days a document is kept after its expiry (or, without one, after it was filed) when the tenant
 * sets nothing (`settings.documents.retention_days`); see document_service.ts for why.
 */
export const DOCUMENT_RETENTION_DEFAULTS: Readonly<Record<DocumentType, number>> = {
  identity: 365,
  l104: 1825,
  foster_care: 1825,
  medical_diet: 365,
  other: 365,
}

/** Where a document stands against its expiry: `expiring` within 30 days. */
export type DocumentValidity = 'valid' | 'expiring' | 'expired' | 'no_expiry'

/**
 * A person's documents that need renewing, as the register and the people list flag them: the types
 * whose latest document is expired or expiring (a type with a newer valid document is not flagged).
 */
export interface DocumentAlertDto {
  expired: DocumentType[]
  expiring: DocumentType[]
}

export interface DocumentDto {
  id: number
  type: DocumentType
  issuedOn: string | null
  expiresOn: string | null
  validity: DocumentValidity
  notes: string | null
  fileName: string
  contentType: string
  sizeBytes: number
  /** The application it was filed from on acceptance, if any. */
  submissionId: number | null
  createdAt: string
}

/** `GET /documents?person_id=` or `?enrolment_id=`: whose documents, newest first. */
export interface DocumentsAnswerDto {
  subject: { fiscalCode: string; personId: number | null; enrolmentId: number | null }
  documents: DocumentDto[]
}
