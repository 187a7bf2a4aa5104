import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import PaymentPosition, { OPEN_POSITION_STATUSES } from '#models/payment_position'
import ArrearsLetter from '#models/arrears_letter'
import Tenant from '#models/tenant'
import User from '#models/user'
import { enqueueFollowUp } from '#events/follow_up'
import { writeAudit } from '#services/infrastructure/audit_service'
import { PdfSheet } from '#services/infrastructure/pdf_sheet'
import { RequestContext } from '#services/infrastructure/request_context'
import type { JobDefinition } from '#queue/types'
import { italianAmount } from '#integrations/pagopa/amounts'
import { formatNoticeNumber } from '#integrations/pagopa/notice_number'
import { parsePagopaSettings } from '#integrations/pagopa/pagopa_settings'
import { protocolService } from '#integrations/protocol'
import type { ChannelName } from '#integrations/notices/notice_channel'
import { noticeChannelFor } from '#integrations/notices/notice_channels'
import { billingSettingsOf } from '#services/billing/billing_run'
import { LETTER_PERIODS } from '#services/billing/billing_settings'
import { dueText, langOf, positionSubject, sendThroughChannels, type Lang } from '#services/billing/position_job'
import { recordStep } from '#services/billing/position_steps'
import { reconcileTenant } from '#services/billing/reconcile'

/**
 * Arrears (Allegato A, "In caso di mancato pagamento"; seed 000, arrears a–b): an unpaid position
 * gets a reminder (sollecito) `reminderAfterDays` after its due date, then, still unpaid
 * `letterAfterDays` after the reminder's day, an arrears letter (PDF) by post where the ente has the
 * postal batch and the family an address, else by email.
 *
 * A daily job first reconciles the tenant's receipts (a paid position gets nothing), then records
 * each step that is due on the position and, in the same transaction, the job that sends it: the
 * step is taken once (unique position + step), so its notice is sent once. The sending job looks
 * at the position again and sends nothing for one paid or cancelled meanwhile.
 */
export const BILLING_ARREARS_JOB = 'platform.billing-arrears'
/** Every morning at 8, Italian time: reminders arrive in office hours. */
export const BILLING_ARREARS_CRON = '0 8 * * *'
export const BILLING_REMINDER_JOB = 'platform.billing-reminder'
export const BILLING_LETTER_JOB = 'platform.billing-letter'
const TIME_ZONE = 'Europe/Rome'
const BATCH = 500

/** The first day of the period of `months` months (counted from January) that holds `day`. */
export function periodStart(day: DateTime, months: number): DateTime {
  const first = Math.floor((day.month - 1) / months) * months + 1
  return day.set({ month: first, day: 1 }).startOf('day')
}

