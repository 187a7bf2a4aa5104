import type { PDFPage } from 'pdf-lib'
import { BLUE, GREY, MARGIN, PdfSheet, safe, wrap } from '#services/infrastructure/pdf_sheet'
import { printable } from '#services/definitions/tariff_pdf'
import { formatNumber, summaryHead, type FeeSummary } from '#rules/summary'
import type { TraceEntry } from '#rules/types'

/**
 * The receipt a citizen gets after submitting: who, what, when, the protocol
 * number, and the data as declared, labelled with the form's own field titles.
 */
export interface ReceiptInput {
  tenantName: string
  formTitle: string
  submissionId: number
  protocol: { label: string; date: string } | null
  submittedAt: string
  applicant: { name: string; fiscalCode: string | null; email: string }
  onBehalfOf?: string | null
  schema: Record<string, unknown>
  data: Record<string, unknown>
  /** The language of the field labels and chosen values; Italian unless said otherwise. */
  lang?: Lang
  /**
   * The name of a value chosen from the tenant's catalog (`ui:options.source` of the field at
   * `pointer`): the school's name rather than its code. Null when the catalog has no such value.
   */
  catalogLabel?: (pointer: string, value: string) => string | null
  /** The fee the data gives, as the rules engine computes it on the day of sending (an estimate). */
  fee?: ReceiptFee | null
}

export interface ReceiptFee {
  rulesetTitle: string
  version: number
  /** The date the fee was computed for, already in the reader's form. */
  at: string
  summary: FeeSummary
  trace: TraceEntry[]
}

type Lang = 'it' | 'en'

interface Schema {
  'title'?: string
  'properties'?: Record<string, Schema>
  'items'?: Schema
  'type'?: unknown
  '$ref'?: string
  'enum'?: unknown[]
  'oneOf'?: Array<{ const?: unknown; title?: string }>
  'format'?: string
  'x-i18n'?: Record<string, { title?: string; enum?: Record<string, string> }>
}

/** A `$ref` to the form's own `$defs` replaced by the definition, with the referring node's overrides on top. */
function resolve(schema: Schema, defs: Record<string, Schema>): Schema {
  if (!schema.$ref) return schema
  const target = defs[schema.$ref.split('/').pop()!]
  if (!target) return schema
  const { $ref: _ref, ...overrides } = schema
  return { ...target, ...overrides, 'x-i18n': mergeI18n(target['x-i18n'], overrides['x-i18n']) }
}

function mergeI18n(base: Schema['x-i18n'], over: Schema['x-i18n']): Schema['x-i18n'] {
  if (!base || !over) return over ?? base
  const out: NonNullable<Schema['x-i18n']> = { ...base }
  for (const [lang, block] of Object.entries(over)) out[lang] = { ...base[lang], ...block }
  return out
}

function title(schema: Schema, lang: Lang, fallback: string): string {
  return (lang !== 'it' ? schema['x-i18n']?.[lang]?.title : undefined) ?? schema.title ?? fallback
}

/** A calendar day as the language writes it: 04/03/2017, 4 March 2017. */
export function formatDay(iso: string, lang: Lang): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso)
  if (!m) return iso
  if (lang === 'it') return `${m[3]}/${m[2]}/${m[1]}`
  return new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(
    new Date(`${iso}T00:00:00Z`)
  )
}

interface Context {
  lang: Lang
  defs: Record<string, Schema>
  catalogLabel?: (pointer: string, value: string) => string | null
}

/**
 * What the citizen chose, as the form showed it: the label of an enum value (`x-i18n.<lang>.enum`,
 * or `oneOf` const + title), Sì/No for booleans, the file name for an attachment reference, a date
 * in the reader's form, a school's (or a line's, a stop's, a facility's) name for its code.
 */
