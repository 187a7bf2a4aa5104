import { createHash } from 'node:crypto'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import { RequestContext } from '#services/request_context'

/**
 * The protocol system (protocollo informatico) as the platform sees it. The
 * DOCAREA SOAP client (login → inserimento → protocollazione, see
 * shared/specs/INTEGRATIONS.md) implements this interface; until a tenant
 * configures one, the local simulator below answers with the same data.
 */
export interface ProtocolRequest {
  /** Business key: registering the same key twice returns the first registration. */
  idempotencyKey: string
  /** E = incoming (a citizen's application), U = outgoing (a letter). */
  direction: 'E' | 'U'
  subject: string
  correspondent: { firstName: string; lastName: string; fiscalCode: string | null }
  document: { fileName: string; content: Uint8Array; mimeType: string }
}

export interface ProtocolRegistration {
  number: number
  year: number
  /** ISO date of registration (strDataPG). */
  date: string
  docId: number
  /** As printed on receipts: "2026/0000042". */
  label: string
}

export interface ProtocolService {
  register(request: ProtocolRequest): Promise<ProtocolRegistration>
}

function label(year: number, number: number) {
  return `${year}/${String(number).padStart(7, '0')}`
}

/** Local simulator: a per-tenant, per-year gap-free register in the database. */
export class SimulatedProtocol implements ProtocolService {
  async register(request: ProtocolRequest): Promise<ProtocolRegistration> {
    const tenant = RequestContext.tenant()
    if (!tenant) throw new Error('Protocol registration needs a tenant in context')
    return db.transaction(async (trx) => {
      const existing = await trx
        .from('protocol_entries')
        .where({ tenant_id: tenant.id, idempotency_key: request.idempotencyKey })
        .first()
      if (existing) return this.#toRegistration(existing)
      const now = DateTime.now().setZone('Europe/Rome')
      const year = now.year
      const last = await trx.from('protocol_entries').where({ tenant_id: tenant.id, year }).max('number as max').first()
      const number = Number(last?.max ?? 0) + 1
      const lastDoc = await trx.from('protocol_entries').where({ tenant_id: tenant.id }).max('doc_id as max').first()
      const row = {
        tenant_id: tenant.id,
        year,
        number,
        doc_id: Number(lastDoc?.max ?? 0) + 1,
        direction: request.direction,
        subject: request.subject.slice(0, 500),
        correspondent: `${request.correspondent.lastName} ${request.correspondent.firstName}`.trim().slice(0, 200),
        idempotency_key: request.idempotencyKey,
        document_sha256: createHash('sha256').update(request.document.content).digest('hex'),
        created_at: now.toFormat(trx.dialect.dateTimeFormat),
      }
      await trx.insertQuery().table('protocol_entries').insert(row)
      return this.#toRegistration({ ...row, created_at: now.toISODate() })
    })
  }

  #toRegistration(row: { year: number; number: number; doc_id: number; created_at: unknown }): ProtocolRegistration {
    const created =
      row.created_at instanceof Date ? DateTime.fromJSDate(row.created_at) : DateTime.fromSQL(String(row.created_at))
    const date = created.isValid ? created.toISODate()! : String(row.created_at).slice(0, 10)
    return { number: row.number, year: row.year, date, docId: row.doc_id, label: label(row.year, row.number) }
  }
}

let service: ProtocolService = new SimulatedProtocol()

export function protocolService(): ProtocolService {
  return service
}

export function setProtocolService(next: ProtocolService) {
  service = next
}