/** Records the steps due at `now` and enqueues their jobs; answers how many of each. */
export async function scheduleArrears(tenant: Tenant, now: DateTime = DateTime.now()) {
  const settings = billingSettingsOf(tenant)
  // Receipts first: a position paid yesterday must not be reminded today.
  await reconcileTenant(tenant)
  const today = now.setZone(TIME_ZONE)
  const reminderBefore = today.minus({ days: settings.reminderAfterDays }).toISODate()!
  // Counted from the day the position was loaded on pagoPA (its row is written then), where the ente
  // counts as Allegato A words it; from the due date otherwise.
  const loadedBefore = today
    .minus({ days: settings.reminderAfterDays })
    .startOf('day')
    .toLocal()
    .toFormat(db.connection().dialect.dateTimeFormat)
  const out = { reminders: 0, letters: 0 }

  let lastId = 0
  for (;;) {
    const query = PaymentPosition.query().whereIn('status', OPEN_POSITION_STATUSES)
    // An injunction's own position (injunctions.ts) follows its letter and injunction: no reminder, no letter.
    if (settings.reminderFrom === 'loaded') query.where('created_at', '<', loadedBefore)
    else query.where('due_date', '<', reminderBefore)
    const due = await query
      .where('id', '>', lastId)
      .whereNotExists((q) => q.from('injunctions').whereColumn('injunctions.position_id', 'payment_positions.id'))
      .whereNotExists((q) =>
        q
          .from('payment_position_steps')
          .whereColumn('payment_position_steps.position_id', 'payment_positions.id')
          .where('payment_position_steps.step', 'reminder')
      )
      .orderBy('id')
      .limit(BATCH)
    if (due.length === 0) break
    for (const position of due) {
      const taken = await db.transaction(async (trx) => {
        const recorded = await recordStep(trx, tenant.id, position.id, 'reminder', {
          owed_cents: position.amountCents - position.paidCents,
        })
        if (recorded) {
          await enqueueFollowUp(
            trx,
            BILLING_REMINDER_JOB,
            { positionId: position.id },
            { jobId: `billing-reminder:${tenant.id}:${position.iuv}`, tenant: tenant.ref }
          )
        }
        return recorded
      })
      if (taken) out.reminders++
    }
    lastId = due[due.length - 1].id
  }

  // The letter's day is the reminder's day plus letterAfterDays, counted from the due date, so a
  // reminder taken late (the job did not run for a while) does not push the letter further.
  // With a letter period the letters go together on the first day of each period (Allegato A: monthly,
  // quarterly, four-monthly, six-monthly): a position whose letter day falls inside a period waits for
  // the next one; a day the job did not run is made up on its next run.
  const letterDay = settings.letterPeriod ? periodStart(today, LETTER_PERIODS[settings.letterPeriod]) : today
  const letterBefore = letterDay.minus({ days: settings.reminderAfterDays + settings.letterAfterDays }).toISODate()!
  lastId = 0
  for (;;) {
    const due = await PaymentPosition.query()
      .whereIn('status', OPEN_POSITION_STATUSES)
      .where('due_date', '<', letterBefore)
      .where('id', '>', lastId)
      .whereNotExists((q) => q.from('injunctions').whereColumn('injunctions.position_id', 'payment_positions.id'))
      .whereExists((q) =>
        q
          .from('payment_position_steps')
          .whereColumn('payment_position_steps.position_id', 'payment_positions.id')
          .where('payment_position_steps.step', 'reminder')
      )
      .whereNotExists((q) =>
        q
          .from('payment_position_steps')
          .whereColumn('payment_position_steps.position_id', 'payment_positions.id')
          .where('payment_position_steps.step', 'letter')
      )
      .orderBy('id')
      .limit(BATCH)
    if (due.length === 0) break
    for (const position of due) {
      const taken = await db.transaction(async (trx) => {
        const recorded = await recordStep(trx, tenant.id, position.id, 'letter', {
          owed_cents: position.amountCents - position.paidCents,
        })
        if (recorded) {
          await enqueueFollowUp(
            trx,
            BILLING_LETTER_JOB,
            { positionId: position.id },
            { jobId: `billing-letter:${tenant.id}:${position.iuv}`, tenant: tenant.ref }
          )
        }
        return recorded
      })
      if (taken) out.letters++
    }
    lastId = due[due.length - 1].id
  }
  return out
}

/** The position if it still asks for money; otherwise null, with an audit entry saying why nothing went. */
async function stillOpen(positionId: number, what: 'reminder' | 'letter') {
  const position = await PaymentPosition.find(positionId)
  if (!position) return null
  if (OPEN_POSITION_STATUSES.includes(position.status)) return position
  await writeAudit(db.connection(), {
    tenantId: position.tenantId,
    action: `${what}_skipped`,
    entity: 'payment_positions',
    entityId: String(position.id),
    after: { status: position.status },
  })
  return null
}

function owedText(position: PaymentPosition) {
  return italianAmount(position.amountCents - position.paidCents)
}

export async function sendReminder(positionId: number) {
  const position = await stillOpen(positionId, 'reminder')
  if (!position) return
  const tenant = await Tenant.findOrFail(position.tenantId)
  const payer = await User.findOrFail(position.payerUserId)
  const lang = langOf(payer)
  const subject = positionSubject(position, lang)
  const code = formatNoticeNumber(position.nav)
  const text =
    lang === 'it'
      ? `${tenant.name}: risulta non pagato l'avviso ${code} (${subject}), scaduto il ${dueText(position.dueDate, 'it')}: ` +
        `euro ${owedText(position)} da pagare. Se ha già pagato, non tenga conto di questo messaggio.`
      : `${tenant.name}: notice ${code} (${subject}), due on ${dueText(position.dueDate, 'en')}, is unpaid: ` +
        `EUR ${owedText(position)} to pay. If you have already paid, please disregard this message.`
  const preferred: ChannelName[] = position.noticeChannel
    ? [position.noticeChannel as ChannelName, ...(position.noticeChannel === 'email' ? [] : ['email' as const])]
    : ['email']
  await sendThroughChannels(
    tenant,
    position,
    'sollecito',
    {
      recipient: { name: payer.fullName, email: payer.email, fiscalCode: payer.fiscalCode },
      subject: lang === 'it' ? `Sollecito di pagamento: ${subject}` : `Payment reminder: ${subject}`,
      text,
      markdown: text,
      payment: {
        amountCents: position.amountCents - position.paidCents,
        noticeNumber: position.nav,
        payeeFiscalCode: parsePagopaSettings(tenant.settings?.pagopa)!.fiscalCode,
        dueDate: null,
      },
    },
    preferred
  )
}

