/*
 * The types of the public SDK (re-exported by sdk/index.ts): the plugin manifest and everything a
 * plugin receives from the platform. Types only: this module has no runtime code, so the
 * platform's own modules may import it without depending on the SDK's runtime.
 */
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { Role } from '#services/tenants/roles'
import type { ApiError } from '#shared/contract'

export type { Role }
export type Lang = 'it' | 'en'

export interface LocalizedText {
  it: string
  en: string
}

/** A database transaction: pass it as `{ client: ctx.trx }` to models and queries. */
export type Transaction = TransactionClientContract

/** A JSON Schema object (draft 2020-12 keywords that Ajv understands). Data: Ajv checks it. */
export type JsonSchemaObject = { [keyword: string]: unknown }

/* ------------------------------------------------------------------------------------------------
 * Domain events
 * --------------------------------------------------------------------------------------------- */

/** A submission's move, as its events tell it: ids and keys only, never what the citizen wrote. */
export interface SubmissionEventPayload {
  submissionId: number
  formKey: string
  /** The service (plugin id) the form belongs to. */
  service: string
  applicantUserId: number
  fromStatus: string | null
  toStatus: string
}

export interface EnrolmentEventPayload {
  enrolmentId: number
  service: string
  formKey: string
  schoolYear: string
  submissionId: number
  applicantUserId: number
}

export interface TenantEventPayload {
  tenantId: number
  slug: string
}

/** Declared for the ledger: a charge (amount as a decimal string, never a float). */
export interface ChargeEventPayload {
  chargeId: number
  service: string
  payerUserId: number | null
  amount: string
  period: string | null
}

/** Declared for the ledger: a payment received against one or more charges. */
export interface PaymentEventPayload {
  paymentId: number
  chargeIds: number[]
  amount: string
  /** The pagoPA IUV when the payment came through pagoPA. */
  iuv: string | null
}

/**
 * Every event name with the type of its payload. A plugin adds its own events (named
 * `<plugin id>.<event>`) by augmenting this interface:
 *
 *   declare module '@sportello/platform/sdk' { interface DomainEvents { 'ludoteca.lent': {...} } }
 */
export interface DomainEvents {
  'submission.submitted': SubmissionEventPayload
  'submission.accepted': SubmissionEventPayload
  'submission.rejected': SubmissionEventPayload
  'enrolment.created': EnrolmentEventPayload
  'enrolment.withdrawn': EnrolmentEventPayload
  'tenant.created': TenantEventPayload
  'charge.created': ChargeEventPayload
  'payment.received': PaymentEventPayload
}

export type DomainEventName = keyof DomainEvents & string

export interface DomainEvent<N extends DomainEventName = DomainEventName> {
  /** Unique per event: the key of idempotent handling (a job subscriber's id is `<event id>:<plugin id>`). */
  id: string
  name: N
  /** ISO timestamp. */
  occurredAt: string
  tenant: { id: number; slug: string }
  actor: { userId: number | null; label: string }
  payload: DomainEvents[N]
}

export type EventHandler<N extends DomainEventName> = (
  event: DomainEvent<N>,
  ctx: PluginContext
) => Promise<void> | void

/**
 * A subscriber. A bare function, or `{ handle }`, runs as an idempotent job after the emitter's
 * transaction commits (retried on failure: it must tolerate running twice for the same event id).
 * `{ inTransaction: true, handle }` runs inside the emitter's transaction (`ctx.trx`): an error
 * there rolls the whole change back. Use it for work that only computes and writes rows.
 */
export type EventSubscriber<N extends DomainEventName> =
  EventHandler<N> | { inTransaction?: boolean; handle: EventHandler<N> }

export type PluginEventSubscribers = { [N in DomainEventName]?: EventSubscriber<N> }

/* ------------------------------------------------------------------------------------------------
 * The context every plugin callback receives
 * --------------------------------------------------------------------------------------------- */

export interface RuleEvaluation {
  ruleset: string
  version: number
  at: string
  /** Amounts as decimal strings, as the rule set rounds them. */
  result: Record<string, string | number | boolean | null>
  /** Which rules fired, which table cells and formulas produced each number. */
  trace: unknown[]
}

/** A stretch of days in which one version of a rule set is in force (see `ctx.rules.periods`). */
export interface RulePeriod {
  from: string
  to: string
  version: number | null
}

