/**
 * What is encrypted at rest, in one machine-readable list: the rotation
 * command (data_reencryption.ts) walks it, the models' column options carry
 * the same classes (a unit test holds the two equal), and a tenant export's
 * data dictionary reads it to say which fields are encrypted and how.
 *
 * Classes:
 * - `special`: GDPR art. 9 data and ISEE (health, disability, foster care, means test), and whole
 *   form data holding them. The audit log records that such a column changed and who changed it,
 *   never the value ("[cifrato]"): the log outlives the data, and must not become a second copy
 *   of what the law protects most.
 * - `identifier`: who a person is (names, codici fiscali, birth dates, free text about them, names
 *   of their documents). The audit log keeps the values encrypted with the same key ring, so an
 *   auditor with the key can read who was changed; the audit API decrypts them for tenant admins.
 *
 * Every value is AES-256-GCM with the current key of DATA_ENCRYPTION_KEYS, stored as text
 * `enc:v1:<keyId>:<iv>:<tag>:<ciphertext>` around the value's JSON (`plain` says what the JSON
 * holds). Encrypted columns cannot be filtered or sorted in SQL: look-ups go through a blind index
 * (`blindIndex`, an HMAC-SHA256 column beside the value), the rest is done in memory on bounded sets.
 */
export type ProtectionClass = 'special' | 'identifier'

export interface EncryptedColumnSpec {
  table: string
  /** The database column. */
  column: string
  /** The model attribute, as audit rows name it (null where no model writes the table). */
  attribute: string | null
  protection: ProtectionClass
  /** What the decrypted JSON holds. */
  plain: 'text' | 'json'
  /**
   * The column holding the blind index of this one, and the purpose it is computed for. `of`: what
   * is indexed, the clear value itself (the default) or, for form data, the codice fiscale of the
   * child the application is for (child_identity.ts, the empty text when it names none).
   */
  blindIndex?: { column: string; attribute: string; purpose: 'fiscal_code'; of?: 'child_in_data' }
  description: string
}

