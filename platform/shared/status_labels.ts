/**
 * How a status is named to a person, in Italian and English: messages never show the code
 * (`needs_completion`), they show the label ("Da completare"). Browser-safe (no imports), so the
 * portal and the server name statuses the same way.
 */
export type LabelLang = 'it' | 'en'

export const SUBMISSION_STATUS_LABELS = {
  draft: { it: 'Bozza', en: 'Draft' },
  submitted: { it: 'Inviata', en: 'Sent' },
  protocolled: { it: 'Protocollata', en: 'Registered' },
  accepted: { it: 'Accolta', en: 'Accepted' },
  rejected: { it: 'Respinta', en: 'Rejected' },
  needs_completion: { it: 'Da completare', en: 'To be completed' },
} as const satisfies Record<string, Record<LabelLang, string>>

export const ENROLMENT_STATUS_LABELS = {
  active: { it: 'Attiva', en: 'Active' },
  withdrawn: { it: 'Ritirata', en: 'Withdrawn' },
  ended: { it: 'Conclusa', en: 'Ended' },
} as const satisfies Record<string, Record<LabelLang, string>>

/** The label of a submission status; an unknown code is shown as it is rather than hidden. */
export function submissionStatusLabel(status: string, lang: LabelLang): string {
  const labels = SUBMISSION_STATUS_LABELS as Record<string, Record<LabelLang, string>>
  return Object.hasOwn(labels, status) ? labels[status][lang] : status
}

/** Labels joined as a person lists them: "Accolta, Respinta o Da completare". */
export function statusList(statuses: readonly string[], lang: LabelLang): string {
  const labels = statuses.map((s) => submissionStatusLabel(s, lang))
  if (labels.length <= 1) return labels.join('')
  return `${labels.slice(0, -1).join(', ')} ${lang === 'it' ? 'o' : 'or'} ${labels.at(-1)}`
}