export interface CatalogSchoolView {
  code: string
  name: string
  order: string
  services: string[]
  address: string | null
}

export interface CatalogClassView {
  year: string | null
  section: string
}

/** One entry of a catalog kind: `value` is what a form stores, `label` what a person reads. */
export interface CatalogEntry {
  value: string
  label: LocalizedText | string
  [attribute: string]: unknown
}

/** The ISEE as the family declared it (Allegato B), or its non-presentation. */
export interface DeclaredIsee {
  presented: boolean
  /** Euro as a decimal string ("5000.00"), never a float. */
  value: string | null
  inpsProtocol: string | null
  /** ordinario / corrente, where the form asks. */
  kind: string | null
}

/**
 * An enrolment as the platform keeps it for every service: who, which service and form, which
 * school year, status, the fee and its trace, the child. What only one service knows (a diet, a
 * transport stop, attendance weeks) is the plugin's `details`, encrypted at rest and shown to
 * people through the plugin's `enrolment.describe`.
 */
export interface EnrolmentRecord {
  id: number
  service: string
  formKey: string
  schoolYear: string
  submissionId: number
  applicantUserId: number
  status: 'active' | 'withdrawn' | 'ended'
  child: {
    firstName: string | null
    lastName: string | null
    fiscalCode: string | null
    unborn: boolean
    birthDate: string | null
  }
  schoolId: string | null
  section: string | null
  isee: DeclaredIsee | null
  details: Record<string, unknown> | null
  tariff: {
    amount: string | null
    ruleset: string | null
    version: number | null
    at: string | null
    /** The facts the fee was computed from, to evaluate the rule set again at another date. */
    facts?: Record<string, unknown> | null
    /** The rule set's outputs (band, regime, exemption...): read only when the filter asks `withTariffResult`. */
    result?: Record<string, string | number | boolean | null> | null
  }
  /**
   * The fee an operator set by hand in place of the computed one (a decimal string in euro), when
   * the back office records one; billing uses it instead of `tariff.amount`.
   */
  feeOverride?: { amount: string; reason?: string | null } | null
  /** The day the child stops (YYYY-MM-DD), when the office withdrew the enrolment from a date. */
  withdrawnFrom?: string | null
}

/**
 * The lean read of an enrolment (`ctx.enrolments.placements`): where the child is and the plugin's
 * own details, as plain values. No child identity is read or decrypted: a day's or a month's work
 * over a city's tens of thousands of children reads this, then the names of the few it shows.
 */
export interface EnrolmentPlacement {
  id: number
  applicantUserId: number
  schoolYear: string
  status: EnrolmentRecord['status']
  schoolId: string | null
  section: string | null
  /** The plugin's details, decrypted (it keeps there what it needs to place the child: class, diet). */
  details: Record<string, unknown> | null
}

/** Which enrolments of the plugin's service to read. */
export interface EnrolmentFilter {
  schoolYear?: string
  status?: EnrolmentRecord['status']
  /** Enrolments at one of these schools (catalog codes). */
  schoolIds?: string[]
  /** Enrolments a family (the applicant) made. */
  applicantUserId?: number
  ids?: number[]
  /** Only ids above this one: with `limit`, reads the list in pages. */
  afterId?: number
  limit?: number
  /** `list` also reads the tariff's result (encrypted, decrypted per row): for reports by band or exemption. */
  withTariffResult?: boolean
}

/** What a plugin gives to create an enrolment of its own service. */
export interface NewEnrolment {
  submissionId: number
  formKey: string
  schoolYear: string
  applicantUserId: number
  child: Partial<EnrolmentRecord['child']>
  schoolId?: string | null
  section?: string | null
  isee?: DeclaredIsee | null
  details?: Record<string, unknown> | null
  /** The fee as the rules engine gave it (`ctx.rules.evaluate`, its `amount` output), with the facts used. */
  tariff?: { evaluation: RuleEvaluation; facts: Record<string, unknown> }
}

/**
 * What a service plugin gives to enrol the child of an accepted submission of its service
 * (`ctx.enrolments.enrolSubmission`). The platform reads the rest itself: the child (the shared
 * `student` or `child` of the form), the school year (from the day the submission was sent, or
 * from the manifest's `enrolment.attendanceFrom`), and the fee (the form's tariff mapping, evaluated by the rules engine).
 */