export const ENCRYPTED_COLUMNS: readonly EncryptedColumnSpec[] = [
  {
    table: 'submissions',
    column: 'data',
    attribute: 'data',
    protection: 'special',
    plain: 'json',
    blindIndex: { column: 'child_key_hash', attribute: 'childKeyHash', purpose: 'fiscal_code', of: 'child_in_data' },
    description: 'The form as filled: identities, ISEE, disability, health, attachments references',
  },
  {
    table: 'submissions',
    column: 'status_reason',
    attribute: 'statusReason',
    protection: 'identifier',
    plain: 'text',
    description: 'The reason of the last status change, written for the citizen (free text about the person)',
  },
  {
    table: 'submissions',
    column: 'warnings',
    attribute: 'warnings',
    protection: 'identifier',
    plain: 'json',
    description: 'What staff should check before deciding, e.g. another application for the same child, named',
  },
  {
    table: 'submission_events',
    column: 'reason',
    attribute: 'reason',
    protection: 'identifier',
    plain: 'text',
    description: 'The reason of each status change (free text about the person)',
  },
  {
    table: 'enrolments',
    column: 'child_first_name',
    attribute: 'childFirstName',
    protection: 'identifier',
    plain: 'text',
    description: "The child's first name",
  },
  {
    table: 'enrolments',
    column: 'child_last_name',
    attribute: 'childLastName',
    protection: 'identifier',
    plain: 'text',
    description: "The child's last name",
  },
  {
    table: 'enrolments',
    column: 'child_fiscal_code',
    attribute: 'childFiscalCode',
    protection: 'identifier',
    plain: 'text',
    blindIndex: { column: 'child_fiscal_code_hash', attribute: 'childFiscalCodeHash', purpose: 'fiscal_code' },
    description: "The child's codice fiscale",
  },
  {
    table: 'enrolments',
    column: 'child_birth_date',
    attribute: 'childBirthDate',
    protection: 'identifier',
    plain: 'text',
    description: "The child's birth date, or the expected one (YYYY-MM-DD)",
  },
  {
    table: 'enrolments',
    column: 'details',
    attribute: 'details',
    protection: 'special',
    plain: 'json',
    description: "The service plugin's own detail of the enrolment (may hold health or religion data)",
  },
  {
    table: 'enrolments',
    column: 'fee_override_reason',
    attribute: 'feeOverrideReason',
    protection: 'identifier',
    plain: 'text',
    description: 'Why an operator set the fee by hand (free text about the family)',
  },
  {
    table: 'enrolments',
    column: 'withdrawal_reason',
    attribute: 'withdrawalReason',
    protection: 'identifier',
    plain: 'text',
    description: 'Why the enrolment was withdrawn (free text about the family)',
  },
  {
    table: 'enrolments',
    column: 'isee',
    attribute: 'isee',
    protection: 'special',
    plain: 'json',
    description: 'The declared ISEE, its INPS protocol, or its non-presentation',
  },
  {
    table: 'enrolments',
    column: 'tariff_result',
    attribute: 'tariffResult',
    protection: 'special',
    plain: 'json',
    description: "The rules engine's outputs for the fee",
  },
  {
    table: 'enrolments',
    column: 'tariff_facts',
    attribute: 'tariffFacts',
    protection: 'special',
    plain: 'json',
    description: 'The facts the fee was computed from (ISEE, disability, foster care)',
  },
  {
    table: 'enrolments',
    column: 'tariff_trace',
    attribute: 'tariffTrace',
    protection: 'special',
    plain: 'json',
    description: 'How the fee was computed, step by step',
  },
  {
    table: 'users',
    column: 'full_name',
    attribute: 'fullName',
    protection: 'identifier',
    plain: 'text',
    description: "The person's name",
  },
  {
    table: 'users',
    column: 'fiscal_code',
    attribute: 'fiscalCode',
    protection: 'identifier',
    plain: 'text',
    blindIndex: { column: 'fiscal_code_hash', attribute: 'fiscalCodeHash', purpose: 'fiscal_code' },
    description: "The person's codice fiscale",
  },
  {
    table: 'people',
    column: 'first_name',
    attribute: 'firstName',
    protection: 'identifier',
    plain: 'text',
    description: "A parent's or child's first name",
  },
  {
    table: 'people',
    column: 'last_name',
    attribute: 'lastName',
    protection: 'identifier',
    plain: 'text',
    description: "A parent's or child's last name",
  },
  {
    table: 'people',
    column: 'fiscal_code',
    attribute: 'fiscalCode',
    protection: 'identifier',
    plain: 'text',
    blindIndex: { column: 'fiscal_code_hash', attribute: 'fiscalCodeHash', purpose: 'fiscal_code' },
    description: "A parent's or child's codice fiscale",
  },
  {
    table: 'people',
    column: 'birth_date',
    attribute: 'birthDate',
    protection: 'identifier',
    plain: 'text',
    description: "A parent's or child's birth date",
  },
  {
    table: 'attachments',
    column: 'file_name',
    attribute: 'fileName',
    protection: 'identifier',
    plain: 'text',
    description: "The name the file was uploaded with (often the person's name)",
  },
  {
    table: 'documents',
    column: 'subject_fiscal_code',
    attribute: 'subjectFiscalCode',
    protection: 'identifier',
    plain: 'text',
    blindIndex: { column: 'subject_fiscal_code_hash', attribute: 'subjectFiscalCodeHash', purpose: 'fiscal_code' },
    description: 'The codice fiscale of the person a kept document is for',
  },
  {
    table: 'documents',
    column: 'notes',
    attribute: 'notes',
    protection: 'special',
    plain: 'text',
    description: 'Notes on a certification or decree (disability, health, foster care)',
  },
  {
    table: 'documents',
    column: 'deletion_reason',
    attribute: 'deletionReason',
    protection: 'identifier',
    plain: 'text',
    description: "Why a document was deleted: empty in stored rows, held by the deletion's audit entry",
  },
  {
    table: 'protocol_entries',
    column: 'correspondent',
    attribute: null,
    protection: 'identifier',
    plain: 'text',
    description: 'The applicant named in the protocol registration ("Last First")',
  },
  {
    table: 'notices',
    column: 'recipient',
    attribute: 'recipient',
    protection: 'identifier',
    plain: 'text',
    description: 'The address a notice went to on its channel (email, phone number, codice fiscale for App IO, town)',
  },
  {
    table: 'notices',
    column: 'subject',
    attribute: 'subject',
    protection: 'identifier',
    plain: 'text',
    description: "A notice's subject, which may name the child",
  },
  {
    table: 'collection_records',
    column: 'content',
    attribute: 'content',
    protection: 'identifier',
    plain: 'text',
    description: "A coercive-collection record's fixed-width file: every debtor's codice fiscale, name and address",
  },
  {
    table: 'collection_records',
    column: 'csv',
    attribute: 'csv',
    protection: 'identifier',
    plain: 'text',
    description: "The same record's CSV, with the same personal data",
  },
]

/**
 * JSON columns whose values are partly encrypted: audit rows hold a snapshot of the columns
 * written, in which `identifier` values are stored encrypted (as above) and `special` ones as "[cifrato]".
 */
export const PARTLY_ENCRYPTED_JSON = [
  { table: 'audit_logs', column: 'before', description: 'The changed attributes before the write' },
  { table: 'audit_logs', column: 'after', description: 'The changed attributes after the write' },
] as const

/** Files encrypted at rest with the same key ring (header `SPTLENC1`, see data_cipher.ts). */
export const ENCRYPTED_FILES = [
  {
    store: 'storage/attachments/<tenant id>/<file id>',
    table: 'attachments',
    description:
      "Uploaded documents (identity documents, certificates), also those kept in a person's documents; SHA-256 in the row is of the plain bytes",
  },
] as const

/** The spec of a column, or undefined when it is not encrypted. */
export function encryptedColumnSpec(table: string, column: string) {
  return ENCRYPTED_COLUMNS.find((c) => c.table === table && c.column === column)
}

/**
 * The model attributes an audit row of `table` holds encrypted (identifiers), the only values the
 * audit API decrypts and the rotation renews there.
 */
export function auditedIdentifiers(table: string): ReadonlySet<string> {
  return new Set(
    ENCRYPTED_COLUMNS.filter((c) => c.table === table && c.protection === 'identifier' && c.attribute).map(
      (c) => c.attribute!
    )
  )
}
