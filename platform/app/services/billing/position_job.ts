import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import Enrolment from '#models/enrolment'
import PaymentPosition from '#models/payment_position'
import Tenant from '#models/tenant'
import User from '#models/user'
import { GpdConflictError } from '#integrations/pagopa/gpd_client'
import type { DebtPosition } from '#integrations/pagopa/gpd_types'
import { noticeCreditor, pagopaFor } from '#integrations/pagopa/pagopa_service'
import { renderPaymentNotice } from '#integrations/pagopa/payment_notice_pdf'
import { italianAmount } from '#integrations/pagopa/amounts'
import { formatNoticeNumber } from '#integrations/pagopa/notice_number'
import { noticeChannelFor } from '#integrations/notices/notice_channels'
import { sendNotice } from '#integrations/notices/notice_service'
import {
  NOTICE_CHANNELS,
  type ChannelName,
  type NoticeMessage,
  type PostalAddress,
} from '#integrations/notices/notice_channel'
import { billingSettingsOf, serviceName } from '#services/billing/billing_run'
import { recordStep } from '#services/billing/position_steps'
import { PermanentJobError, type JobDefinition } from '#queue/types'

/**
 * The job of one position: on GPD, then its notice to the payer. Each half is recorded as a step
 * (published, notified), so a run after a crash does only what is missing; GPD answers a position
 * it already holds as success, and the notice service sends each key once.
 */
export type Lang = 'it' | 'en'

export function langOf(user: User | null): Lang {
  return user?.locale === 'en' ? 'en' : 'it'
}

export function positionSubject(position: PaymentPosition, lang: Lang) {
  const name = serviceName(position.service)[lang]
  const month = DateTime.fromFormat(position.period, 'yyyy-MM', { locale: lang === 'it' ? 'it-IT' : 'en-GB' })
  return `${name} ${month.toFormat('LLLL yyyy')}`.slice(0, 90)
}

/** The GPD body of a position: one option, one transfer for the whole amount. */
export function gpdPosition(
  tenant: Tenant,
  position: PaymentPosition,
  payer: User,
  iban: string,
  taxonomy: string,
  subject?: string
) {
  const description = (subject ?? positionSubject(position, 'it')).slice(0, 140)
  const body: DebtPosition = {
    iupd: position.iupd,
    type: 'F',
    fiscalCode: payer.fiscalCode!,
    fullName: payer.fullName.slice(0, 70),
    email: payer.email,
    switchToExpired: false,
    companyName: tenant.name.slice(0, 140),
    paymentOption: [
      {
        iuv: position.iuv,
        amount: position.amountCents,
        description,
        isPartialPayment: false,
        dueDate: `${position.dueDate}T23:59:59`,
        transfer: [
          {
            idTransfer: '1',
            amount: position.amountCents,
            remittanceInformation: description,
            category: taxonomy,
            iban,
          },
        ],
      },
    ],
  }
  return body
}

/** The AgID payment notice of a position, in the payer's language. */
export async function positionNoticePdf(tenant: Tenant, position: PaymentPosition, payer: User, lang: Lang) {
  return renderPaymentNotice({
    lang,
    subject: positionSubject(position, lang),
    creditor: noticeCreditor(tenant),
    debtor: { fiscalCode: payer.fiscalCode ?? '', fullName: payer.fullName.slice(0, 70) },
    single: { nav: position.nav, amountCents: position.amountCents, dueDate: position.dueDate },
  })
}

/**
 * What the family chose on the enrolment of the position's first charge: the channel of its notices
 * (`notice_channel` in the enrolment's details, as the service's plugin records the form's choice)
 * the mobile number for SMS (`notice_phone`) and the postal address for paper (`notice_address`).
 * Email is always the fallback: every account has an address.
 */
async function enrolmentChoice(
  position: PaymentPosition
): Promise<{ channels: ChannelName[]; phone: string | null; address: PostalAddress | null }> {
  const row = await db
    .from('position_charges')
    .join('ledger_entries', 'ledger_entries.id', 'position_charges.entry_id')
    .where('position_charges.position_id', position.id)
    .whereNotNull('ledger_entries.enrolment_id')
    .select('ledger_entries.enrolment_id')
    .first()
  const enrolment = row ? await Enrolment.find(row.enrolment_id) : null
  const chosen = enrolment?.details?.notice_channel
  const phone = enrolment?.details?.notice_phone
  const address = enrolment?.details?.notice_address as PostalAddress | undefined
  const first = NOTICE_CHANNELS.includes(chosen as ChannelName) ? (chosen as ChannelName) : 'email'
  return {
    channels: first === 'email' ? ['email'] : [first, 'email'],
    phone: typeof phone === 'string' && phone.trim() ? phone.trim().slice(0, 30) : null,
    address:
      address &&
      Array.isArray(address.lines) &&
      typeof address.postalCode === 'string' &&
      typeof address.city === 'string'
        ? address
        : null,
  }
}

export function dueText(date: string, lang: Lang) {
  return DateTime.fromISO(date).toFormat(lang === 'it' ? 'dd/MM/yyyy' : 'd LLL yyyy', {
    locale: lang === 'it' ? 'it-IT' : 'en-GB',
  })
}