export interface SubmissionEnrolment {
  /** A school or facility code of the tenant's catalog, as the form stored it. */
  schoolId?: string | null
  section?: string | null
  isee?: DeclaredIsee | null
  /** The plugin's own detail of the enrolment (JSON, encrypted at rest). */
  details?: Record<string, unknown> | null
}

/** A submission of the plugin's own service, as its subscribers read it. */
export interface SubmissionView {
  id: number
  formKey: string
  service: string
  status: string
  applicantUserId: number
  /** What the applicant filled in, as the form's schema shapes it. */
  data: Record<string, unknown>
  /** The day it was sent (Europe/Rome), YYYY-MM-DD; null for a draft. */
  sentOn: string | null
}

/** One line of an enrolment's detail as a person reads it: already in the reader's language. */
export interface EnrolmentDetailItem {
  label: string
  /** One value, or a list (weeks, people, preferences). */
  value: string | string[]
}

/**
 * A group of lines of the detail. Without `title` the lines join the platform's "school and class"
 * section; with one they make a section of their own, headed by it. `text` is a sentence shown
 * above the lines (or alone: "No special diet").
 */
export interface EnrolmentDetailGroup {
  title?: string
  text?: string
  items: EnrolmentDetailItem[]
}

/** What `enrolment.describe` receives besides the details. */
export interface EnrolmentDescribeHelpers {
  lang: Lang
  /** The label the form gives a value of one of its enumerated fields (`x-i18n.<lang>.enum`), or null. */
  enumLabel(field: string, value: unknown): string | null
  /** A day (YYYY-MM-DD) as the reader writes it: "6 luglio 2026", "6 July 2026". */
  day(value: unknown): string | null
}

export interface MailNotice {
  subject: string
  text: string
  attachments?: Array<{ filename: string; content: Uint8Array; contentType: string }>
}

export interface ProtocolDocumentRequest {
  /** Registering the same key twice returns the first registration (the key is kept per plugin). */
  idempotencyKey: string
  /** E = incoming, U = outgoing. */
  direction: 'E' | 'U'
  subject: string
  correspondent: { firstName: string; lastName: string; fiscalCode: string | null }
  document: { fileName: string; content: Uint8Array; mimeType: string }
}

export interface ProtocolRegistrationView {
  number: number
  year: number
  date: string
  /** As printed: "2026/0000042". */
  label: string
}

/** A document on the platform's page (A4, the tenant's name under a blue band), block by block. */
export interface PdfPage {
  title: string
  subject?: string
  blocks: Array<
    | { heading: string }
    | { text: string; bold?: boolean; size?: number }
    | { pairs: Array<[string, string]>; labelWidth?: number }
    | { rule: true }
  >
}

/** A charge a plugin posts to the ledger for one enrolment of its service (the payer is who enrolled the child). */
export interface NewCharge {
  /** Unique within the plugin: posting the same key again answers the charge already posted. */
  key: string
  enrolmentId: number
  /** YYYY-MM. */
  period: string
  description: string
  /** Either the amount, or a quantity (decimal string) times a unit amount, rounded half up to the cent. */
  amountCents?: number
  quantity?: string
  unitCents?: number
  /** Where the amount came from (rule set, version, the plugin's own reference): never personal data. */
  details?: Record<string, unknown>
}

export interface LedgerEntryView {
  id: number
  kind: 'charge' | 'payment' | 'adjustment'
  service: string
  enrolment_id: number | null
  period: string | null
  amount_cents: number
  /** Euro as a decimal string. */
  amount: string
  quantity: string | null
  unit_cents: number | null
  description: string
  created_at: string | null
}

export interface BalanceView {
  /** What is still owed (negative: a credit of the family), in cents. */
  balanceCents: number
  chargedCents: number
  paidCents: number
  adjustedCents: number
}

/** One line of a post-paid billing run: what one enrolment owes for the period. */
export interface BillingLine {
  enrolmentId: number
  /** Unique per enrolment within the period (e.g. "fee"): the charge's idempotency key. */
  key: string
  description: string
  /** Either the amount, or a quantity (decimal string) times a unit amount. */
  amountCents?: number
  quantity?: string
  unitCents?: number
  details?: Record<string, unknown>
}