function value(v: unknown, schema: Schema, ctx: Context, pointer: string): string {
  const { lang, defs } = ctx
  if (v === true) return lang === 'en' ? 'Yes' : 'Sì'
  if (v === false) return 'No'
  if (v === null || v === undefined || v === '') return '—'
  if (Array.isArray(v)) {
    if (v.length === 0) return '—'
    const items = resolve(schema.items ?? {}, defs)
    return v.map((item, i) => value(item, items, ctx, `${pointer}/${i}`)).join('; ')
  }
  if (typeof v === 'object') {
    const file = v as { file_name?: unknown }
    return typeof file.file_name === 'string' ? file.file_name : ''
  }
  const labels = schema['x-i18n']?.[lang]?.enum ?? schema['x-i18n']?.it?.enum
  if (Array.isArray(schema.enum) && labels?.[String(v)]) return labels[String(v)]
  const option = schema.oneOf?.find((o) => o.const === v)
  if (option?.title) return option.title
  if (schema.format === 'date' && typeof v === 'string') return formatDay(v, lang)
  // An amount (an ISEE of 8500.5) as the language writes it, with its cents: 8.500,50 / 8,500.50.
  if (typeof v === 'number' && !Number.isInteger(v)) return formatNumber(v, lang)
  if (typeof v === 'string' && ctx.catalogLabel) {
    const name = ctx.catalogLabel(pointer, v)
    if (name) return name
  }
  return String(v)
}

const isAttachment = (v: unknown) => typeof v === 'object' && v !== null && 'file_id' in v && 'file_name' in v

/** Flattens the declared data into labelled lines, in the schema's order. */
function lines(schema: Schema, data: unknown, ctx: Context, prefix = '', pointer = ''): Array<[string, string]> {
  const resolved = resolve(schema, ctx.defs)
  const out: Array<[string, string]> = []
  if (!resolved.properties || typeof data !== 'object' || data === null) return out
  for (const [key, sub] of Object.entries(resolved.properties)) {
    const v = (data as Record<string, unknown>)[key]
    if (v === undefined) continue
    const subResolved = resolve(sub, ctx.defs)
    const label = `${prefix}${title(subResolved, ctx.lang, key)}`
    const at = `${pointer}/${key}`
    if (Array.isArray(v) && v.some((item) => typeof item === 'object' && item !== null && !isAttachment(item))) {
      v.forEach((item, i) =>
        out.push(...lines(subResolved.items ?? {}, item, ctx, `${label} ${i + 1} › `, `${at}/${i}`))
      )
    } else if (typeof v === 'object' && v !== null && !Array.isArray(v) && !isAttachment(v)) {
      out.push(...lines(subResolved, v, ctx, `${label} › `, at))
    } else {
      out.push([label, value(v, subResolved, ctx, at)])
    }
  }
  return out
}

/**
 * The receipt's fixed headings are printed in both languages on purpose: the same document is read
 * by the citizen and, at the counter or in the protocol, by the office. The applicant's language
 * comes first; the declared data (labels, chosen values, Sì/No) is in that language only.
 */
const TEXT = {
  receipt: { it: 'Ricevuta di presentazione della domanda', en: 'Application receipt' },
  protocol: { it: 'Protocollo', en: 'Protocol' },
  pending: { it: 'in attesa', en: 'pending' },
  number: { it: 'Domanda n.', en: 'Application no.' },
  submittedOn: { it: 'Inviata il', en: 'Submitted on' },
  applicant: { it: 'Richiedente', en: 'Applicant' },
  filedBy: { it: 'Presentata da', en: 'Filed by' },
  declared: { it: 'Dati dichiarati', en: 'Declared data' },
  fee: { it: 'Tariffa stimata', en: 'Estimated fee' },
  feeNote: {
    it: "Calcolata sui dati della domanda alla data indicata; la tariffa definitiva è assegnata dall'ufficio con l'accoglimento della domanda. Il calcolo completo è nell'allegato.",
    en: 'Computed on the data of the application for the date given; the final fee is assigned by the office when the application is accepted. The full calculation is in the annex.',
  },
  feeRules: { it: 'Regole', en: 'Rules' },
  feeAt: { it: 'Calcolata per il', en: 'Computed for' },
  version: { it: 'versione', en: 'version' },
  annex: { it: 'Allegato: come è stata calcolata la tariffa', en: 'Annex: how the fee was computed' },
  keep: {
    it: 'Conservare questa ricevuta. Lo stato della domanda si segue dal portale.',
    en: 'Keep this receipt; follow the application status on the portal.',
  },
}