const LETTER_TEXT = {
  it: {
    title: 'Sollecito formale di pagamento',
    protocol: 'Protocollo',
    protocolOf: (label: string, date: string) => `n. ${label} del ${date}`,
    date: 'Data',
    to: 'Destinatario',
    fiscalCode: 'Codice fiscale',
    intro:
      'Dalle nostre registrazioni risultano non pagati, nonostante il sollecito già inviato, i seguenti avvisi di pagamento pagoPA:',
    position: (subject: string) => subject,
    code: 'Codice avviso',
    due: 'Scadenza',
    owed: 'Importo da pagare',
    total: 'Totale da pagare',
    how: 'Si può pagare con l’app IO, presso banche, uffici postali e punti convenzionati o online con il codice avviso indicato.',
    after:
      'In mancanza di pagamento l’ente procederà al recupero delle somme dovute come previsto dal regolamento del servizio. Se ha già pagato, non tenga conto di questa lettera.',
  },
  en: {
    title: 'Formal payment reminder',
    protocol: 'Protocol',
    protocolOf: (label: string, date: string) => `no. ${label} of ${date}`,
    date: 'Date',
    to: 'Addressee',
    fiscalCode: 'Fiscal code',
    intro: 'Our records show the following pagoPA payment notices unpaid, despite the reminder already sent:',
    position: (subject: string) => subject,
    code: 'Notice code',
    due: 'Due date',
    owed: 'Amount to pay',
    total: 'Total to pay',
    how: 'Pay with the IO app, at banks, post offices and affiliated shops or online with the notice code shown.',
    after:
      'Without payment the ente will recover the sums owed as the rules of the service provide. If you have already paid, please disregard this letter.',
  },
}

/** The positions an arrears letter lists: every open position of the payer that had its reminder (this one first if not). */
async function letterPositions(position: PaymentPosition) {
  const open = await PaymentPosition.query()
    .where('payer_user_id', position.payerUserId)
    .whereIn('status', OPEN_POSITION_STATUSES)
    .whereExists((q) =>
      q
        .from('payment_position_steps')
        .whereColumn('payment_position_steps.position_id', 'payment_positions.id')
        .where('payment_position_steps.step', 'reminder')
    )
    .orderBy('period')
    .limit(100)
  return open.some((p) => p.id === position.id) ? open : [position, ...open]
}

/**
 * The arrears letter of a position's payer: every open position of theirs that had its reminder.
 * With its outgoing protocol registration once it has one (the number is printed on the letter sent).
 */
export async function arrearsLetterPdf(
  tenant: Tenant,
  position: PaymentPosition,
  payer: User,
  lang: Lang,
  protocol: { label: string; date: string } | null = null,
  listed?: PaymentPosition[]
) {
  const t = LETTER_TEXT[lang]
  const positions = listed ?? (await letterPositions(position))
  const sheet = await PdfSheet.create({ title: t.title, subject: `${t.title} ${position.nav}`, lang })
  sheet.heading(tenant.name)
  sheet.text(t.title, { font: sheet.bold, size: 13 })
  sheet.y -= 6
  sheet.pairs(
    [
      ...(protocol
        ? [[t.protocol, t.protocolOf(protocol.label, dueText(protocol.date, lang))] as [string, string]]
        : []),
      [t.date, dueText(DateTime.now().setZone(TIME_ZONE).toISODate()!, lang)],
      [t.to, payer.fullName],
      [t.fiscalCode, payer.fiscalCode ?? '—'],
    ],
    150
  )
  sheet.y -= 6
  sheet.text(t.intro)
  let total = 0
  for (const p of positions) {
    sheet.y -= 4
    sheet.text(t.position(positionSubject(p, lang)), { font: sheet.bold })
    sheet.pairs(
      [
        [t.code, formatNoticeNumber(p.nav)],
        [t.due, dueText(p.dueDate, lang)],
        [t.owed, `€ ${italianAmount(p.amountCents - p.paidCents)}`],
      ],
      150
    )
    total += p.amountCents - p.paidCents
  }
  sheet.rule()
  sheet.pairs([[t.total, `€ ${italianAmount(total)}`]], 150)
  sheet.y -= 6
  sheet.text(t.how)
  sheet.text(t.after)
  return sheet.save()
}