export interface BillingNote {
  enrolmentId?: number
  message: LocalizedText
}

export interface BillingCharges {
  lines: BillingLine[]
  /** What the operator should know: enrolments without a fee, overrides applied, … */
  notes?: BillingNote[]
}

export interface PluginBilling {
  /**
   * The charges of a period (YYYY-MM) for the platform's monthly post-paid run. Called again when a
   * run is resumed or repeated: it must give the same lines for the same facts (keys included).
   */
  charges(period: string, ctx: PluginContext): Promise<BillingCharges> | BillingCharges
  /**
   * Pre-paid services (the tenant's `billing.prepaid`): what was consumed on one day (YYYY-MM-DD),
   * debited from each family's account that evening. The same lines for the same facts (keys
   * included): a day debited again adds nothing.
   */
  daily?(day: string, ctx: PluginContext): Promise<BillingCharges> | BillingCharges
}

export interface PluginContext {
  readonly pluginId: string
  readonly tenant: { id: number; slug: string; name: string }
  /** Who acts: the user of the request, or the platform (`userId` null) in jobs. */
  readonly actor: { userId: number | null; label: string }
  readonly lang: Lang
  /**
   * A message of the plugin's catalogue (`messages` in the manifest) in `lang`, `{name}` placeholders
   * filled from `params`; an unknown key comes back as the key, so a missing entry shows.
   */
  t(key: string, params?: Record<string, string | number>, lang?: Lang): string
  /** The transaction this context works in, or null: pass it to models as `{ client: ctx.trx }`. */
  readonly trx: Transaction | null
  log(message: string): void
  /** The plugin's settings block of this tenant with its defaults applied (see `settings` in the manifest). */
  settings<S extends Record<string, unknown> = Record<string, unknown>>(): Promise<S>
  /** Runs fn in a transaction (the current one when there is one) with a context bound to it. */
  transaction<T>(fn: (ctx: PluginContext) => Promise<T>): Promise<T>
  readonly rules: {
    /** Evaluates a rule set of the tenant at a date (YYYY-MM-DD), with the trace of every amount. */
    evaluate(ruleset: string, at: string, facts: Record<string, unknown>): Promise<RuleEvaluation>
    /**
     * The versions of a rule set in force between two dates (YYYY-MM-DD, both included), as
     * consecutive periods: `version` null where none is in force. An unknown rule set has none ([]).
     */
    periods(ruleset: string, from: string, to: string): Promise<RulePeriod[]>
  }
  readonly catalog: {
    /** The tenant's active schools, optionally of one order or served by one service. */
    schools(filter?: { order?: string; service?: string }): Promise<CatalogSchoolView[]>
    /** A school's active class groups; an unknown school has none. */
    classes(schoolCode: string): Promise<CatalogClassView[]>
    /** The active class groups of several schools at once (two queries), by school code; unknown schools are absent. */
    classesOf(schoolCodes: string[]): Promise<Record<string, CatalogClassView[]>>
    /** The entries of a catalog kind a plugin declares (`catalog` in its manifest), where it is enabled. */
    entries(source: string, filter?: Record<string, string>): Promise<CatalogEntry[]>
  }
  /** Enrolments of this plugin's service only. */
  readonly enrolments: {
    /**
     * In id order. `schoolIds` (the catalog's school codes) and `applicantUserId` narrow it on indexed
     * columns; `afterId` with `limit` reads it in pages.
     */
    list(filter?: EnrolmentFilter): Promise<EnrolmentRecord[]>
    /**
     * The same selection as `list`, read lean: plain rows with the placement and the details only,
     * no model built, nothing of the child's identity decrypted. In id order; `limit` is at most
     * 5,000 (the default), so a large set is read in pages with `afterId`.
     */
    placements(filter?: EnrolmentFilter): Promise<EnrolmentPlacement[]>
    /** The child's name of these enrolments (at most 5,000 ids), decrypted for them only; in id order. */
    names(ids: number[]): Promise<Array<{ id: number; firstName: string | null; lastName: string | null }>>
    find(id: number): Promise<EnrolmentRecord | null>
    create(input: NewEnrolment): Promise<EnrolmentRecord>
    /**
     * Enrols the child of an accepted submission of this service, or updates the enrolment that
     * already stands for it (the same submission, or the same child in the same form and school
     * year): running it twice never makes a second one. In `ctx.trx` when there is one (the
     * acceptance's own transaction, from an `inTransaction` subscriber of `submission.accepted`).
     */
    enrolSubmission(submissionId: number, input: SubmissionEnrolment): Promise<EnrolmentRecord>
    withdraw(id: number): Promise<EnrolmentRecord>
  }
  /** Submissions of this plugin's service only (read). */
  readonly submissions: {
    find(id: number): Promise<SubmissionView | null>
  }
  readonly notices: {
    /** A mail to an address, through the platform's mailer. */
    mail(to: string, message: MailNotice): Promise<{ sent: boolean }>
    /** A mail to a member of this tenant, by user id (events carry ids, never addresses). */
    mailUser(userId: number, message: MailNotice): Promise<{ sent: boolean }>
  }
  /** The ledger of this tenant: charges of this plugin's service, balances. */
  readonly ledger: {
    postCharge(charge: NewCharge): Promise<LedgerEntryView>
    /** The balance of a paying person or of an enrolment of this service. */
    balance(filter: { payerUserId?: number; enrolmentId?: number }): Promise<BalanceView>
  }
  readonly protocol: {
    register(request: ProtocolDocumentRequest): Promise<ProtocolRegistrationView>
  }
  readonly pdf: {
    page(page: PdfPage): Promise<Uint8Array>
  }
  readonly events: {
    /** Emits one of this plugin's own events (`<plugin id>.<name>`), in `ctx.trx` when there is one. */
    emit<N extends DomainEventName>(name: N, payload: DomainEvents[N]): Promise<DomainEvent<N>>
  }
  readonly jobs: {
    /** Enqueues one of this plugin's jobs for this tenant (after the commit of `ctx.trx`). */
    enqueue(job: string, payload: unknown, options?: { jobId?: string; delayMs?: number }): Promise<void>
  }
}

