/**
 * Fixed-width records driven by a layout definition: the coercive-collection record (messa a ruolo,
 * seed 000 arrears d). The official layout of the collection agent (Agenzia delle Entrate-Riscossione,
 * "tracciato 290") is not public (INTEGRATIONS.md, "Coercive collection"), so the platform ships its
 * own documented default (`SPORTELLO_RUOLO_V1`, docs/collection_record.md) and writes any layout of
 * the same shape: each record type a list of fields with a length and a kind, every line as long as
 * the layout says.
 *
 * Alphanumeric fields are upper case ASCII, accents dropped ("è" → "E"), left aligned, padded with
 * spaces and cut at their length; numeric fields are digits only, right aligned, padded with zeros,
 * and refused when too long (an amount is never cut). Lines end with CR LF.
 */

export type FieldKind = 'alpha' | 'numeric'

export interface FieldSpec {
  name: string
  length: number
  kind: FieldKind
  /** A constant (the record type, a layout code); the value given for it is ignored. */
  constant?: string
  /** What the field holds, for the documentation. */
  description?: string
}

export interface RecordLayout {
  id: string
  lineLength: number
  header: FieldSpec[]
  detail: FieldSpec[]
  trailer: FieldSpec[]
}

export class FixedWidthError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'FixedWidthError'
  }
}

/** Checks that every record type of the layout fills the line exactly, with unique field names. */
export function checkLayout(layout: RecordLayout) {
  for (const kind of ['header', 'detail', 'trailer'] as const) {
    const fields = layout[kind]
    const total = fields.reduce((sum, f) => sum + f.length, 0)
    if (total !== layout.lineLength) {
      throw new FixedWidthError(`${layout.id} ${kind}: fields add up to ${total}, the line is ${layout.lineLength}`)
    }
    const names = new Set(fields.map((f) => f.name))
    if (names.size !== fields.length) throw new FixedWidthError(`${layout.id} ${kind}: a field name is repeated`)
    for (const f of fields) {
      if (!Number.isInteger(f.length) || f.length < 1) throw new FixedWidthError(`${layout.id} ${f.name}: bad length`)
    }
  }
}

/** Upper case printable ASCII: accents dropped, anything else a space. */
export function asciiText(value: string): string {
  return value
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .replace(/[^\x20-\x7e]/g, ' ')
}

function cell(field: FieldSpec, raw: string | number | null | undefined): string {
  const value = field.constant ?? (raw === null || raw === undefined ? '' : String(raw))
  if (field.kind === 'numeric') {
    if (value !== '' && !/^\d+$/.test(value)) {
      throw new FixedWidthError(`${field.name}: "${value}" is not a whole non-negative number`)
    }
    if (value.length > field.length) throw new FixedWidthError(`${field.name}: ${value} does not fit ${field.length}`)
    return value.padStart(field.length, '0')
  }
  return asciiText(value).slice(0, field.length).padEnd(field.length, ' ')
}

/** One line of a record type (without its line end). */
export function writeLine(fields: FieldSpec[], values: Record<string, string | number | null | undefined>): string {
  return fields.map((f) => cell(f, values[f.name])).join('')
}

/** A line read back into its fields: alpha trimmed on the right, numeric as written (zeros kept). */
export function parseLine(fields: FieldSpec[], line: string): Record<string, string> {
  const out: Record<string, string> = {}
  let at = 0
  for (const f of fields) {
    const raw = line.slice(at, at + f.length)
    out[f.name] = f.kind === 'alpha' ? raw.trimEnd() : raw
    at += f.length
  }
  return out
}

/** The whole file: a header, a line per detail, a trailer; each line `lineLength` long, CR LF after each. */
export function writeRecordFile(
  layout: RecordLayout,
  header: Record<string, string | number | null>,
  details: Array<Record<string, string | number | null>>,
  trailer: Record<string, string | number | null>
): string {
  checkLayout(layout)
  const lines = [writeLine(layout.header, header), ...details.map((d) => writeLine(layout.detail, d))]
  lines.push(writeLine(layout.trailer, trailer))
  return lines.map((l) => `${l}\r\n`).join('')
}

