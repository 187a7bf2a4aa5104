import { DateTime } from 'luxon'
import type { Lang } from '#forms/types'
import { SettingsError } from '#services/tenants/settings_error'
import { isValidDate } from '#forms/codice_fiscale'
import { todayInRome } from '#forms/field_rules'

/**
 * The `enrolment` block of a tenant's settings: when each service's call is
 * open. A comune opens enrolment for a period (a school service, e.g., in spring for
 * the next school year); late applications are still taken at the counter
 * (Piacenza, Allegato A: the maximum fee applies until a late application is
 * filed), so staff filing on a citizen's behalf may submit outside it.
 *
 *   { "enrolment": { "<service>.iscrizione": { "opens": "2026-03-01", "closes": "2026-06-30" } } }
 *
 * Both dates are optional calendar days in Europe/Rome, `closes` included. A
 * form without an entry is always open.
 */
export type EnrolmentWindows = Record<string, { opens: string | null; closes: string | null }>

export type WindowState = 'open' | 'not_yet' | 'closed'

export interface WindowDecision {
  open: boolean
  opens: string | null
  closes: string | null
  state: WindowState
}

/** The calls are set by the comune in Italian local time, whatever the server's zone. */
export const ENROLMENT_ZONE = 'Europe/Rome'

export class EnrolmentSettingsError extends SettingsError {
  constructor(field: string, messages: { it: string; en: string }) {
    super('enrolment', field, messages)
    this.name = 'EnrolmentSettingsError'
  }
}

const DAY = /^\d{4}-\d{2}-\d{2}$/
const ENTRY_FIELDS = new Set(['opens', 'closes'])

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function day(entry: Record<string, unknown>, formKey: string, field: 'opens' | 'closes'): string | null {
  const value = entry[field]
  if (value === undefined || value === null) return null
  // A calendar day exists or not whatever the zone: checked without building a date in one.
  if (typeof value !== 'string' || !DAY.test(value) || !isValidDate(value)) {
    throw new EnrolmentSettingsError(`${formKey}.${field}`, {
      it: `deve essere una data del calendario nel formato AAAA-MM-GG (ad esempio "2026-03-01"), non ${JSON.stringify(value)}`,
      en: `must be a calendar date written YYYY-MM-DD (e.g. "2026-03-01"), not ${JSON.stringify(value)}`,
    })
  }
  return value
}

/**
 * Reads and checks the block; the error names the field at fault, in Italian
 * and English. `formKeys`, when given, are the tenant's forms: a window for
 * any other key is refused (a typo would otherwise leave the real call open).
 */
export function parseEnrolmentSettings(value: unknown, formKeys?: readonly string[]): EnrolmentWindows {
  if (value === undefined || value === null) return {}
  if (!isObject(value)) {
    throw new EnrolmentSettingsError('', {
      it: 'deve essere un oggetto: per ogni modulo (con la sua chiave, come la dà GET /forms) le date "opens" e "closes"',
      en: 'must be an object: for each form (by its key, as GET /forms gives it) the "opens" and "closes" dates',
    })
  }
  const windows: EnrolmentWindows = {}
  for (const [formKey, entry] of Object.entries(value)) {
    if (formKeys && !formKeys.includes(formKey)) {
      const known = formKeys.length ? formKeys.join(', ') : '—'
      throw new EnrolmentSettingsError(formKey, {
        it: `il modulo "${formKey}" non esiste per questo ente; moduli disponibili: ${known}`,
        en: `there is no form "${formKey}" in this tenant; its forms are: ${known}`,
      })
    }
    if (!isObject(entry)) {
      throw new EnrolmentSettingsError(formKey, {
        it: 'deve essere un oggetto con le date "opens" e/o "closes"',
        en: 'must be an object with the "opens" and/or "closes" dates',
      })
    }
    const unknown = Object.keys(entry).find((k) => !ENTRY_FIELDS.has(k))
    if (unknown !== undefined) {
      throw new EnrolmentSettingsError(`${formKey}.${unknown}`, {
        it: `campo sconosciuto: sono ammessi solo "opens" (primo giorno) e "closes" (ultimo giorno)`,
        en: `unknown field: only "opens" (first day) and "closes" (last day) are allowed`,
      })
    }
    const opens = day(entry, formKey, 'opens')
    const closes = day(entry, formKey, 'closes')
    // ISO calendar days compare correctly as text.
    if (opens && closes && opens > closes) {
      throw new EnrolmentSettingsError(`${formKey}.opens`, {
        it: `l'apertura (${italianDate(opens)}) è successiva alla chiusura (${italianDate(closes)})`,
        en: `the opening day (${italianDate(opens)}) comes after the closing day (${italianDate(closes)})`,
      })
    }
    windows[formKey] = { opens, closes }
  }
  return windows
}

/** The windows of a tenant's stored settings (checked when they were saved). */
export function enrolmentWindowsOf(settings: Record<string, unknown> | null | undefined): EnrolmentWindows {
  return parseEnrolmentSettings(settings?.enrolment)
}

/**
 * Whether a form's call is open at an instant: the instant's calendar day in
 * Europe/Rome is compared with the window's days, both ends included.
 */
export function enrolmentWindow(windows: EnrolmentWindows, formKey: string, at: Date | DateTime): WindowDecision {
  const entry = Object.hasOwn(windows, formKey) ? windows[formKey] : undefined
  const opens = entry?.opens ?? null
  const closes = entry?.closes ?? null
  // todayInRome is the same day in ENROLMENT_ZONE, through one formatter kept for the process.
  const today = at instanceof Date ? todayInRome(at) : at.setZone(ENROLMENT_ZONE).toISODate()!
  const state: WindowState = opens && today < opens ? 'not_yet' : closes && today > closes ? 'closed' : 'open'
  return { open: state === 'open', opens, closes, state }
}

/** 2026-06-30 → 30/06/2026, the way Italian calls print dates (in both languages). */
export function italianDate(isoDay: string): string {
  const [y, m, d] = isoDay.split('-')
  return `${d}/${m}/${y}`
}

/** What a citizen reads when the call is not open. */
export function windowRefusal(decision: WindowDecision, lang: Lang): string {
  const opens = decision.opens ? italianDate(decision.opens) : null
  const closes = decision.closes ? italianDate(decision.closes) : null
  if (decision.state === 'not_yet') {
    const until = closes ? { it: ` al ${closes}`, en: ` to ${closes}` } : { it: '', en: '' }
    return {
      it: `Le iscrizioni a questo servizio non sono ancora aperte: si possono presentare dal ${opens}${until.it}.`,
      en: `Enrolment for this service is not open yet: applications are taken from ${opens}${until.en}.`,
    }[lang]
  }
  return {
    it: `Le iscrizioni a questo servizio si sono chiuse il ${closes}. Per una domanda tardiva rivolgiti allo sportello del Comune.`,
    en: `Enrolment for this service closed on ${closes}. For a late application, please contact the municipal office.`,
  }[lang]
}

/** What the history and the audit log keep when staff file outside the window (stored once, in Italian). */
export function lateFilingNote(decision: WindowDecision): string {
  const when =
    decision.state === 'closed'
      ? `iscrizioni chiuse il ${italianDate(decision.closes!)}`
      : `iscrizioni aperte dal ${italianDate(decision.opens!)}`
  return `Domanda fuori termine (${when}): presentata allo sportello per conto del richiedente.`
}
