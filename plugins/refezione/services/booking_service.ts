import { DateTime, PluginHttpError } from '@sportello/platform/sdk'
import type { PluginContext } from '@sportello/platform/sdk'
import MealRequest, { type RequestKind } from '../models/meal_request.js'
import { calendarOn } from './calendar_service.js'
import { ZONE, checkDay, clock, cutoffOf, say, settingsOf } from './common.js'
import { pupilOf, type Pupil } from './pupils.js'

function refuse(status: number, path: string, rule: string, message: string): never {
  throw new PluginHttpError(status, [{ path, rule, message }])
}

/** The family's own active child, or a 404 that says nothing about other families' children. */
export async function ownPupil(ctx: PluginContext, userId: number, enrolmentId: number): Promise<Pupil> {
  const record = Number.isSafeInteger(enrolmentId) ? await ctx.enrolments.find(enrolmentId) : null
  const pupil = record && record.status === 'active' && record.applicantUserId === userId ? pupilOf(record) : null
  if (!pupil) {
    refuse(
      404,
      '/enrolment',
      'exists',
      say(
        ctx.lang,
        'Nessuna iscrizione alla mensa con questo numero tra le tue',
        'None of your canteen enrolments has this number'
      )
    )
  }
  return pupil
}

/**
 * Whether a family may still change the meal of `day`: today until the cut-off, future days up to
 * the horizon (tenant settings), never the past. The refusal names when it closed.
 */
export async function checkOpen(ctx: PluginContext, day: string) {
  checkDay(ctx.lang, day, '/day')
  const settings = await settingsOf(ctx)
  const now = clock.now()
  const today = now.toISODate()!
  if (day < today) {
    refuse(
      409,
      '/day',
      'closed',
      say(ctx.lang, `Il ${day} è passato: non si può più cambiare`, `${day} is past: it can no longer be changed`)
    )
  }
  const cutoff = cutoffOf(day, settings)
  if (day === today && now >= cutoff) {
    refuse(
      409,
      '/day',
      'cutoff',
      say(
        ctx.lang,
        `Le disdette e le richieste di pasto in bianco per oggi (${day}) si sono chiuse alle ${settings.cutoff_time}: per un'urgenza chiama la scuola`,
        `Cancellations and plain-meal requests for today (${day}) closed at ${settings.cutoff_time}: in an emergency, call the school`
      )
    )
  }
  const last = DateTime.fromISO(today, { zone: ZONE }).plus({ days: settings.booking_horizon_days }).toISODate()!
  if (day > last) {
    refuse(
      422,
      '/day',
      'horizon',
      say(
        ctx.lang,
        `Si può prenotare fino a ${settings.booking_horizon_days} giorni avanti (al più il ${last})`,
        `You can book up to ${settings.booking_horizon_days} days ahead (${last} at the latest)`
      )
    )
  }
}

async function checkServed(ctx: PluginContext, pupil: Pupil, day: string) {
  const answer = (await calendarOn(day, ctx)).served(pupil.schoolCode, pupil.classYear, pupil.section)
  if (!answer.served) {
    refuse(
      422,
      '/day',
      'no_service',
      say(
        ctx.lang,
        `Il ${day} la mensa non c'è per la classe di questo bambino${answer.note ? ` (${answer.note})` : ''}: non serve disdire`,
        `There is no canteen on ${day} for this child's class${answer.note ? ` (${answer.note})` : ''}: nothing to cancel`
      )
    )
  }
}

export const requestView = (r: MealRequest) => ({ enrolment_id: r.enrolmentId, day: r.day, kind: r.kind })

/** Sets the child's request for the day; asking the same again changes nothing (idempotent). */
export async function setRequest(
  ctx: PluginContext,
  userId: number,
  enrolmentId: number,
  day: string,
  kind: RequestKind
) {
  const pupil = await ownPupil(ctx, userId, enrolmentId)
  await checkOpen(ctx, day)
  await checkServed(ctx, pupil, day)
  return ctx.transaction(async (tctx) => {
    const client = tctx.trx!
    const existing = await MealRequest.query({ client })
      .where('enrolment_id', pupil.enrolmentId)
      .where('day', day)
      .forUpdate()
      .first()
    if (existing) {
      if (existing.kind !== kind) {
        existing.merge({ kind, requestedBy: userId })
        await existing.useTransaction(client).save()
      }
      return existing
    }
    return MealRequest.create({ enrolmentId: pupil.enrolmentId, day, kind, requestedBy: userId }, { client })
  })
}

/** Withdraws the request (the child eats as usual); withdrawing what is not there is not an error. */
export async function clearRequest(ctx: PluginContext, userId: number, enrolmentId: number, day: string) {
  const pupil = await ownPupil(ctx, userId, enrolmentId)
  await checkOpen(ctx, day)
  const existing = await MealRequest.query().where('enrolment_id', pupil.enrolmentId).where('day', day).first()
  if (existing) await existing.delete()
}

/**
 * The requests standing for a set of children on one day, keyed by enrolment. A few children (a
 * class, a school) are read by id, one query per 500; a whole day's worth (the cut-off reads a
 * city's 36,000) is read as the day's requests in pages of 5,000 and kept for these children:
 * a day's requests are at most one per child, so a handful of queries instead of one per 500
 * children, and work linear in the children and the requests. (`sizes` lets a test take either path.)
 */
export async function requestsOn(
  ctx: PluginContext,
  day: string,
  enrolmentIds: number[],
  sizes: { byIdUpTo: number; page: number } = { byIdUpTo: 500, page: 5000 }
) {
  const out = new Map<number, RequestKind>()
  const client = ctx.trx ?? undefined
  if (enrolmentIds.length <= sizes.byIdUpTo) {
    if (enrolmentIds.length === 0) return out
    const rows = await MealRequest.query({ client })
      .where('day', day)
      .whereIn('enrolment_id', enrolmentIds)
      .select('enrolment_id', 'kind')
      .pojo<{ enrolment_id: number | string; kind: RequestKind }>()
    for (const r of rows) out.set(Number(r.enrolment_id), r.kind)
    return out
  }
  const wanted = new Set(enrolmentIds)
  let afterId = 0
  for (;;) {
    const rows = await MealRequest.query({ client })
      .where('day', day)
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(sizes.page)
      .select('id', 'enrolment_id', 'kind')
      .pojo<{ id: number | string; enrolment_id: number | string; kind: RequestKind }>()
    for (const r of rows) if (wanted.has(Number(r.enrolment_id))) out.set(Number(r.enrolment_id), r.kind)
    if (rows.length < sizes.page) return out
    afterId = Number(rows[rows.length - 1].id)
  }
}