/**
 * The platform's default layout (docs/collection_record.md): 250 characters a line; a header (type 0)
 * naming the ente and the supply, a detail (type 1) per injunction handed over, a trailer (type 9)
 * with the count and the total. Amounts in euro cents; dates YYYYMMDD; months YYYYMM.
 */
export const SPORTELLO_RUOLO_V1: RecordLayout = {
  id: 'SPORTELLO-RUOLO-V1',
  lineLength: 250,
  header: [
    { name: 'record_type', length: 1, kind: 'numeric', constant: '0', description: 'Tipo record: 0 testa' },
    { name: 'layout', length: 18, kind: 'alpha', constant: 'SPORTELLO-RUOLO-V1', description: 'Tracciato' },
    { name: 'ente_fiscal_code', length: 16, kind: 'alpha', description: "Codice fiscale dell'ente" },
    { name: 'ente_name', length: 60, kind: 'alpha', description: "Denominazione dell'ente" },
    {
      name: 'supply_number',
      length: 6,
      kind: 'numeric',
      description: 'Numero della fornitura (progressivo dell’ente)',
    },
    { name: 'supply_date', length: 8, kind: 'numeric', description: 'Data della fornitura AAAAMMGG' },
    { name: 'filler', length: 141, kind: 'alpha', description: 'Spazi' },
  ],
  detail: [
    { name: 'record_type', length: 1, kind: 'numeric', constant: '1', description: 'Tipo record: 1 partita' },
    { name: 'sequence', length: 7, kind: 'numeric', description: 'Progressivo della partita nella fornitura' },
    { name: 'debtor_fiscal_code', length: 16, kind: 'alpha', description: 'Codice fiscale del debitore' },
    { name: 'debtor_name', length: 60, kind: 'alpha', description: 'Cognome e nome del debitore' },
    { name: 'injunction_number', length: 11, kind: 'alpha', description: 'Numero ingiunzione AAAA/NNNNNN' },
    { name: 'protocol', length: 20, kind: 'alpha', description: 'Protocollo in uscita dell’ingiunzione' },
    { name: 'protocol_date', length: 8, kind: 'numeric', description: 'Data del protocollo AAAAMMGG' },
    { name: 'service', length: 20, kind: 'alpha', description: 'Servizio (codice di entrata)' },
    { name: 'period_from', length: 6, kind: 'numeric', description: 'Primo mese dovuto AAAAMM' },
    { name: 'period_to', length: 6, kind: 'numeric', description: 'Ultimo mese dovuto AAAAMM' },
    { name: 'notices', length: 3, kind: 'numeric', description: 'Numero di avvisi pagoPA compresi' },
    { name: 'amount_cents', length: 13, kind: 'numeric', description: 'Importo dovuto in centesimi' },
    { name: 'debtor_address', length: 40, kind: 'alpha', description: 'Indirizzo del debitore (via e civico)' },
    { name: 'debtor_postal_code', length: 5, kind: 'alpha', description: 'CAP del debitore' },
    { name: 'debtor_municipality', length: 30, kind: 'alpha', description: 'Comune del debitore' },
    { name: 'debtor_province', length: 2, kind: 'alpha', description: 'Sigla della provincia del debitore' },
    { name: 'filler', length: 2, kind: 'alpha', description: 'Spazi' },
  ],
  trailer: [
    { name: 'record_type', length: 1, kind: 'numeric', constant: '9', description: 'Tipo record: 9 coda' },
    { name: 'details', length: 7, kind: 'numeric', description: 'Numero di partite (record 1)' },
    { name: 'total_cents', length: 15, kind: 'numeric', description: 'Totale degli importi in centesimi' },
    { name: 'filler', length: 227, kind: 'alpha', description: 'Spazi' },
  ],
}
