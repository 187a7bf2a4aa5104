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
