import { createHash } from 'node:crypto'
import type { DateTime } from 'luxon'
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
