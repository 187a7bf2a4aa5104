import {
  declaredIsee,
  textOf,
  type EnrolmentDescribeHelpers,
  type EnrolmentDetailGroup,
  type PluginManifest,
} from '@sportello/platform/sdk'

/**
 * The canteen's part of an enrolment (Allegato C): the school order and class the family gave, and
 * the special diet asked for. The diet names health or religion: the platform keeps these details
 * encrypted at rest. `authorised` stays null until the office decides on the diet.
 */
export interface RefezioneDetails {
  school_order?: string
  class_year?: string
  diet?: { requested: boolean; type: string | null; authorised: boolean | null }
  /** How the family asked to receive the monthly pagoPA notice (the form's payment_channel), read by billing. */
  notice_channel?: 'sms' | 'email' | 'io' | 'post'
  /** The mobile number for SMS notices (the form's payment_phone). */
  notice_phone?: string
  /** Where paper notices go: the paying parent's residence as the form gave it. */
  notice_address?: { lines: string[]; postalCode: string; city: string; province: string | null }
}

/** The form's payment_channel (Allegato B) as the platform's notice channel; direct debit has none. */
const NOTICE_CHANNEL: Record<string, RefezioneDetails['notice_channel']> = {
  pagopa_sms: 'sms',
  pagopa_email: 'email',
  pagopa_io: 'io',
  pagopa_post: 'post',
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

export function detailsOf(data: Record<string, unknown>): RefezioneDetails {
  const details: RefezioneDetails = {}
  const order = textOf(data.school_order)
  const year = textOf(data.class_year)
  if (order) details.school_order = order
  if (year) details.class_year = year
  const channel = NOTICE_CHANNEL[textOf(data.payment_channel) ?? '']
  if (channel) details.notice_channel = channel
  const phone = textOf(data.payment_phone)
  if (phone) details.notice_phone = phone
  const residence = isRecord(data.payer) && isRecord(data.payer.residence) ? data.payer.residence : null
  const street = residence ? textOf(residence.street) : null
  const postalCode = residence ? textOf(residence.postal_code) : null
  const city = residence ? textOf(residence.municipality) : null
  if (residence && street && postalCode && city) {
    details.notice_address = {
      lines: [[street, textOf(residence.house_number)].filter(Boolean).join(' ')],
      postalCode,
      city,
      province: textOf(residence.province),
    }
  }
  if ('special_diet' in data) {
    const requested = data.special_diet === true
    details.diet = { requested, type: requested ? textOf(data.diet_type) : null, authorised: null }
  }
  return details
}

const TEXT = {
  schoolOrder: { it: 'Ordine di scuola', en: 'School level' },
  class: { it: 'Classe', en: 'Class' },
  dietTitle: { it: 'Dieta speciale', en: 'Special diet' },
  dietNone: { it: 'Nessuna dieta speciale richiesta.', en: 'No special diet requested.' },
  dietType: { it: 'Tipo di dieta', en: 'Diet type' },
  dietRequested: { it: 'Richiesta', en: 'Requested' },
  yes: { it: 'Sì', en: 'Yes' },
  dietAuthorisation: { it: 'Autorizzazione', en: 'Authorisation' },
  dietPending: { it: 'In attesa di verifica da parte degli uffici', en: 'Awaiting the check of the offices' },
  dietAuthorised: { it: 'Autorizzata', en: 'Authorised' },
  dietRefused: { it: 'Non autorizzata', en: 'Not authorised' },
}

export function describe(raw: Record<string, unknown>, h: EnrolmentDescribeHelpers): EnrolmentDetailGroup[] {
  const details = raw as RefezioneDetails
  const say = (text: { it: string; en: string }) => text[h.lang]
  const school = [
    ...(details.school_order
      ? [
          {
            label: say(TEXT.schoolOrder),
            value: h.enumLabel('school_order', details.school_order) ?? details.school_order,
          },
        ]
      : []),
    ...(details.class_year ? [{ label: say(TEXT.class), value: details.class_year }] : []),
  ]
  const groups: EnrolmentDetailGroup[] = school.length ? [{ items: school }] : []
  const diet = details.diet
  if (diet && !diet.requested) groups.push({ title: say(TEXT.dietTitle), text: say(TEXT.dietNone), items: [] })
  if (diet?.requested) {
    const decision =
      diet.authorised === null ? TEXT.dietPending : diet.authorised ? TEXT.dietAuthorised : TEXT.dietRefused
    groups.push({
      title: say(TEXT.dietTitle),
      items: [
        ...(diet.type ? [{ label: say(TEXT.dietType), value: h.enumLabel('diet_type', diet.type) ?? diet.type }] : []),
        { label: say(TEXT.dietRequested), value: say(TEXT.yes) },
        { label: say(TEXT.dietAuthorisation), value: say(decision) },
      ],
    })
  }
  return groups
}

/**
 * Accepting a canteen application enrols the child, in the acceptance's own transaction: the
 * submission's new status and its enrolment commit together or not at all, and accepting again
 * updates the same enrolment.
 */
export const enrolOnAcceptance: NonNullable<NonNullable<PluginManifest['events']>['submission.accepted']> = {
  inTransaction: true,
  handle: async (event, ctx) => {
    if (event.payload.service !== ctx.pluginId) return
    const submission = await ctx.submissions.find(event.payload.submissionId)
    if (!submission) return
    const data = submission.data
    await ctx.enrolments.enrolSubmission(submission.id, {
      schoolId: textOf(data.school_id),
      section: textOf(data.section),
      isee: declaredIsee(data),
      details: { ...detailsOf(data) },
    })
  },
}