/* ------------------------------------------------------------------------------------------------
 * HTTP
 * --------------------------------------------------------------------------------------------- */

/** A compiled VineJS validator (`vine.compile(...)`), or anything that validates the same way. */
export interface Validator<T> {
  validate(data: any, ...options: any[]): Promise<T> // options differ per validator: VineJS metadata
}

export interface PluginRequest<B, Q> {
  /** The JSON body, validated by the route's `body` validator (undefined without one). */
  body: B
  /** The query string, validated by the route's `query` validator (raw without one). */
  query: Q
  params: Record<string, string>
  user: { id: number; roles: Role[]; isPlatformAdmin: boolean }
  lang: Lang
}

export interface PluginRoute<B = undefined, Q = Record<string, unknown>> {
  /** The roles that may call the route (platform admins always may); others get a 403. */
  roles: readonly Role[]
  body?: Validator<B>
  query?: Validator<Q>
  /** The answer: a value (200, JSON) or `reply(status, body)`; `throw new PluginHttpError(...)` for 4xx. */
  handle(request: PluginRequest<B, Q>, ctx: PluginContext): unknown
}

/** Routes a plugin mounts under /api/v1/t/:tenant/<plugin id>/, reachable only where it is enabled. */
export interface PluginRouter {
  get<B = undefined, Q = Record<string, unknown>>(path: string, route: PluginRoute<B, Q>): void
  post<B = undefined, Q = Record<string, unknown>>(path: string, route: PluginRoute<B, Q>): void
  put<B = undefined, Q = Record<string, unknown>>(path: string, route: PluginRoute<B, Q>): void
  patch<B = undefined, Q = Record<string, unknown>>(path: string, route: PluginRoute<B, Q>): void
  delete<B = undefined, Q = Record<string, unknown>>(path: string, route: PluginRoute<B, Q>): void
}

/** One error in the platform's error shape (`path` a JSON Pointer into the body or query): the portal's own type. */
export type { ApiError }

/* ------------------------------------------------------------------------------------------------
 * Jobs, settings, catalog, reports
 * --------------------------------------------------------------------------------------------- */

export interface PluginJobContext extends PluginContext {
  /** 1 on the first try. */
  attempt: number
  jobId: string
}

