import { DateTime } from 'luxon'
import Submission from '#models/submission'
import { formVersionById } from '#services/definitions/form_service'
import Tenant from '#models/tenant'
import User from '#models/user'
import School from '#models/school'
import CatalogEntry from '#models/catalog_entry'
import { isEntrySource } from '#forms/catalog_sources'
import { receiptPdf, formatDay, type ReceiptFee } from '#services/submissions/receipt_pdf'
import { RequestContext } from '#services/infrastructure/request_context'
import { ruleSetService } from '#services/definitions/ruleset_service'
import { submissionSchoolYear, tariffDate } from '#services/enrolments/enrolment_service'
import { tariffFacts } from '#forms/tariff_preview'
import { sourceValues } from '#forms/school_catalog'
import type { FormDefinition, Lang } from '#forms/types'
import type { EvaluationResult } from '#rules/types'
import type { FeeSummary } from '#rules/summary'

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
  const lang: Lang = asked ?? submission.lang ?? 'it'
  // Versions are immutable: the process keeps the ones it read (form_service.ts).
  const version = await formVersionById(submission.formVersionId)
  if (!version)
    throw new Error(`Submission ${submission.id} names form version ${submission.formVersionId}, which does not exist`)
  const definition = version.definition as unknown as FormDefinition
  const formTitle = definition.title?.[lang] ?? definition.title?.it ?? submission.formKey
  const [tenant, applicant, filer] = await RequestContext.asSystem('receipt', () =>
    Promise.all([
      Tenant.findOrFail(submission.tenantId),
      User.findOrFail(submission.applicantUserId),
      User.find(submission.submittedByUserId),
    ])
  )
  const pdf = await receiptPdf({
    tenantName: tenant.name,
    formTitle,
    submissionId: submission.id,
    protocol: protocol ?? (submission.protocolNumber ? { label: submission.protocolNumber, date: '' } : null),
    submittedAt: submission.submittedAt?.setZone('Europe/Rome').toFormat('dd/MM/yyyy HH:mm') ?? '—',
    applicant: { name: applicant.fullName, fiscalCode: applicant.fiscalCode, email: applicant.email },
    onBehalfOf: submission.onBehalf && filer ? filer.fullName : null,
    schema: definition.schema ?? {},
    data: submission.data,
    lang,
    catalogLabel: await catalogLabels(definition, submission.data),
    fee: await feeOf(definition, submission, lang),
  })
  return { pdf, applicant, tenant, formTitle, lang }
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
async function feeOf(definition: FormDefinition, submission: Submission, lang: Lang): Promise<ReceiptFee | null> {
  const mapped = tariffFacts(definition, submission.data)
  if (!mapped) return null
  const sent = (submission.submittedAt ?? submission.createdAt).setZone('Europe/Rome').toISODate()!
  const at = tariffDate(await submissionSchoolYear(submission.formKey, submission.data, sent), sent)
  let evaluation: EvaluationResult & { summary?: FeeSummary }
  try {
    evaluation = (await ruleSetService.evaluate(mapped.ruleset, at, mapped.facts, lang)) as typeof evaluation
  } catch {
    // No rule set, no version in force, facts the rules cannot read: the receipt goes without a fee.
    return null
  }
  if (!evaluation.summary) return null
  const ruleset = await ruleSetService.document(mapped.ruleset)
  return {
    rulesetTitle: ruleset.title[lang] ?? ruleset.title.it,
    version: evaluation.version,
    at: formatDay(DateTime.fromISO(at).toISODate()!, lang),
    summary: evaluation.summary,
    trace: evaluation.trace,
  }
}
