import { DateTime } from 'luxon'
import Submission from '#models/submission'
import { formVersionById } from '#services/definitions/form_service'
import db from '@adonisjs/lucid/services/db'
import { identifierColumn } from '#models/columns'
import School from '#models/school'
import CatalogEntry from '#models/catalog_entry'
import { isEntrySource } from '#forms/catalog_sources'
import { receiptDocument, formatDay, type ReceiptFee } from '#services/submissions/receipt_pdf'
import { ruleSetService } from '#services/definitions/ruleset_service'
import { submissionSchoolYear, tariffDate } from '#services/enrolments/enrolment_service'
import { tariffFacts } from '#forms/tariff_preview'
import { sourceValues } from '#forms/school_catalog'
import type { FormDefinition, Lang } from '#forms/types'
import type { EvaluationResult } from '#rules/types'
import type { FeeSummary } from '#rules/summary'

/** The applicant's (or the filer's) name, codice fiscale and email, as a receipt prints them. */
export interface ReceiptPerson {
  fullName: string
  fiscalCode: string | null
  email: string
}

/**
 * What a submission's receipts are made of, read once: the form version, the tenant's name, the
 * applicant (and the person who filed it on their behalf), the catalog's names for the codes the
 * data holds, and the fee, computed once per language asked. The receipt job prints two receipts
 * from one source (the protocol's copy and the applicant's), so each of these is read once per
 * job instead of once per receipt.
 */
export interface ReceiptSource {
  submission: Submission
  definition: FormDefinition
  tenant: { id: number; name: string }
  applicant: ReceiptPerson
  filer: ReceiptPerson | null
  catalogLabel: ((pointer: string) => string | null) | undefined
  fee(lang: Lang): Promise<ReceiptFee | null>
  formTitle(lang: Lang): string
}

/**
 * Plain rows rather than models: a receipt needs three columns of each, and the models would
 * hydrate (and deep-copy) every column of the tenant, its settings included. The names and codici
 * fiscali are decrypted as the User model's columns would.
 */
async function people(ids: number[]) {
  const rows = await db
    .from('users')
    .whereIn('id', [...new Set(ids)])
    .select('id', 'full_name', 'fiscal_code', 'email')
  const byId = new Map<number, ReceiptPerson>()
  for (const row of rows) {
    byId.set(Number(row.id), {
      fullName: identifierColumn.consume(row.full_name) as string,
      fiscalCode: (identifierColumn.consume(row.fiscal_code) as string | null) ?? null,
      email: row.email,
    })
  }
  return byId
}

export async function receiptSource(submission: Submission): Promise<ReceiptSource> {
  // Versions are immutable: the process keeps the ones it read (form_service.ts).
  const version = await formVersionById(submission.formVersionId)
  if (!version)
    throw new Error(`Submission ${submission.id} names form version ${submission.formVersionId}, which does not exist`)
  const definition = version.definition as unknown as FormDefinition
  // The filer is printed only for a submission made on the applicant's behalf.
  const filerId = submission.onBehalf ? submission.submittedByUserId : null
  const [tenantRow, persons, catalogLabel] = await Promise.all([
    // With the tenant's content stamp: the fee's rule set is the one this process keeps under it.
    db.from('tenants').where('id', submission.tenantId).select('id', 'name', 'content_stamp').first(),
    people(filerId === null ? [submission.applicantUserId] : [submission.applicantUserId, filerId]),
    catalogLabels(definition, submission.data),
  ])
  if (!tenantRow)
    throw new Error(`Submission ${submission.id} names tenant ${submission.tenantId}, which does not exist`)
  const applicant = persons.get(submission.applicantUserId)
  if (!applicant)
    throw new Error(`Submission ${submission.id} names applicant ${submission.applicantUserId}, who does not exist`)
  const fees = new Map<Lang, Promise<ReceiptFee | null>>()
  const contentStamp: string | null = tenantRow.content_stamp ?? null
  return {
    submission,
    definition,
    tenant: { id: Number(tenantRow.id), name: tenantRow.name },
    applicant,
    filer: filerId === null ? null : (persons.get(filerId) ?? null),
    catalogLabel,
    fee(lang) {
      let fee = fees.get(lang)
      if (!fee) fees.set(lang, (fee = feeOf(definition, submission, lang, contentStamp)))
      return fee
    },
    formTitle: (lang) => definition.title?.[lang] ?? definition.title?.it ?? submission.formKey,
  }
}

/**
 * A submission's receipt in `lang`, drawn once and saved with the protocol each time asks: the
 * receipt job files the copy without a number and mails the one with it, a single drawing when
 * both are in the same language (receipt_pdf.ts).
 */
