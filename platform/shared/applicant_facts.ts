/**
 * Facts about the applicant that a form's BLOCCO rules may read beside the data of the form: they
 * come from the platform (the ledger), never from what the applicant sends. The server computes
 * them at submit time; the portal fetches the same for the logged-in citizen, so a rule fires in
 * the browser as it will on the server. Free of runtime imports: shared by server and browser.
 *
 *   blocco_debiti          the tenant refuses applications while payments are overdue (its setting)
 *   debito_scaduto_cents   what the applicant owes past the due dates (integer cents), 0 if nothing
 *   debito_scaduto         the same amount written for a person ("110,00" / "110.00")
 *
 * A BLOCCO message may name a fact between braces ("{debito_scaduto}"): the value is put in its place.
 */
export interface ApplicantFacts {
  blocco_debiti: boolean
  debito_scaduto_cents: number
  debito_scaduto: string
}

export const APPLICANT_FACT_NAMES: ReadonlyArray<keyof ApplicantFacts> = [
  'blocco_debiti',
  'debito_scaduto_cents',
  'debito_scaduto',
]

/** The facts a BLOCCO condition reads: the form's data, with the applicant's facts over any field of the same name. */
export function withApplicantFacts(
  data: Record<string, unknown>,
  facts: Partial<ApplicantFacts> | null | undefined
): Record<string, unknown> {
  if (!facts) return data
  const out: Record<string, unknown> = { ...data }
  for (const name of APPLICANT_FACT_NAMES) if (name in facts) out[name] = facts[name]
  return out
}

/** A message with `{name}` replaced by the applicant's fact of that name; other braces stay as written. */
export function fillFacts(message: string, facts: Partial<ApplicantFacts> | null | undefined): string {
  if (!facts) return message
  return message.replace(/\{([a-z_]{1,40})\}/g, (whole, name: string) => {
    const value = (APPLICANT_FACT_NAMES as readonly string[]).includes(name)
      ? (facts as Record<string, unknown>)[name]
      : undefined
    return typeof value === 'string' || typeof value === 'number' ? String(value) : whole
  })
}

/** An amount in integer cents written for a person, without a float: "1.234,50" in Italian, "1,234.50" in English. */
export function centsText(cents: number, lang: 'it' | 'en'): string {
  const negative = cents < 0
  const digits = String(Math.abs(Math.trunc(cents))).padStart(3, '0')
  const whole = digits.slice(0, -2).replace(/\B(?=(\d{3})+(?!\d))/g, lang === 'it' ? '.' : ',')
  return `${negative ? '-' : ''}${whole}${lang === 'it' ? ',' : '.'}${digits.slice(-2)}`
}