function noticeMessage(tenant: Tenant, position: PaymentPosition, payer: User, pdf: Uint8Array, lang: Lang) {
  const subject = positionSubject(position, lang)
  const amount = italianAmount(position.amountCents)
  const due = dueText(position.dueDate, lang)
  const code = formatNoticeNumber(position.nav)
  const text =
    lang === 'it'
      ? `${tenant.name}: avviso di pagamento pagoPA per ${subject}, euro ${amount} entro il ${due}. Codice avviso ${code}. ` +
        'Si può pagare con l’app IO, presso banche, uffici postali e punti convenzionati o online, con l’avviso allegato.'
      : `${tenant.name}: pagoPA payment notice for ${subject}, EUR ${amount} by ${due}. Notice code ${code}. ` +
        'Pay it with the IO app, at banks, post offices and affiliated shops or online, with the attached notice.'
  const message: Omit<NoticeMessage, 'idempotencyKey'> = {
    recipient: { name: payer.fullName, email: payer.email, fiscalCode: payer.fiscalCode },
    subject: lang === 'it' ? `Avviso di pagamento: ${subject}` : `Payment notice: ${subject}`,
    text,
    markdown: text,
    payment: {
      amountCents: position.amountCents,
      noticeNumber: position.nav,
      payeeFiscalCode: noticeCreditor(tenant).fiscalCode,
      dueDate: position.dueDate,
    },
    attachments: [{ filename: `avviso-${position.nav}.pdf`, content: pdf, contentType: 'application/pdf' }],
  }
  return message
}

/**
 * Sends a message about a position through the family's channels in order, each key once: the first
 * that delivers (or may have: `uncertain`) ends it. Answers the channel used, or null.
 */
export async function sendThroughChannels(
  tenant: Tenant,
  position: PaymentPosition,
  keyPrefix: string,
  message: Omit<NoticeMessage, 'idempotencyKey'>,
  preferred?: ChannelName[]
): Promise<{ channel: ChannelName | null; status: string }> {
  let last = 'undeliverable'
  const choice = await enrolmentChoice(position)
  message = {
    ...message,
    recipient: {
      ...message.recipient,
      phone: message.recipient.phone ?? choice.phone,
      address: message.recipient.address ?? choice.address,
    },
  }
  for (const name of preferred ?? choice.channels) {
    const channel = noticeChannelFor(tenant, name)
    if (!channel) continue
    const { notice } = await sendNotice(
      channel,
      { ...message, idempotencyKey: `${keyPrefix}:${position.iupd}:${name}` },
      { ref: { type: 'position', id: position.iupd } }
    )
    last = notice.status
    if (notice.status === 'sent' || notice.status === 'uncertain') return { channel: name, status: notice.status }
    // sending: another sender holds it under its lease; let the queue come back later.
    if (notice.status === 'sending' || notice.status === 'pending') throw new Error(`notice ${notice.id} is being sent`)
  }
  return { channel: null, status: last }
}

export async function publishAndNotify(positionId: number) {
  const position = await PaymentPosition.find(positionId)
  if (!position || position.status === 'cancelled') return
  const tenant = await Tenant.findOrFail(position.tenantId)
  const payer = await User.findOrFail(position.payerUserId)
  if (!payer.fiscalCode) throw new PermanentJobError(`Position ${position.iupd}: the payer has no codice fiscale`)

  if (position.status === 'pending') {
    const { settings, gateway } = pagopaFor(tenant)
    const body = gpdPosition(tenant, position, payer, settings.iban, billingSettingsOf(tenant).taxonomy)
    let gpdStatus: string
    try {
      const { position: created } = await gateway.createPosition(body, { toPublish: true })
      gpdStatus = created.status
    } catch (error) {
      // Another position under our IUPD or IUV: a person must look (nothing is paid twice meanwhile).
      if (error instanceof GpdConflictError) throw new PermanentJobError(error.message)
      throw error
    }
    await db.transaction(async (trx) => {
      const updated = await PaymentPosition.query({ client: trx })
        .where('id', position.id)
        .where('status', 'pending')
        .update({ status: 'published', updated_at: DateTime.now().toFormat(trx.dialect.dateTimeFormat) })
      const affected = Array.isArray(updated) ? Number(updated[0]) : Number(updated)
      if (affected === 1) {
        await recordStep(trx, tenant.id, position.id, 'published', { gpd_status: gpdStatus })
      }
    })
    await position.refresh()
  }

  const notified = await db
    .from('payment_position_steps')
    .where('position_id', position.id)
    .where('step', 'notified')
    .first()
  if (notified) return
  const lang = langOf(payer)
  const pdf = await positionNoticePdf(tenant, position, payer, lang)
  const outcome = await sendThroughChannels(
    tenant,
    position,
    'avviso',
    noticeMessage(tenant, position, payer, pdf, lang)
  )
  await db.transaction(async (trx) => {
    if (outcome.channel) {
      position.useTransaction(trx)
      position.noticeChannel = outcome.channel
      await position.save()
    }
    await recordStep(trx, tenant.id, position.id, 'notified', { channel: outcome.channel, status: outcome.status })
  })
}

/**
 * The monthly run's positions, a chunk per job: each published and notified in turn. One that fails
 * does not hold the others: a transient failure makes the job run again once all were tried (the
 * positions done are skipped by their steps), one that needs a person (PermanentJobError) fails the
 * job naming it, after the others.
 */
export const billingPositionsJob: JobDefinition<{ positionIds: number[] }> = {
  attempts: 8,
  backoffMs: 5000,
  async handle(payload) {
    const ids = Array.isArray(payload.positionIds)
      ? payload.positionIds.filter(Number.isSafeInteger).slice(0, 1000)
      : []
    let transient: unknown = null
    const permanent: string[] = []
    for (const id of ids) {
      try {
        await publishAndNotify(id)
      } catch (error) {
        if (error instanceof PermanentJobError) permanent.push(error.message)
        else transient ??= error
      }
    }
    if (transient) throw transient
    if (permanent.length > 0) throw new PermanentJobError(permanent.join('; ').slice(0, 2000))
  },
}

export const billingPositionJob: JobDefinition<{ positionId: number }> = {
  attempts: 8,
  backoffMs: 5000,
  async handle(payload) {
    await publishAndNotify(payload.positionId)
  },
}