export async function receiptDrawing(source: ReceiptSource, lang: Lang) {
  const { submission, definition, tenant, applicant, filer } = source
  const formTitle = source.formTitle(lang)
  const document = await receiptDocument({
    tenantName: tenant.name,
    formTitle,
    submissionId: submission.id,
    submittedAt: submission.submittedAt?.setZone('Europe/Rome').toFormat('dd/MM/yyyy HH:mm') ?? '—',
    applicant: { name: applicant.fullName, fiscalCode: applicant.fiscalCode, email: applicant.email },
    onBehalfOf: filer ? filer.fullName : null,
    schema: definition.schema ?? {},
    data: submission.data,
    lang,
    catalogLabel: source.catalogLabel,
    fee: await source.fee(lang),
  })
  return {
    applicant,
    tenant,
    formTitle,
    lang,
    /** The PDF with this protocol, or else the submission's own number, or none yet. */
    save: (protocol?: { label: string; date: string } | null) =>
      document.save(protocol ?? (submission.protocolNumber ? { label: submission.protocolNumber, date: '' } : null)),
  }
}

/** One receipt from its source: in `lang`, with the protocol given (or the submission's own, or none yet). */
export async function renderReceipt(
  source: ReceiptSource,
  protocol: { label: string; date: string } | null | undefined,
  lang: Lang
) {
  const { save, ...drawn } = await receiptDrawing(source, lang)
  return { pdf: await save(protocol), ...drawn }
}

/**
 * Builds a submission's receipt from what was stored: the form version it was made on, its data, its
 * protocol. In `lang`, or else in the language the submission was sent in.
 */
export async function buildReceipt(
  submission: Submission,
  protocol?: { label: string; date: string } | null,
  asked?: Lang
) {
  // A row created in this process before its first reload has no language yet: Italian, the default.
  return renderReceipt(await receiptSource(submission), protocol, asked ?? submission.lang ?? 'it')
}

/**
 * Names for the codes a form stores from the tenant's catalog (`ui:options.source`): a school's
 * name for `pc-primaria-alberoni`, a stop's for `fermata-via-roma`. Only the codes the data holds
 * are looked up.
 */
async function catalogLabels(definition: FormDefinition, data: Record<string, unknown>) {
  const chosen = sourceValues(definition, data)
  if (chosen.length === 0) return undefined
  const schools = chosen.filter((c) => c.source === 'schools').map((c) => c.value)
  const names = new Map<string, string>()
  if (schools.length > 0) {
    for (const s of await School.query()
      .whereIn('code', [...new Set(schools)])
      .select('code', 'name')) {
      names.set(`schools\u0000${s.code}`, s.name)
    }
  }
  const listed = chosen.filter((c) => isEntrySource(c.source))
  if (listed.length > 0) {
    const rows = await CatalogEntry.query()
      .whereIn('source', [...new Set(listed.map((c) => c.source))])
      .whereIn('code', [...new Set(listed.map((c) => c.value))])
      .select('source', 'code', 'name')
    for (const row of rows) names.set(`${row.source}\u0000${row.code}`, row.name)
  }
  const byPath = new Map(chosen.map((c) => [c.path, names.get(`${c.source}\u0000${c.value}`) ?? null]))
  return (pointer: string) => byPath.get(pointer) ?? null
}

/**
 * The fee the application's data gives (the form's tariff preview), computed as an enrolment would
 * be on the day it was sent; none when the form computes no fee or its data do not give one.
 */
async function feeOf(
  definition: FormDefinition,
  submission: Submission,
  lang: Lang,
  contentStamp: string | null
): Promise<ReceiptFee | null> {
  const mapped = tariffFacts(definition, submission.data)
  if (!mapped) return null
  const sent = (submission.submittedAt ?? submission.createdAt).setZone('Europe/Rome').toISODate()!
  const at = tariffDate(await submissionSchoolYear(submission.formKey, submission.data, sent), sent)
  let evaluation: EvaluationResult & { summary?: FeeSummary }
  try {
    evaluation = (await ruleSetService.evaluate(mapped.ruleset, at, mapped.facts, lang, {
      contentStamp,
    })) as typeof evaluation
  } catch {
    // No rule set, no version in force, facts the rules cannot read: the receipt goes without a fee.
    return null
  }
  if (!evaluation.summary) return null
  const ruleset = await ruleSetService.document(mapped.ruleset, { contentStamp })
  return {
    rulesetTitle: ruleset.title[lang] ?? ruleset.title.it,
    version: evaluation.version,
    at: formatDay(DateTime.fromISO(at).toISODate()!, lang),
    summary: evaluation.summary,
    trace: evaluation.trace,
  }
}
