/**
 * What the tables and columns of a tenant export mean: the data dictionary handed over with a
 * comune's data at the end of a contract (tenant_export.ts). Types, nullability and row counts
 * are read from the database, which columns are encrypted from the models; the meanings are
 * written here. A table or column the database has and this file does not describe is printed as
 * undescribed, and the test of the export fails naming it: add its meaning here with the migration.
 */
export interface TableMeaning {
  /** What one row is. */
  description: string
  columns: Record<string, string>
}

/** Columns with the same meaning wherever they appear. */
export const COMMON_COLUMNS: Record<string, string> = {
  id: 'Identifier of the row, unique in its table',
  tenant_id: 'The comune or agency (tenants.id) the row belongs to',
  created_at: 'When the row was created',
  updated_at: 'When the row was last changed',
}

export const TABLES: Record<string, TableMeaning> = {
  tenants: {
    description: 'The comune or agency itself',
    columns: {
      slug: 'Short name used in addresses (/api/v1/t/<slug>)',
      name: 'Official name',
      fiscal_code: 'Codice fiscale or partita IVA of the body',
      settings: 'Configuration (JSON): protocol system, enrolment windows, attachment retention and the like',
      content_stamp:
        'A random value renewed at every change of the school catalog, services or forms (tells the servers what they keep is stale); no meaning of its own',
    },
  },
  users: {
    description:
      'People with an account who acted in this tenant: members, applicants, uploaders, authors. Password hashes are not exported',
    columns: {
      email: 'Login and contact e-mail address',
      full_name: 'Name and surname',
      fiscal_code: 'Codice fiscale of the person, when known',
      fiscal_code_hash:
        'Keyed hash (HMAC-SHA256) of the codice fiscale, where it is encrypted: for look-ups without decrypting; not reversible',
      is_platform_admin: "Whether the account administers the whole platform (the provider's staff)",
      locale: 'Preferred language of the interface (it, en)',
      disabled_at: 'When the account was disabled (it can no longer log in); empty while active',
      directory_tenant_id:
        "For staff who log in from a tenant's directory (LDAP): that tenant (tenants.id); empty for local accounts",
      directory_login: 'For staff who log in from a directory: their login name there',
    },
  },
  memberships: {
    description: "A user's roles in this tenant",
    columns: {
      user_id: 'The user (users.id)',
      roles: 'Roles held (JSON list): citizen, school_staff, kitchen, operator, tenant_admin, designer',
    },
  },
  tenant_plugins: {
    description: 'The services (plugins) this tenant has installed, and whether each is enabled',
    columns: {
      plugin_id: 'The service (plugin id, as GET /api/v1/plugins lists them)',
      enabled: 'Whether citizens and staff can use it now',
      enabled_at: 'When it was last enabled',
    },
  },
  audit_logs: {
    description:
      'Who did what and when: one row per write (and per read of sensitive records by staff). The charges of a monthly run have one row per batch: action create_batch, entity ledger_entries, entity_id run:<billing_runs.id>, and in after the run, who started it (startedByUserId), how many charges, their total and the first and last ledger_entries.id; a charge names its run in ledger_entries.details.run. Its positions likewise: action create_batch, entity payment_positions, entity_id run:<billing_runs.id>, and in after the run, startedByUserId, how many positions, their total and the first and last payment_positions.id; a position names its run in payment_positions.run_id',
    columns: {
      actor_user_id: 'The user who acted (users.id); empty for the system',
      actor_label: 'Who acted, as a label (e-mail, or system:<job>)',
      action: 'What was done: create, update, delete, read, publish, retention_delete, ...',
      entity: 'The kind of record (table or model name)',
      entity_id: 'The record acted on',
      before: 'The values before the change (JSON); encrypted fields only named, never shown',
      after: 'The values after the change (JSON); encrypted fields only named, never shown',
    },
  },
  rulesets: {
    description: 'Rule sets (tariffs, rankings) of this tenant, each with its versions in ruleset_versions',
    columns: {
      key: 'Identifier of the rule set, <service>.<name>',
      service: 'The service (plugin) it belongs to',
      title: 'Title in Italian and English (JSON)',
    },
  },
  ruleset_versions: {
    description: 'The dated versions of a rule set: the one in force on a date computes the amounts for that date',
    columns: {
      ruleset_id: 'The rule set (rulesets.id)',
      version: 'Version number, from 1',
      valid_from: 'First day the version is in force (YYYY-MM-DD)',
      valid_to: 'Last day the version is in force, empty when open-ended',
      body: 'The rule set version (JSON): facts schema, tables, rules, formulas, test cases',
      source: 'Where it came from: default (shipped with the service) or published by staff',
      published_by: 'The user who published it (users.id), empty for defaults',
    },
  },
  ruleset_drafts: {
    description: 'The next version of a rule set while staff prepare it in the designer, not yet in force',
    columns: {
      ruleset_id: 'The rule set (rulesets.id)',
      based_on: 'The version it was started from',
      valid_from: 'The day it is meant to come into force (YYYY-MM-DD)',
      body: 'The version being prepared (JSON), as ruleset_versions.body',
      updated_by: 'The user who saved it last (users.id)',
    },
  },
  form_drafts: {
    description: 'The next version of a form while staff prepare it in the designer, not yet published',
    columns: {
      form_id: 'The form (forms.id)',
      based_on: 'The version number it was started from; empty when imported for a form with no version here',
      origin: 'edit (started from a version here) or import (a file exported elsewhere)',
      definition: 'The form being prepared (JSON), as form_versions.definition',
      updated_by: 'The user who saved it last (users.id)',
    },
  },
  forms: {
    description: 'Application forms of this tenant, each with its versions in form_versions',
    columns: {
      key: 'Identifier of the form, <service>.<name>',
      service: 'The service (plugin) it belongs to',
      title: 'Title in Italian and English (JSON)',
    },
  },
  form_versions: {
    description: 'The published versions of a form; a submission records the version it was made on',
    columns: {
      form_id: 'The form (forms.id)',
      version: 'Version number, from 1',
      definition: 'The form (JSON): JSON Schema, layout, BLOCCO rules, attachment rules',
      valid_from:
        'First day it applies (YYYY-MM-DD); empty: from the start. Until then the version before stays in force',
      source: 'Where it came from: default (shipped with the service) or designer (published by staff)',
      published_by: 'The user who published it (users.id), empty for defaults',
    },
  },
  submissions: {
    description: 'Applications (domande) made on a form, from draft to decision',
    columns: {
      form_id: 'The form (forms.id)',
      form_version_id: 'The form version the data was validated against (form_versions.id)',
      form_key: 'The form key, <service>.<name>',
      applicant_user_id: 'The citizen the application is for (users.id)',
      submitted_by_user_id: 'Who saved or sent it: the citizen, or an operator on their behalf (users.id)',
      on_behalf: 'Whether an operator filed it on the citizen’s behalf (procura)',
      status: 'draft, submitted, protocolled, accepted, rejected, needs_completion',
      status_reason: 'Why the last status was given (shown to the citizen)',
      data: 'Everything the applicant declared (JSON, as the form version defines it)',
      child_key_hash:
        'Keyed hash (HMAC-SHA256) of the codice fiscale of the child the application is for: for the duplicate check; not reversible',
      protocol_number: 'Protocol number given on registration, e.g. 2026/0000042',
      school_code:
        'Catalog code of the school the application is for (schools.code), copied from the data for the inbox filter',
      submitted_at: 'When it was (last) sent',
      lang: 'Language the applicant used (it, en): the receipt speaks it',
      warnings: 'What staff should check before deciding (JSON), e.g. another application for the same child',
    },
  },
  submission_events: {
    description: 'The status history of each submission, oldest first',
    columns: {
      submission_id: 'The submission (submissions.id)',
      from_status: 'Status before; empty when the draft was created',
      to_status: 'Status after',
      reason: 'The reason given with the change',
      user_id: 'Who changed it (users.id); empty for the system',
    },
  },
  submission_search_terms: {
    description:
      'What the back office searches submissions by: keyed hashes (HMAC-SHA256 with the data key) of the codici fiscali and of the name words in each submission',
    columns: {
      submission_id: 'The submission (submissions.id)',
      term: 'The keyed hash, "<key id>:<hex>"; meaningless without the data key',
    },
  },
  submission_status_counts: {
    description:
      'How many submissions there are per form, school and status (kept by database triggers on submissions): the back office inbox reads its counts here',
    columns: {
      form_key: 'The form key, <service>.<name>',
      school_code: 'Catalog code of the school (schools.code); empty for submissions naming none',
      status: 'The submission status',
      total: 'How many submissions of this form and school are in this status',
    },
  },
  submission_day_counts: {
    description:
      'How many submissions there are per form, day of sending, school and status (kept by database triggers on submissions): the back office inbox sums them under dates or a school year',
    columns: {
      form_key: 'The form key, <service>.<name>',
      day: 'The day the submissions were sent (YYYY-MM-DD, Italian calendar day); empty for drafts never sent',
      school_code: 'Catalog code of the school (schools.code); empty for submissions naming none',
      status: 'The submission status',
      total: 'How many submissions of this form, day and school are in this status',
    },
  },
  protocol_entries: {
    description: 'Registrations in the protocol (protocollo informatico), one per registered document',
    columns: {
      year: 'Protocol year',
      number: 'Protocol number within the year',
      doc_id: 'Document id given by the protocol system',
      direction: 'E incoming, U outgoing',
      subject: 'Subject (oggetto) of the registration',
      correspondent: 'The sender or addressee, as registered',
      idempotency_key: 'What was registered, e.g. submission:42: registering it again returns this row',
      document_sha256: 'SHA-256 of the registered document',
    },
  },
  attachments: {
    description: 'Documents uploaded for form fields; the files themselves are in attachments/<file_id>',
    columns: {
      file_id: 'Identifier of the file (its name in attachments/)',
      uploaded_by_user_id: 'Who uploaded it (users.id)',
      form_key: 'The form it was uploaded for',
      field_path: 'The form field (JSON pointer), e.g. /identity_document',
      submission_id: 'The submission it belongs to (submissions.id), empty while only a draft names it',
      file_name: 'The name the file had when uploaded',
      content_type: 'The type read from the content: application/pdf, image/png, image/jpeg',
      size_bytes: 'Size in bytes',
      sha256: 'SHA-256 of the content, to check the file',
    },
  },
  documents: {
    description:
      "Documents the offices keep for a person (identity, L. 104/92, foster care, medical diet); the file is the attachments row's",
    columns: {
      type: 'identity, l104, foster_care, medical_diet or other',
      subject_fiscal_code: 'The codice fiscale of the person the document is for',
      subject_fiscal_code_hash: 'Keyed hash of that codice fiscale, to find the documents of a person or enrolment',
      attachment_id: 'The stored file (attachments.id)',
      submission_id: 'The application it was filed from when accepted (submissions.id), if any',
      issued_on: 'Date of issue (YYYY-MM-DD), if known',
      expires_on: 'Expiry date (YYYY-MM-DD), if the document has one',
      notes: 'Notes of the offices on the document',
      deletion_reason: 'Always empty: the reason of a deletion is in the audit entry of the deletion',
      uploaded_by_user_id: 'Who uploaded the file (users.id)',
    },
  },
  schools: {
    description: 'The schools (plessi) of the comune offered in the forms',
    columns: {
      code: 'Code of the school, unique in the tenant',
      name: 'Name of the school',
      order: 'nido, infanzia, primaria, secondaria_primo_grado',
      services: 'Services offered there (JSON list of plugin ids)',
      address: 'Address',
      active: 'Whether it is offered now (deactivated schools stay for past applications)',
    },
  },
  school_classes: {
    description: 'Class groups of a school (year and section)',
    columns: {
      school_id: 'The school (schools.id)',
      year: 'Year of the class, empty where the order has none',
      section: 'Section',
      active: 'Whether it is offered now',
    },
  },
  enrolments: {
    description: 'Children enrolled in a service for a school year, from accepted applications (Allegato C)',
    columns: {
      service: 'The service (plugin id)',
      form_key: 'The form the application came through',
      school_year: 'School year, e.g. 2026/2027',
      submission_id: 'The accepted submission (submissions.id)',
      applicant_user_id: 'The applicant (users.id)',
      child_first_name: "Child's first name",
      child_last_name: "Child's surname",
      child_fiscal_code: "Child's codice fiscale",
      child_fiscal_code_hash:
        "Keyed hash (HMAC-SHA256) of the child's codice fiscale, where it is encrypted: for look-ups; not reversible",
      child_unborn: 'Whether the child was not yet born when enrolled',
      child_birth_date: 'Birth date, or the expected one (YYYY-MM-DD)',
      school_id: 'School code (schools.code)',
      section: 'Section',
      details: "The service's own detail of the enrolment (JSON, written and described by the service's plugin)",
      isee: 'Declared ISEE value and INPS protocol, or its non-presentation (JSON)',
      tariff_amount: 'The fee computed (decimal, euro)',
      tariff_ruleset: 'The rule set that computed it',
      tariff_version: 'The rule set version used',
      tariff_at: 'The date the fee was computed for (YYYY-MM-DD)',
      tariff_result: 'All outputs of the computation (JSON)',
      tariff_facts: 'The facts the fee was computed from (JSON): ISEE, siblings, disability, foster care',
      tariff_trace: 'How each amount was computed (JSON): rules fired, table cells, formulas',
      tariff_missing_reason: 'Why there is no fee: no_tariff_rule, ruleset_missing, no_version_in_force, facts_invalid',
      fee_override_amount:
        'The fee set by hand by an operator in place of the computed one (decimal, euro); billing charges it',
      fee_override_reason: 'Why the fee was set by hand',
      fee_override_by: 'Who set it (users.id)',
      fee_override_at: 'When it was set',
      status: 'Status of the enrolment',
      withdrawn_from: 'The day the child stops, when withdrawn (YYYY-MM-DD): months begun before it are billed',
      withdrawal_reason: 'Why it was withdrawn',
      withdrawn_by: 'Who withdrew it (users.id)',
      renewed_from_id: 'The enrolment of the previous school year this one renews (enrolments.id)',
    },
  },
  catalog_entries: {
    description:
      'Entries of the lists forms choose from, besides schools and classes (transport lines and stops, facilities)',
    columns: {
      source: "The list it belongs to (a list a service's plugin declares)",
      code: 'Code of the entry, unique in its list',
      name: 'Name shown to families',
      parent: "The entry it belongs to (a stop's line), by code",
      attributes: 'Further attributes the list defines (JSON): schools served, ages taken, ...',
      position: 'Order in the list',
      active: 'Whether it is offered now (entries are never deleted)',
    },
  },
  pagopa_notice_sequences: {
    description: 'The last pagoPA notice number base given out by the comune (one row: numbers are gap-free)',
    columns: {
      last_base: 'The 13-digit base of the last notice number committed; the next one is this plus one',
    },
  },
  jobs: {
    description:
      'Background work of the platform (a receipt to send, a report to build), each written with the change it follows',
    columns: {
      queue: 'The queue it belongs to (QUEUE_PREFIX of the deployment)',
      key: 'Its identity, e.g. receipt:<tenant>:<submission>:<sent at>: enqueuing it again does nothing',
      name: 'What it does, e.g. platform.submission-receipt',
      payload: 'Its input (JSON): identifiers only, never personal data',
      tenant_slug: 'The tenant it works for, by slug',
      status: 'waiting, running, completed, failed or dispatched (handed to the Redis queue)',
      attempts: 'How many times it was tried',
      run_at: 'When it is due (milliseconds since 1970)',
      locked_by: 'The process running it',
      locked_until: 'Until when that process holds it (milliseconds since 1970)',
      last_error: 'The last error, if any',
      finished_at: 'When it ended (milliseconds since 1970)',
      enqueued_at: 'When it was written (milliseconds since 1970)',
    },
  },
  external_attempts: {
    description:
      'Calls to other systems that must not be repeated blindly (a protocol registration, a receipt email), recorded before they are made',
    columns: {
      kind: 'protocol or mail',
      key: 'What was attempted, unique per kind',
      subject_type: 'The kind of record it was for (e.g. submission)',
      subject_id: 'The identifier of that record',
      status: 'pending, done or needs_review (an operator decides what happened)',
      owner: 'The job run that made the call',
      detail: 'What went wrong, or what the operator decided',
      result: 'What the other system answered (JSON)',
      started_at: 'When the call began (milliseconds since 1970)',
      finished_at: 'When it ended (milliseconds since 1970)',
    },
  },
  report_runs: {
    description: "Reports produced in the background at a person's request (the file itself expires after a day)",
    columns: {
      report_id: 'The report, as <plugin id>.<report id>',
      format: 'xlsx or csv',
      params: 'The parameters it was asked with (JSON)',
      lang: 'The language of its headings (it, en)',
      status: 'queued, running, done, failed or expired',
      done: 'Rows written so far',
      total: 'Rows expected, when known',
      file_path: 'Where the file was kept while it could be downloaded',
      file_size: 'Size of the file in bytes',
      error: 'Why it failed, if it did',
      requested_by_user_id: 'Who asked for it (users.id)',
      finished_at: 'When it ended',
      expires_at: 'When its file is deleted',
    },
  },
  people: {
    description: "Parents and children in the offices' register of people",
    columns: {
      kind: 'parent or child',
      first_name: 'First name',
      last_name: 'Last name',
      fiscal_code: 'Codice fiscale',
      fiscal_code_hash: 'Keyed hash of the codice fiscale, for look-ups',
      birth_date: 'Birth date (YYYY-MM-DD)',
    },
  },
  person_relations: {
    description: 'Who is whose parent in the register of people',
    columns: {
      parent_id: 'The parent (people.id)',
      child_id: 'The child (people.id)',
    },
  },
  bulk_actions: {
    description: 'Actions of the back office on a selection of applications (accepting them all), run as a job',
    columns: {
      kind: 'What is done to each item: accept',
      status: 'queued, running or done',
      total: 'How many applications were selected',
      requested_by_user_id: 'Who asked for it (users.id)',
      finished_at: 'When the last item was done',
    },
  },
  bulk_action_items: {
    description: 'The applications of a bulk action, each with its outcome',
    columns: {
      bulk_action_id: 'The action (bulk_actions.id)',
      submission_id: 'The application (submissions.id)',
      status: 'pending, done or failed',
      error: 'Why it failed, in Italian and English (JSON)',
      finished_at: 'When its outcome was recorded',
    },
  },
  ledger_entries: {
    description:
      'The money of every service: charges, payments and adjustments per paying person, in euro cents, never edited',
    columns: {
      entry_key: 'What the entry is for, e.g. billing:<service>:<month>:<enrolment>:fee: posted once',
      kind: 'charge (positive), payment (negative) or adjustment (either sign)',
      payer_user_id: 'The paying person (users.id)',
      enrolment_id: 'The enrolment it belongs to (enrolments.id), if any',
      service: 'The service (plugin id)',
      period: 'The month it belongs to, YYYY-MM',
      amount_cents: 'Amount in euro cents',
      quantity: 'How many units were charged (months, meals, days), as a decimal',
      unit_cents: 'The amount of one unit in euro cents',
      description: 'What it is, as the statement shows it',
      details: 'Where the amount came from (rule set, version, receipt): no personal data',
      actor_label: 'Who or what posted it',
      position_id:
        'The payment position asking for this charge (payment_positions.id), when the charge was written with it (a monthly run on PostgreSQL); otherwise see payment_position_items',
    },
  },
  payment_flows: {
    description:
      'A pagoPA reporting flow (flusso di rendicontazione, FdR) read and reconciled: one per flow id and revision',
    columns: {
      flow_id: 'Identifier of the flow given by the payment service provider',
      revision: 'Revision of the flow (a provider may send a corrected one)',
      psp_id: 'Identifier of the payment service provider (PSP) that sent the flow',
      psp_name: 'Name of the payment service provider, when given',
      flow_date: 'When the provider produced the flow',
      regulation: 'Identifier of the bank transfer that settled the flow (identificativo univoco regolamento)',
      regulation_date: 'Day the transfer was settled',
      declared_count: 'Number of payments the flow declares',
      declared_sum_cents: 'Total the flow declares, in euro cents',
      computed_count: 'Number of payment lines actually read',
      computed_sum_cents: 'Total of the lines actually read, in euro cents',
      totals_ok: 'Whether the declared count and total match the lines read',
      problems: 'What did not match (JSON), for the office',
      summary: 'Count and amount of the lines by outcome (JSON)',
    },
  },
  payment_flow_lines: {
    description: 'One payment line of a reporting flow, with what reconciliation made of it',
    columns: {
      flow_row_id: 'The flow (payment_flows.id) the line belongs to',
      line_index: 'Position of the line in the flow, from 0',
      iuv: 'Identificativo univoco di versamento of the payment',
      iur: 'Identificativo univoco di riscossione: the receipt of the payment',
      id_transfer: 'Number of the transfer within the payment',
      amount_cents: 'Amount of the line, in euro cents',
      pay_status: 'Outcome code the flow gives the payment (paid, revoked, without receipt…)',
      pay_date: 'Day the payment was made',
      outcome: 'What reconciliation found: matched, partial, overpaid, unmatched, duplicated, revoked',
      difference_cents: 'Paid minus owed on the position, in euro cents (0 when it matches)',
      position_id: 'The payment position (payment_positions.id) the line paid, when found',
      reason: 'Why the line has its outcome, in words, for the office',
    },
  },
  arrears_letters: {
    description: 'An arrears letter sent to a payer for unpaid positions, registered in the outgoing protocol',
    columns: {
      position_id: 'The unpaid position (payment_positions.id) the letter was sent for',
      payer_user_id: 'The payer (users.id) the letter was addressed to',
      protocol_number: 'Outgoing protocol number of the letter',
      protocol_year: 'Year of the protocol registration',
      protocol_date: 'Day of the protocol registration',
      protocol_label: 'Protocol number as printed on the letter',
      positions: 'The positions the letter lists, each with what it still asked for (JSON)',
      owed_cents: 'Total the letter asks for, in euro cents',
      channel: 'How it was sent: post (registered mail) or email; empty when no channel could deliver it',
      sent_month: 'Month the letter was sent (YYYY-MM), for the monthly report',
    },
  },
  injunctions: {
    description: 'A payment injunction (ingiunzione) of a payer whose positions stayed unpaid after the arrears letter',
    columns: {
      year: 'Year of the injunction, with number its label (YYYY/NNNNNN)',
      number: 'Number of the injunction within its year and tenant',
      payer_user_id: 'The payer (users.id) the injunction demands payment from',
      status:
        'issuing (recorded, its position and protocol under way), issued (protocolled and sent) or paid (its position paid)',
      positions:
        'The positions demanded, each with iupd, notice number, service, month and what it still asked for (JSON)',
      owed_cents: 'Total demanded, in euro cents',
      due_date: 'Day by which the injunction asks to pay',
      protocol_number: 'Outgoing protocol number of the injunction',
      protocol_year: 'Year of the protocol registration',
      protocol_date: 'Day of the protocol registration',
      protocol_label: 'Protocol number as printed on the injunction',
      issued_by: 'The office user (users.id) who issued it',
      collection_record_id: 'The coercive-collection record (collection_records.id) it was handed over in, if any',
      position_id: 'The pagoPA position (payment_positions.id) that replaces the positions demanded, for the total',
    },
  },
  injunction_positions: {
    description: 'Which payment position an injunction demands: a position is in one injunction at most',
    columns: {
      injunction_id: 'The injunction (injunctions.id)',
      position_id: 'The position demanded (payment_positions.id)',
      owed_cents: 'What the position still asked for when the injunction was issued, in euro cents',
      outcome:
        'What became of the position on pagoPA: invalidated (the injunction asks for it) or paid (paid before, left out); empty until then',
    },
  },
  collection_records: {
    description: 'A coercive-collection record (messa a ruolo): the fixed-width file of unpaid injunctions handed over',
    columns: {
      number: 'Number of the record within the tenant',
      layout: 'The record layout it was written in (SPORTELLO-RUOLO-V1 by default, docs/collection_record.md)',
      injunctions: 'How many injunctions it holds',
      total_cents: 'Total of the amounts in it, in euro cents',
      content: 'The fixed-width file as written (CR LF line ends)',
      csv: 'The same details as CSV',
      created_by: 'The office user (users.id) who produced it',
    },
  },
  billing_runs: {
    description: 'Monthly post-paid billing runs, one per service and month',
    columns: {
      service: 'The service billed (plugin id)',
      period: 'The month billed, YYYY-MM',
      status: 'collecting, collected or failed',
      payers: 'Paying persons billed',
      charges: 'Charges billed',
      total_cents: 'Total billed, in euro cents',
      due_date: 'The due date of its positions',
      notes: 'What the office should know (enrolments without a fee, payers without a codice fiscale), JSON',
      error: 'Why it failed, if it did',
      started_by_user_id: 'Who started it (users.id); empty when scheduled',
    },
  },
  payment_positions: {
    description: 'pagoPA debt positions: one per paying person and billing run',
    columns: {
      run_id: 'The billing run (billing_runs.id)',
      payer_user_id: 'The paying person (users.id)',
      service: 'The service (plugin id)',
      period: 'The month, YYYY-MM',
      iupd: 'The position identifier on pagoPA GPD',
      iuv: 'The unique payment identifier (IUV)',
      nav: 'The 18-digit notice number (codice avviso)',
      amount_cents: 'Amount asked, in euro cents',
      paid_cents: 'Amount received so far, in euro cents',
      due_date: 'Due date',
      status: 'pending, published, partially_paid, paid or cancelled',
      notice_channel: 'The channel its notice went through (email, sms, io, post)',
      paid_at: 'When it was paid',
      psp: 'The payment service provider that took the payment',
    },
  },
  payment_position_items: {
    description:
      'Which ledger charges each payment position asks for, where the charge does not name its position itself (ledger_entries.position_id)',
    columns: {
      position_id: 'The position (payment_positions.id)',
      entry_id: 'The charge (ledger_entries.id)',
    },
  },
  payment_position_steps: {
    description: 'What happened to each payment position, once per step',
    columns: {
      position_id: 'The position (payment_positions.id)',
      step: 'published, notified, partially_paid, paid, reminder, letter or cancelled',
      details: 'Details of the step (channel, receipt, amounts), JSON',
    },
  },
  notices: {
    description: 'Notices sent to families (email, SMS, App IO, post), each recorded once before it is sent',
    columns: {
      idempotency_key: 'What the notice is for, e.g. a payment notice of one position: never sent twice',
      channel: 'email, sms, io or post',
      status: 'pending, sending, sent, undeliverable, refused, failed or uncertain',
      recipient: 'The address used on the channel: email, phone number, codice fiscale (App IO), town (post)',
      subject: 'Subject of the notice',
      ref_type: 'The kind of record the notice is about (e.g. a payment position)',
      ref_id: 'The identifier of that record',
      provider_id: "The provider's identifier of the message, once accepted",
      attempts: 'How many times sending was tried',
      last_error: 'The last error of the provider, if any',
      last_attempt_at: 'When sending was last tried',
      sent_at: 'When the provider accepted it',
    },
  },
}

/**
 * Tables that hold no tenant's data, and why: they are not exported. Every other table must have
 * a tenant_id column (or be tenants/users), so that an export can select one tenant's rows.
 */
export const PLATFORM_TABLES: Record<string, string> = {
  adonis_schema: 'the migrations applied to the database (platform bookkeeping)',
  adonis_schema_versions: 'the version of the migrations table itself (platform bookkeeping)',
  sessions: 'open login sessions of the web processes (ended at logout; expire on their own)',
  rate_limits: 'counters of login failures and costly requests per account and address (expire on their own)',
}