export interface PluginJob<P = unknown> {
  /** Runs for one tenant: enqueued with `ctx.jobs.enqueue`, or once per enabled tenant at each schedule. */
  handle(payload: P, ctx: PluginJobContext): Promise<void> | void
  /** Cron expression (minute hour day month weekday, Europe/Rome), e.g. "30 9 * * 1-5". */
  schedule?: string
  attempts?: number
}

/** The plugin's per-tenant settings, kept in `settings.plugins.<plugin id>` of the tenant. */
export interface PluginSettings {
  /** A JSON Schema of type object; `defaults` must satisfy it. */
  schema: JsonSchemaObject
  defaults: Record<string, unknown>
}

/** A catalog kind the plugin adds (its own table), readable by forms as `ui:options.source`. */
export interface PluginCatalogSource {
  title: LocalizedText
  list(filter: Record<string, string>, ctx: PluginContext): Promise<CatalogEntry[]>
}

/** One entry of a list the platform keeps for a plugin (`lists` in the manifest), as stored. */
export interface ListEntry {
  code: string
  name: string
  /** The code of the entry of the parent list it belongs to (a stop's line), or null. */
  parent: string | null
  attributes: Record<string, unknown>
  position: number
  active: boolean
}

/**
 * A list of choices the platform keeps for the plugin in its catalog (operators fill it with
 * `PUT /catalog/sources/<name>/<code>`, forms choose from it with `ui:options.source`), and checks
 * a submitted value against (only where the tenant keeps entries: without any the field is plain
 * text). The plugin says which attributes an entry carries, which filters a form may name and how
 * each narrows the list, and what to say when a value does not fit them.
 */
export interface PluginList {
  title: LocalizedText
  /** The attributes an entry may carry: a list of strings, a whole number of months, a text. */
  attributes: Record<string, 'strings' | 'months' | 'text'>
  /** The list whose entries this one's entries belong to (`parent` of an entry is one of its codes). */
  parent?: string
  /** Filter keys a form may name (`ui:options.filter`), and whether an entry passes for a value. */
  filters: Record<string, (entry: ListEntry, value: string, today: string) => boolean>
  /** Said at the field when the value chosen is one the filters exclude. */
  mismatch: LocalizedText
  /** What the portal shows under a choice (address, hours...), in the reader's language. */
  describe?: (entry: ListEntry, lang: Lang) => string | null
  /** A problem of an entry's attributes taken together (written by an operator), or null. */
  check?: (attributes: Record<string, unknown>) => { attribute: string; message: LocalizedText } | null
  /**
   * How the back office's form for the list's entries shows each attribute: its label, a hint, and
   * for a list of codes (`strings`) the list they are picked from (`schools`, or the source name of
   * a list: each code a box to tick). An attribute not named here shows its key and takes codes
   * typed with commas.
   */
  fields?: Record<string, PluginListField>
}

export interface PluginListField {
  label: LocalizedText
  hint?: LocalizedText
  /** For a `strings` attribute: `schools` or the source name of a list, whose codes it holds. */
  choices?: string
  /** What an entry without a value means, shown in the list's table (a line with no school: every school). */
  empty?: LocalizedText
}

export type ReportColumnType = 'text' | 'integer' | 'decimal' | 'money' | 'date' | 'boolean'

export interface ReportColumn {
  key: string
  label: LocalizedText
  /**
   * text: a string; integer: a safe integer; decimal and money: a decimal string ("12.50") or an
   * integer, shown with two decimals; date: "YYYY-MM-DD" or a Date; boolean. Null leaves the cell empty.
   */
  type: ReportColumnType
  /** Column width in characters in the spreadsheet. */
  width?: number
}

export type ReportValue = string | number | boolean | Date | null | undefined

export interface PluginReport<P extends Record<string, unknown> = Record<string, unknown>> {
  /** Unique in the plugin; the platform names it `<plugin id>.<id>`. */
  id: string
  title: LocalizedText
  /** What the report lists and what for, one or two sentences (the back office's list of reports shows it). */
  description?: LocalizedText
  roles: readonly Role[]
  /** JSON Schema of the parameters (type object); defaults are applied, strings from a query are coerced. */
  params?: JsonSchemaObject
  columns: ReportColumn[]
  /** The rows, produced one at a time: never build the whole list in memory. */
  rows(params: P, ctx: PluginContext): AsyncIterable<Record<string, ReportValue>>
  /**
   * Checks the parameters beyond their schema (a period too long, an impossible date) before any row
   * is made: throw `PluginHttpError` to refuse; the export or run answers it with its status.
   */
  check?(params: P, ctx: PluginContext): Promise<void> | void
  /** How many rows `rows` will give, for the progress of runs in the background. */
  count?(params: P, ctx: PluginContext): Promise<number>
}

