import type { ApplicantFacts } from '#shared/applicant_facts'
import type { DocumentType } from '#shared/contract'
/**
 * Types of the canonical form (see forms/README.md for the file format).
 *
 * A form is JSON Schema draft 2020-12 + an RJSF uiSchema + BLOCCO rules: the same definition is
 * rendered in the browser and enforced on the server (DESIGN.md, "Form engine").
 */
import type { Condition } from '#shared/conditions'
import type { CatalogEntryData } from '#forms/catalog_sources'

export type Lang = 'it' | 'en'

/** Text in every language a citizen can read; it and en are mandatory. */
export interface LocalizedText {
  it: string
  en: string
  [lang: string]: string
}

/** A JSON Schema node. Kept open: the schema is data, Ajv checks it. */
export type JsonSchema = { [keyword: string]: unknown } | boolean

/**
 * A BLOCCO rule (Allegato B: "se ... > BLOCCO"). The condition describes the violation: when it is
 * true on the submitted data, the submission is refused with `message` on every path of `paths`.
 */
export interface Blocco {
  id: string
  condition: Condition
  /** JSON Pointers of the blocked fields, e.g. "/siblings/0/school_name". */
  paths: string[]
  message: LocalizedText
  /** The tender article the rule comes from. */
  reference: string
  /** Optional: what the rule is for, in plain words, for staff reading the form's rules. */
  description?: LocalizedText
  /**
   * Data merged (top level, `null` deletes a key) into the form's `sample`: with `fires` the rule
   * must block, with `passes` the whole submission must be accepted. Used by the contract tests.
   */
  examples: { fires: Record<string, unknown>; passes: Record<string, unknown> }
}

export interface AttachmentRule {
  /** Accepted MIME types. */
  types: string[]
  max_bytes: number
  /** Optional: when the condition is true the attachment must be present. */
  required_when?: Condition
  /**
   * Optional: the kind of document the file is (identity, l104, foster_care, medical_diet, other);
   * on acceptance it is filed among the child's documents (document_service.ts), whatever the
   * service. The form contract tests check the type and that the sample names the person.
   */
  document_type?: DocumentType
  /** Optional: a JSON Pointer to the codice fiscale of the person the document is for, when not the child. */
  document_of?: string
}

/**
 * A value computed from the form data for the tariff preview:
 * - a string starting with "/" is a JSON Pointer into the data (missing → null);
 * - `{ "$literal": v }` is v as is; any other JSON scalar is itself;
 * - `{ "$count": "/pointer", "$plus": n }` is the length of the list at pointer (0 when missing) + n;
 * - `{ "$switch": [{ "when": <condition>, "then": <expr> }], "$default": <expr> }`.
 */
export type FactExpression =
  | string
  | number
  | boolean
  | null
  | { $literal: unknown }
  | { $count: string; $plus?: number }
  | { $switch: Array<{ when: Condition; then: FactExpression }>; $default?: FactExpression }

export interface TariffPreview {
  /** Id of the ruleset in the rules engine, e.g. "<service>.tariffa". */
  ruleset: string
  facts: Record<string, FactExpression>
}

/** A form after loading: shared parts resolved, the schema self-contained (local $refs only). */
export interface FormDefinition {
  'id': string
  'service': string
  'version': number
  'title': LocalizedText
  'reference'?: string
  'schema': { [keyword: string]: unknown }
  'uiSchema': { [key: string]: unknown }
  'blocchi': Blocco[]
  /** Named conditions usable as `{ "condition": "<name>" }` in BLOCCO rules. */
  'conditions'?: Record<string, Condition>
  /** Keyed by the JSON Pointer of the attachment field. */
  'attachments': Record<string, AttachmentRule>
  'tariff_preview'?: TariffPreview
  /** A complete, valid submission: demo data and the base of the contract tests. */
  'sample': Record<string, unknown>
  /**
   * A second application for the same child and school year (forms/README.md): `refuse` it, `warn`
   * (accept it with a warning kept for staff, who decide) or `allow` it. Absent: not checked.
   */
  'x-duplicates'?: DuplicatePolicy
}

export type DuplicatePolicy = 'refuse' | 'warn' | 'allow'
export const DUPLICATE_POLICIES: readonly DuplicatePolicy[] = ['refuse', 'warn', 'allow']

/** One reason a submission is refused. */
export interface FormError {
  /** JSON Pointer of the field ("" for the whole form). */
  path: string
  /** "schema:<keyword>", "attachment:<check>" or the id of a BLOCCO rule. */
  rule: string
  message: string
}

export interface ValidationResult {
  valid: boolean
  errors: FormError[]
}

export interface ValidateOptions {
  lang?: Lang
  /** Draft save: only shape errors (type, unknown fields, too long); no required, no BLOCCO. */
  partial?: boolean
  /**
   * The tenant's school catalog: when given (and not `partial`), fields with a catalog `source`
   * are checked against it (rule "catalog:<check>"). The server always passes it on submit.
   */
  catalog?: SchoolCatalog
  /**
   * Facts about the applicant from the platform (shared/applicant_facts.ts: overdue debt and the
   * tenant's choice to block on it): BLOCCO conditions read them over the data, messages name them.
   */
  facts?: Partial<ApplicantFacts>
}

/* The school catalog as the validator reads it (school_catalog.ts checks the fields against it). */

export interface CatalogClass {
  /** Null where the order has no years (sections of a scuola dell'infanzia, of a nido). */
  year: string | null
  section: string
  active: boolean
}

export interface CatalogSchool {
  code: string
  name: string
  order: string
  services: string[]
  active: boolean
  classes: CatalogClass[]
}

/**
 * What the validator needs of a tenant's catalog: a school by its code, with its classes; the
 * entries of the other lists (every entry, active or not), and the day (the age filters need it).
 */
export interface SchoolCatalog {
  school(code: string): CatalogSchool | undefined
  entries?(source: string): readonly CatalogEntryData[]
  today?: string
}
