import {
  declaredIsee,
  textOf,
  type EnrolmentDescribeHelpers,
  type EnrolmentDetailGroup,
  type PluginManifest,
} from '@sportello/platform/sdk'

/**
 * The grant's part of an enrolment: what the formal checks, the calculation and the payment order
 * read once an application is accepted (capitolato Comune di Quartu Sant'Elena, art. 1; L.R.
 * Sardegna 12/2020, DGR 19/12 of 10.04.2020). The grant is EUR 800 a month for households of up to
 * three members plus EUR 100 for each further one, so the household size decides it; other income
 * support counts against that ceiling; a wage or pension of at least the same threshold excludes
 * the household; residence and household are checked at 23.02.2020 against the registry; the
 * payment order needs the IBAN. The applicant is the enrolment's person: there is no child.
 *
 * The form fields it reads: `household_members`, `resident_on_reference_date` (resident in the
 * comune on 23.02.2020), `other_support_monthly` and `wage_or_pension_monthly` (euro a month, as
 * decimal text or number), `iban`.
 */
export interface CovidBonusDetails {
  household_members?: number
  resident_on_reference_date?: boolean
  /** Decimal strings ("250.00"): money is never a float. */
  other_support_monthly?: string
  wage_or_pension_monthly?: string
  iban?: string
}

/** Euro as a decimal string of two places, from the form's text or number; undefined when it is not an amount. */
function euro(value: unknown): string | undefined {
  const text = typeof value === 'number' || typeof value === 'string' ? String(value).trim().replace(',', '.') : ''
  const match = /^(\d{1,7})(?:\.(\d{1,2}))?$/.exec(text)
  return match ? `${match[1]}.${(match[2] ?? '').padEnd(2, '0')}` : undefined
}

export function detailsOf(data: Record<string, unknown>): CovidBonusDetails {
  const details: CovidBonusDetails = {}
  const members = typeof data.household_members === 'number' ? data.household_members : Number.NaN
  if (Number.isInteger(members) && members >= 1 && members <= 30) details.household_members = members
  if (typeof data.resident_on_reference_date === 'boolean') {
    details.resident_on_reference_date = data.resident_on_reference_date
  }
  const other = euro(data.other_support_monthly)
  if (other) details.other_support_monthly = other
  const wage = euro(data.wage_or_pension_monthly)
  if (wage) details.wage_or_pension_monthly = wage
  const iban = textOf(data.iban)?.replace(/\s+/g, '').toUpperCase()
  if (iban && /^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(iban)) details.iban = iban
  return details
}

const TEXT = {
  members: { it: 'Componenti del nucleo familiare', en: 'Household members' },
  resident: { it: 'Residente al 23/02/2020', en: 'Resident on 23/02/2020' },
  yes: { it: 'sì', en: 'yes' },
  no: { it: 'no', en: 'no' },
  other: { it: 'Altri sostegni al reddito (al mese)', en: 'Other income support (a month)' },
  wage: { it: 'Stipendio o pensione (al mese)', en: 'Wage or pension (a month)' },
  iban: { it: 'IBAN per il pagamento', en: 'IBAN for the payment' },
}

export function describe(raw: Record<string, unknown>, h: EnrolmentDescribeHelpers): EnrolmentDetailGroup[] {
  const d = raw as CovidBonusDetails
  const say = (text: { it: string; en: string }) => text[h.lang]
  const money = (amount: string) => `€ ${h.lang === 'it' ? amount.replace('.', ',') : amount}`
  const items: EnrolmentDetailGroup['items'] = []
  if (d.household_members) items.push({ label: say(TEXT.members), value: String(d.household_members) })
  if (d.resident_on_reference_date !== undefined) {
    items.push({ label: say(TEXT.resident), value: say(d.resident_on_reference_date ? TEXT.yes : TEXT.no) })
  }
  if (d.other_support_monthly) items.push({ label: say(TEXT.other), value: money(d.other_support_monthly) })
  if (d.wage_or_pension_monthly) items.push({ label: say(TEXT.wage), value: money(d.wage_or_pension_monthly) })
  if (d.iban) items.push({ label: say(TEXT.iban), value: d.iban })
  return items.length ? [{ items }] : []
}

/**
 * Accepting an application for the grant enrols the household, in the acceptance's own transaction:
 * the record the lists of beneficiaries and the payment orders start from.
 */
export const enrolOnAcceptance: NonNullable<NonNullable<PluginManifest['events']>['submission.accepted']> = {
  inTransaction: true,
  handle: async (event, ctx) => {
    if (event.payload.service !== ctx.pluginId) return
    const submission = await ctx.submissions.find(event.payload.submissionId)
    if (!submission) return
    await ctx.enrolments.enrolSubmission(submission.id, {
      schoolId: null,
      section: null,
      isee: declaredIsee(submission.data),
      details: { ...detailsOf(submission.data) },
    })
  },
}