/* ------------------------------------------------------------------------------------------------
 * The manifest
 * --------------------------------------------------------------------------------------------- */

/** What one of the plugin's tables holds: a row, and each column (plain English for the dictionary). */
export interface PluginTableMeaning {
  description: string
  columns: Record<string, string>
  /**
   * The columns stored with `columns.encrypted` (health, disability, ISEE: the `special` class): the
   * key rotation (`node ace.js data:reencrypt`) renews them with the platform's own.
   */
  encrypted?: string[]
}

export interface PluginManifest {
  /** Folder name under plugins/, lowercase with dashes. */
  id: string
  name: LocalizedText
  description?: LocalizedText
  version: string
  /** Default forms (ids of forms/<service>/*.json) copied into a tenant on enable. */
  forms: string[]
  /** Default rule sets (ids of rules/<service>/*.json) copied into a tenant on enable. */
  rulesets: string[]
  /**
   * Folder of the plugin's own migrations, relative to the plugin folder (e.g. "migrations"). They run
   * after the platform's, plugins by id, files by name; each extends `PluginSchema` and names its
   * tables `<plugin id with _ for ->_...`.
   */
  migrations?: string
  /**
   * What the plugin's tables and columns mean, for the data dictionary of a tenant's export (the
   * end-of-contract handover): every table its migrations create, `<table>: { description, columns }`.
   * `id`, `tenant_id`, `created_at` and `updated_at` need no description.
   */
  dictionary?: Record<string, PluginTableMeaning>
  routes?: (router: PluginRouter) => void
  jobs?: Record<string, PluginJob<any>> // payload types differ per job: each job narrows its own
  events?: PluginEventSubscribers
  /**
   * The plugin's text for people, each entry in Italian and English with `{name}` placeholders
   * (`defineMessages({ 'order.missing': { it: '…{day}…', en: '…{day}…' } })`), read with `ctx.t`.
   */
  messages?: Record<string, { it: string; en: string }>
  settings?: PluginSettings
  catalog?: Record<string, PluginCatalogSource>
  /** Lists of choices the platform keeps for the plugin in the tenant's catalog (see `PluginList`). */
  lists?: Record<string, PluginList>
  /**
   * Source names the plugin's forms use whose values the family types, with no list behind them
   * yet: known to the forms' checks, not checked against any data.
   */
  plainSources?: string[]
  /** Post-paid billing: the charges of a period, billed by the platform's monthly run (pagoPA, notices). */
  billing?: PluginBilling
  reports?: Array<PluginReport<any>> // parameter types differ per report: each report narrows its own
  /**
   * How people read the plugin's enrolment details (`details` of its enrolments): groups of
   * label/value lines in the reader's language, which the portal shows as they come. Without it the
   * details are not shown to families.
   */
  enrolment?: {
    describe(details: Record<string, unknown>, helpers: EnrolmentDescribeHelpers): EnrolmentDetailGroup[]
    /**
     * The first day of attendance (YYYY-MM-DD) a submission's data give, for services whose forms
     * ask for one (the weeks of a summer service): the school year of the application, its
     * duplicates and its enrolment is then the one that day falls in (1 September to 31 August)
     * instead of the one the sending day opens.
     */
    attendanceFrom?(data: Record<string, unknown>): string | null
  }
  hooks?: {
    install?: (ctx: PluginContext) => Promise<void> | void
    /**
     * The demo's data for a demo tenant (`npm start` seeds it at every start, after the demo's users
     * and enrolments): it must be idempotent, and what it writes must say it is demo data.
     */
    demo?: (
      ctx: PluginContext,
      demo: { users: Array<{ id: number; email: string; roles: Role[] }> }
    ) => Promise<void> | void
    enable?: (ctx: PluginContext) => Promise<void> | void
    disable?: (ctx: PluginContext) => Promise<void> | void
  }
}
