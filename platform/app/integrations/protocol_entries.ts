import { createHash } from 'node:crypto'
import { DateTime } from 'luxon'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { ProtocolRequest } from '#integrations/protocol_types'
import { currentDataCipher } from '#services/infrastructure/data_cipher'

/**
 * The local record of one registration (protocol_entries), whichever system gave the number. The
 * correspondent (the applicant's name) is encrypted at rest like every identifier (data_at_rest.ts).
 */
export function protocolEntryRow(
  tenantId: number,
  request: ProtocolRequest,
  assigned: { year: number; number: number; docId: number },
  at: DateTime,
  trx: TransactionClientContract
) {
  return {
    tenant_id: tenantId,
    year: assigned.year,
    number: assigned.number,
    doc_id: assigned.docId,
    direction: request.direction,
    subject: request.subject.slice(0, 500),
    correspondent: currentDataCipher().encrypt(
      `${request.correspondent.lastName} ${request.correspondent.firstName}`.trim().slice(0, 200)
    ),
    idempotency_key: request.idempotencyKey,
    document_sha256: createHash('sha256').update(request.document.content).digest('hex'),
    created_at: at.toFormat(trx.dialect.dateTimeFormat),
  }
}

/**
 * The day of a registration read back from its record: the ente's day (Europe/Rome), as the
 * registration answered it. The record is written with the Rome time (`protocolEntryRow`): PostgreSQL
 * keeps it as an instant, which reads back as a Date (in the last hour or two of a UTC day, Rome is
 * already on the next, so the day is taken in Rome's zone); SQLite keeps the Rome wall-clock text.
 */
export function protocolEntryDay(createdAt: unknown): string {
  const stamp =
    createdAt instanceof Date
      ? DateTime.fromJSDate(createdAt).setZone('Europe/Rome')
      : DateTime.fromSQL(String(createdAt), { zone: 'Europe/Rome' })
  return stamp.isValid ? stamp.toISODate()! : String(createdAt).slice(0, 10)
}
