import Tenant from '#models/tenant'
import type { CurrentForm } from '#services/definitions/form_service'
import { RequestContext } from '#services/infrastructure/request_context'
import { applicantFacts } from '#services/billing/overdue_debt'
import { APPLICANT_FACT_NAMES, type ApplicantFacts } from '#shared/applicant_facts'
import type { Lang } from '#forms/types'

/**
 * Whether any BLOCCO rule (or named condition) of the form reads one of the applicant's facts. Known
 * once per definition object: a published version is immutable and form_service.ts keeps one object
 * per version, so the serialisation below runs once per version, not at every sending (a newly
 * published version is a new object, read afresh).
 */
const readsFacts = new WeakMap<CurrentForm['definition'], boolean>()
export function readsApplicantFacts(definition: CurrentForm['definition']): boolean {
  const known = readsFacts.get(definition)
  if (known !== undefined) return known
  const text = JSON.stringify([definition.blocchi ?? [], definition.conditions ?? {}])
  const reads = APPLICANT_FACT_NAMES.some((name) => text.includes(`"${name}"`))
  readsFacts.set(definition, reads)
  return reads
}

/**
 * The applicant's facts for the BLOCCO rules of a form sent in the tenant in context, computed only
 * for a form whose rules read them (shared/applicant_facts.ts). The applicant, not the operator
 * filing on their behalf: the debt is the family's.
 */
export async function applicantFactsFor(
  current: CurrentForm,
  applicantUserId: number,
  lang: Lang
): Promise<ApplicantFacts | undefined> {
  if (!readsApplicantFacts(current.definition)) return undefined
  const ref = RequestContext.tenant()
  if (!ref) return undefined
  // The tenant row the request read already carries the settings; jobs and commands read it here.
  const settings = RequestContext.tenantSettings(ref.id)
  const tenant = settings !== undefined ? { settings: settings as Tenant['settings'] } : await Tenant.findOrFail(ref.id)
  return applicantFacts(tenant, applicantUserId, lang)
}