export async function receiptPdf(input: ReceiptInput): Promise<Uint8Array> {
  return (await receiptDocument(input)).save(input.protocol)
}

/** A receipt drawn once, saved with the protocol it has at the time (none yet, or its number). */
export interface ReceiptDocument {
  save(protocol: ReceiptInput['protocol']): Promise<Uint8Array>
}

const LABEL_WIDTH = 170

/**
 * Draws the receipt but for its protocol number, which each `save` prints in its place: the
 * receipt job files the copy without a number in the protocol and then mails the one with the
 * number, and in the same language the two differ by that value (and the document's subject)
 * only. The row is kept for a value of one line, the case of every number and of "pending"; a
 * value that would wrap is drawn by a whole receipt of its own, so the layout is the one a single
 * drawing gives in every case.
 */
export async function receiptDocument(input: Omit<ReceiptInput, 'protocol'>): Promise<ReceiptDocument> {
  const lang = input.lang ?? 'it'
  const other: Lang = lang === 'it' ? 'en' : 'it'
  const both = (key: keyof typeof TEXT) => `${TEXT[key][lang]} / ${TEXT[key][other]}`
  const protocolValue = (protocol: ReceiptInput['protocol']) =>
    protocol
      ? `n. ${protocol.label}${protocol.date ? ` ${lang === 'en' ? 'of' : 'del'} ${protocol.date}` : ''}`
      : both('pending')
  const sheet = await PdfSheet.create({ title: receiptTitle(input.submissionId, lang), subject: '', lang })
  const at = drawReceipt(sheet, input, lang, both, 1)
  return {
    async save(protocol) {
      const rows = wrap(protocolValue(protocol), sheet.regular, 10, sheet.width - LABEL_WIDTH)
      if (rows.length !== 1) {
        const alone = await PdfSheet.create({ title: receiptTitle(input.submissionId, lang), subject: '', lang })
        const place = drawReceipt(alone, input, lang, both, rows.length)
        alone.overlay(place.page, () =>
          rows.forEach((row, i) => alone.draw(row, { x: place.x, y: place.y - 14 * i, size: 10, font: alone.regular }))
        )
        alone.doc.setSubject(receiptSubject(protocol, lang))
        return alone.save()
      }
      sheet.overlay(at.page, () => sheet.draw(rows[0], { x: at.x, y: at.y, size: 10, font: sheet.regular }))
      sheet.doc.setSubject(receiptSubject(protocol, lang))
      return sheet.save()
    },
  }
}

function receiptTitle(submissionId: number, lang: Lang) {
  return lang === 'en' ? `Application receipt no. ${submissionId}` : `Ricevuta domanda n. ${submissionId}`
}

function receiptSubject(protocol: ReceiptInput['protocol'], lang: Lang) {
  return protocol
    ? `${TEXT.protocol[lang]} ${protocol.label}`
    : lang === 'en'
      ? 'Application not yet registered'
      : 'Domanda non ancora protocollata'
}

/**
 * Everything a receipt prints but the protocol's value, for which `protocolRows` rows are left
 * where `pairs` would draw them; answers where its first row goes.
 */
