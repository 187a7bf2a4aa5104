import { DateTime } from 'luxon'
import AuditLog from '#models/audit_log'

/**
 * The filters of the tenant's audit trail (`GET /audit`): who (`actor`: the e-mail or label the
 * entry names, or a user's number), what (`entity`, the table, and `action`), which record
 * (`entity_id`), when (`from`, `to`: calendar days in Italy, both included), and `after`, the last
 * entry seen, for the next page (keyset: a page far back costs what the first does).
 */
export interface AuditFilters {
  actor: string | null
  entity: string | null
  entityId: string | null
  action: string | null
  from: string | null
  to: string | null
  after: number | null
}

/**
 * Records written in bulk are audited per batch, not per row (billing's charges and positions of a
 * monthly run): for such a table, a resolver answers the ids of the batch rows that created a
 * record, so that the trail asked about the record shows them beside its own rows. The module that
 * writes the batches registers its resolvers at start (sportello_provider.ts); this one knows none.
 */
export type BatchAuditResolver = (recordId: number) => Promise<number[]>
const batchAuditResolvers = new Map<string, BatchAuditResolver>()

export function registerBatchAuditResolvers(resolvers: Record<string, BatchAuditResolver>) {
  for (const [entity, resolver] of Object.entries(resolvers)) batchAuditResolvers.set(entity, resolver)
}

export const AUDIT_PAGE_SIZE = 50
const NAME = /^[a-z0-9_.:-]{1,64}$/
const DAY = /^\d{4}-\d{2}-\d{2}$/
const CURSOR = /^\d{1,15}$/

type Problem = { path: string; rule: string; message: { it: string; en: string } }

const TEXT = {
  name: (name: string) => ({
    it: `"${name}" deve essere un nome di al massimo 64 caratteri tra lettere minuscole, cifre e _ . : -`,
    en: `"${name}" must be a name of at most 64 characters among lower-case letters, digits and _ . : -`,
  }),
  entityId: {
    it: '"entity_id" deve essere un identificativo di al massimo 64 caratteri, senza spazi.',
    en: '"entity_id" must be an identifier of at most 64 characters, with no spaces.',
  },
  actor: {
    it: '"actor" deve essere un indirizzo e-mail, un nome come system:demo o il numero di un utente (al massimo 254 caratteri).',
    en: '"actor" must be an e-mail address, a name such as system:demo or a user\'s number (at most 254 characters).',
  },
  day: (name: string) => ({
    it: `"${name}" deve essere una data nella forma AAAA-MM-GG, ad esempio 2026-03-01.`,
    en: `"${name}" must be a date written YYYY-MM-DD, e.g. 2026-03-01.`,
  }),
  range: { it: '"from" viene dopo "to": scambia le due date.', en: '"from" comes after "to": swap the two dates.' },
  after: {
    it: '"after" non è un segno di pagina valido: ricomincia dalla prima pagina.',
    en: '"after" is not a valid page marker: start again from the first page.',
  },
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null
}

/** Reads the query string; every problem is named at its parameter. */
export function parseAuditQuery(input: Record<string, unknown>): { filters: AuditFilters; problems: Problem[] } {
  const problems: Problem[] = []
  const actor = text(input.actor)
  const entity = text(input.entity)
  const action = text(input.action)
  const entityId = text(input.entity_id)
  const from = text(input.from)
  const to = text(input.to)
  const after = text(input.after)
  if (actor && (actor.length > 254 || /[\s\p{Cc}]/u.test(actor))) {
    problems.push({ path: '/actor', rule: 'query:actor', message: TEXT.actor })
  }
  for (const [name, value] of [
    ['entity', entity],
    ['action', action],
  ] as const) {
    if (value && !NAME.test(value)) problems.push({ path: `/${name}`, rule: 'query:name', message: TEXT.name(name) })
  }
  if (entityId && (entityId.length > 64 || /[\s\p{Cc}]/u.test(entityId))) {
    problems.push({ path: '/entity_id', rule: 'query:entity_id', message: TEXT.entityId })
  }
  for (const [name, value] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (value && (!DAY.test(value) || !DateTime.fromISO(value).isValid)) {
      problems.push({ path: `/${name}`, rule: 'query:date', message: TEXT.day(name) })
    }
  }
  if (from && to && DAY.test(from) && DAY.test(to) && from > to) {
    problems.push({ path: '/from', rule: 'query:range', message: TEXT.range })
  }
  if (after && !CURSOR.test(after)) problems.push({ path: '/after', rule: 'query:after', message: TEXT.after })
  return {
    filters: {
      actor: actor ? actor.toLowerCase() : null,
      entity,
      entityId,
      action,
      from,
      to,
      after: after && CURSOR.test(after) ? Number(after) : null,
    },
    problems,
  }
}

/** A calendar day in Italy's time, as the column is written (Lucid formats dates in the server's zone). */
function moment(day: string, format: string) {
  return DateTime.fromISO(day, { zone: 'Europe/Rome' }).toLocal().toFormat(format)
}

/** One page of the (tenant-scoped) audit trail under the filters, newest first, and the next page's cursor. */
export async function auditPage(filters: AuditFilters) {
  const query = AuditLog.query()
  const format = query.client.dialect.dateTimeFormat
  if (filters.actor) {
    if (/^\d{1,9}$/.test(filters.actor)) query.where('actor_user_id', Number(filters.actor))
    else query.whereRaw('lower(actor_label) = ?', [filters.actor])
  }
  if (filters.entity) query.where('entity', filters.entity)
  const batchAudit = filters.entity ? batchAuditResolvers.get(filters.entity) : undefined
  if (batchAudit && filters.entityId && /^\d{1,15}$/.test(filters.entityId)) {
    // A record audited per batch: its own rows, and the batch row that created it.
    const batch = await batchAudit(Number(filters.entityId))
    const entityId = filters.entityId
    query.where((q) => q.where('entity_id', entityId).orWhereIn('id', batch))
  } else if (filters.entityId) query.where('entity_id', filters.entityId)
  if (filters.action) query.where('action', filters.action)
  if (filters.from) query.where('created_at', '>=', moment(filters.from, format))
  if (filters.to) {
    query.where('created_at', '<', moment(DateTime.fromISO(filters.to).plus({ days: 1 }).toISODate()!, format))
  }
  if (filters.after !== null) query.where('id', '<', filters.after)
  const rows = await query.orderBy('id', 'desc').limit(AUDIT_PAGE_SIZE + 1)
  const more = rows.length > AUDIT_PAGE_SIZE
  const shown = rows.slice(0, AUDIT_PAGE_SIZE)
  return { rows: shown, next: more ? String(shown[shown.length - 1].id) : null }
}
