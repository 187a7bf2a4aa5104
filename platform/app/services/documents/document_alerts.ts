import Document from '#models/document'
import Person from '#models/person'
import { todayInItaly } from '#services/definitions/ruleset_service'
import { validityOf } from '#services/documents/document_service'
import { DOCUMENT_TYPES, type DocumentAlertDto, type DocumentType } from '#shared/contract'

/**
 * The flags of a list (the register of enrolments, the people list): for each codice fiscale of
 * the page, the types of document whose latest one is expired or expiring (within 30 days, as the
 * documents section flags them). Only the latest of a type counts, so a renewed identity card clears
 * the flag of the old one; a document without expiry never needs renewing. One query for the page,
 * by the blind index of the codice fiscale (with every key of the ring); only the types and dates
 * are read, nothing of the documents' content.
 */
export async function documentAlerts(
  fiscalCodes: Array<string | null>,
  today: string = todayInItaly()
): Promise<Map<string, DocumentAlertDto>> {
  const codeOfHash = new Map<string, string>()
  for (const code of new Set(fiscalCodes)) {
    if (code) for (const hash of Person.hashesOf(code)) codeOfHash.set(hash, code)
  }
  const alerts = new Map<string, DocumentAlertDto>()
  if (codeOfHash.size === 0) return alerts
  const rows = await Document.query()
    .whereIn('subject_fiscal_code_hash', [...codeOfHash.keys()])
    .select('subject_fiscal_code_hash', 'type', 'expires_on')
  // Per person and type, the latest expiry; null once a document of the type has none.
  const latest = new Map<string, Map<DocumentType, string | null>>()
  for (const row of rows) {
    const code = codeOfHash.get(row.subjectFiscalCodeHash)
    if (!code) continue
    const types = latest.get(code) ?? new Map<DocumentType, string | null>()
    latest.set(code, types)
    const kept = types.get(row.type)
    if (kept === null) continue
    if (row.expiresOn === null || kept === undefined || row.expiresOn > kept) types.set(row.type, row.expiresOn)
  }
  for (const [code, types] of latest) {
    const alert: DocumentAlertDto = { expired: [], expiring: [] }
    for (const type of DOCUMENT_TYPES) {
      if (!types.has(type)) continue
      const validity = validityOf(types.get(type) ?? null, today)
      if (validity === 'expired' || validity === 'expiring') alert[validity].push(type)
    }
    if (alert.expired.length || alert.expiring.length) alerts.set(code, alert)
  }
  return alerts
}