function drawReceipt(
  sheet: PdfSheet,
  input: Omit<ReceiptInput, 'protocol'>,
  lang: Lang,
  both: (key: keyof typeof TEXT) => string,
  protocolRows: number
): { page: PDFPage; x: number; y: number } {
  sheet.heading(input.tenantName)
  sheet.text(both('receipt'), { font: sheet.bold, size: 12 })
  sheet.text(input.formTitle, { size: 12 })
  sheet.y -= 8
  // The protocol's label as `pairs` draws it, and the room its value takes.
  sheet.ensure(14 * protocolRows)
  sheet.draw(safe(both('protocol')), { x: MARGIN, y: sheet.y - 10, size: 10, font: sheet.bold })
  const protocolAt = { page: sheet.page, x: MARGIN + LABEL_WIDTH, y: sheet.y - 10 }
  sheet.y -= 14 * protocolRows + 2
  const facts: Array<[string, string]> = [
    [both('number'), String(input.submissionId)],
    [both('submittedOn'), input.submittedAt],
    [
      both('applicant'),
      `${input.applicant.name}${input.applicant.fiscalCode ? ` (${input.applicant.fiscalCode})` : ''}`,
    ],
  ]
  if (input.onBehalfOf) {
    const onBehalf = lang === 'en' ? "on the applicant's behalf" : 'per conto del richiedente'
    facts.push([both('filedBy'), `${input.onBehalfOf} (${onBehalf})`])
  }
  sheet.pairs(facts, LABEL_WIDTH)
  // The fee first: with the protocol number, it is what the family looks for.
  if (input.fee) feeSection(sheet, input.fee, lang, both)
  sheet.rule()
  sheet.text(both('declared'), { font: sheet.bold, size: 11 })
  const defs = ((input.schema.$defs ?? {}) as Record<string, Schema>) ?? {}
  const ctx: Context = { lang, defs, catalogLabel: input.catalogLabel }
  for (const [label, v] of lines(input.schema as Schema, input.data, ctx)) {
    sheet.text(`${label}: ${v}`, { size: 9, x: 6 })
  }
  sheet.y -= 10
  sheet.text(both('keep'), { size: 8, color: GREY })
  if (input.fee) feeAnnex(sheet, input.fee, lang, both)
  return protocolAt
}

/** The fee in the family's words: amount with its unit, band, reasons. */
function feeSection(sheet: PdfSheet, fee: ReceiptFee, lang: Lang, both: (key: keyof typeof TEXT) => string) {
  sheet.rule()
  sheet.text(both('fee'), { font: sheet.bold, size: 11 })
  sheet.text(summaryHead(fee.summary, lang), { font: sheet.bold, size: 11, color: BLUE, x: 6 })
  for (const reason of fee.summary.reasons) sheet.text(`• ${reason}`, { size: 9, x: 12 })
  sheet.y -= 4
  sheet.pairs(
    [
      [TEXT.feeRules[lang], `${fee.rulesetTitle}, ${TEXT.version[lang]} ${fee.version}`],
      [TEXT.feeAt[lang], fee.at],
    ],
    130
  )
  sheet.text(TEXT.feeNote[lang], { size: 8, color: GREY })
}

/** The operator's full trace, on its own page: what each step did and the article it comes from. */
function feeAnnex(sheet: PdfSheet, fee: ReceiptFee, lang: Lang, both: (key: keyof typeof TEXT) => string) {
  sheet.newPage()
  sheet.text(both('annex'), { font: sheet.bold, size: 12 })
  sheet.text(`${fee.rulesetTitle}, ${TEXT.version[lang]} ${fee.version} — ${TEXT.feeAt[lang]} ${fee.at}`, {
    size: 9,
    color: GREY,
  })
  sheet.y -= 6
  fee.trace.forEach((entry, i) => {
    const message = lang === 'en' ? (entry.message_en ?? entry.message) : entry.message
    sheet.ensure(14)
    sheet.draw(`${i + 1}.`, { x: MARGIN + 6, y: sheet.y - 9, size: 9, font: sheet.bold, color: BLUE })
    sheet.text(printable(message), { size: 9, x: 24 })
    if (entry.source) sheet.text(printable(entry.source), { size: 8, x: 24, color: GREY })
    sheet.y -= 4
  })
}
