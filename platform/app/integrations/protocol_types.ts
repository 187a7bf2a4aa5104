import type { AttemptSubject } from '#services/infrastructure/external_attempts'

/**
 * The protocol system as the platform sees it, whatever implements it (protocol.ts picks one per
 * tenant): what is registered and what comes back. Kept apart so the implementations
 * (docarea/docarea_client.ts) and the register (protocol_entries.ts) need not import the module
 * that chooses among them.
 */
export interface ProtocolRequest {
  /** Business key: registering the same key twice returns the first registration. */
  idempotencyKey: string
  /** E = incoming (a citizen's application), U = outgoing (a letter). */
  direction: 'E' | 'U'
  subject: string
  correspondent: { firstName: string; lastName: string; fiscalCode: string | null }
  document: { fileName: string; content: Uint8Array; mimeType: string }
  /** What the registration is for: an attempt an operator must review names it (external_attempts.ts). */
  about?: AttemptSubject
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