/**
 * Sends a position's arrears letter: registered outgoing in the ente's protocol (DOCAREA, flow U;
 * the key is the position's, so a retry gets the same number), the number printed on the letter,
 * sent by post (registered mail) where the ente runs the postal batch, else by email, and kept in
 * `arrears_letters` for the monthly report. Every step is keyed: a retry after a crash sends once.
 */
export async function sendLetter(positionId: number) {
  const position = await stillOpen(positionId, 'letter')
  if (!position) return
  const tenant = await Tenant.findOrFail(position.tenantId)
  const payer = await User.findOrFail(position.payerUserId)
  const lang = langOf(payer)
  const listed = await letterPositions(position)
  const t = LETTER_TEXT[lang]
  const [firstName, ...rest] = (payer.fullName ?? '').trim().split(/\s+/)
  const registration = await protocolService().register({
    idempotencyKey: `arrears-letter:${position.iupd}`,
    direction: 'U',
    subject: `${t.title}: ${positionSubject(position, lang)}`.slice(0, 250),
    correspondent: { firstName: firstName || '-', lastName: rest.join(' ') || '-', fiscalCode: payer.fiscalCode },
    document: {
      fileName: `sollecito-${position.nav}.pdf`,
      content: await arrearsLetterPdf(tenant, position, payer, lang, null, listed),
      mimeType: 'application/pdf',
    },
  })
  const pdf = await arrearsLetterPdf(tenant, position, payer, lang, registration, listed)
  // Post where the ente runs the postal batch (registered mail); the family's email otherwise or after.
  const preferred: ChannelName[] = noticeChannelFor(tenant, 'post') ? ['post', 'email'] : ['email']
  const sent = await sendThroughChannels(
    tenant,
    position,
    'lettera',
    {
      recipient: { name: payer.fullName, email: payer.email, fiscalCode: payer.fiscalCode },
      subject: `${t.title}: ${positionSubject(position, lang)}`,
      text: `${t.intro} ${formatNoticeNumber(position.nav)}, € ${owedText(position)}. ${t.protocol} ${t.protocolOf(registration.label, dueText(registration.date, lang))}. ${t.after}`,
      registered: true,
      attachments: [{ filename: `sollecito-${position.nav}.pdf`, content: pdf, contentType: 'application/pdf' }],
    },
    preferred
  )
  const existing = await ArrearsLetter.query().where('position_id', position.id).first()
  if (existing) return
  await ArrearsLetter.create({
    positionId: position.id,
    payerUserId: position.payerUserId,
    protocolNumber: registration.number,
    protocolYear: registration.year,
    protocolDate: registration.date,
    protocolLabel: registration.label,
    positions: listed.map((p) => ({ id: p.id, owed_cents: p.amountCents - p.paidCents })),
    owedCents: listed.reduce((sum, p) => sum + p.amountCents - p.paidCents, 0),
    channel: sent.channel,
    sentMonth: DateTime.now().setZone(TIME_ZONE).toFormat('yyyy-MM'),
  })
}

export const billingArrearsJob: JobDefinition<Record<string, never>> = {
  attempts: 3,
  backoffMs: 60_000,
  async handle(_payload, ctx) {
    if (ctx.tenant) {
      await scheduleArrears(await Tenant.findOrFail(ctx.tenant.id))
      return
    }
    const tenants = await RequestContext.asSystem('billing-arrears', () => Tenant.query().orderBy('id'))
    for (const tenant of tenants) {
      let configured = false
      try {
        configured = parsePagopaSettings(tenant.settings?.pagopa) !== null
      } catch {
        configured = false
      }
      if (!configured) continue
      await enqueueFollowUp(null, BILLING_ARREARS_JOB, {}, { jobId: `${ctx.id}:${tenant.id}`, tenant: tenant.ref })
    }
  },
}

export const billingReminderJob: JobDefinition<{ positionId: number }> = {
  attempts: 8,
  backoffMs: 5000,
  handle: (payload) => sendReminder(payload.positionId),
}

export const billingLetterJob: JobDefinition<{ positionId: number }> = {
  attempts: 8,
  backoffMs: 5000,
  handle: (payload) => sendLetter(payload.positionId),
}
