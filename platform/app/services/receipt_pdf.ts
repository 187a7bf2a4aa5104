import { GREY, PdfSheet } from '#services/pdf_sheet'

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

/**
 * What the citizen chose, as the form showed it: the label of an enum value (`x-i18n.<lang>.enum`,
 * or `oneOf` const + title), Sì/No for booleans, the file name for an attachment reference.
 */
function value(v: unknown, schema: Schema, lang: Lang, defs: Record<string, Schema>): string {
  if (v === true) return lang === 'en' ? 'Yes' : 'Sì'
  if (v === false) return 'No'
  if (v === null || v === undefined || v === '') return '—'
  if (Array.isArray(v)) {
    if (v.length === 0) return '—'
    const items = resolve(schema.items ?? {}, defs)
    return v.map((item) => value(item, items, lang, defs)).join('; ')
  }
  if (typeof v === 'object') {
    const file = v as { file_name?: unknown }
    return typeof file.file_name === 'string' ? file.file_name : ''
  }
  const labels = schema['x-i18n']?.[lang]?.enum ?? schema['x-i18n']?.it?.enum
  if (Array.isArray(schema.enum) && labels?.[String(v)]) return labels[String(v)]
  const option = schema.oneOf?.find((o) => o.const === v)
  if (option?.title) return option.title
  return String(v)
}

const isAttachment = (v: unknown) => typeof v === 'object' && v !== null && 'file_id' in v && 'file_name' in v

/** Flattens the declared data into labelled lines, in the schema's order. */
function lines(
  schema: Schema,
  data: unknown,
  defs: Record<string, Schema>,
  lang: Lang,
  prefix = ''
): Array<[string, string]> {
  const resolved = resolve(schema, defs)
  const out: Array<[string, string]> = []
  if (!resolved.properties || typeof data !== 'object' || data === null) return out
  for (const [key, sub] of Object.entries(resolved.properties)) {
    const v = (data as Record<string, unknown>)[key]
    if (v === undefined) continue
    const subResolved = resolve(sub, defs)
    const label = `${prefix}${title(subResolved, lang, key)}`
    if (Array.isArray(v) && v.some((item) => typeof item === 'object' && item !== null && !isAttachment(item))) {
      v.forEach((item, i) => out.push(...lines(subResolved.items ?? {}, item, defs, lang, `${label} ${i + 1} › `)))
    } else if (typeof v === 'object' && v !== null && !Array.isArray(v) && !isAttachment(v)) {
      out.push(...lines(subResolved, v, defs, lang, `${label} › `))
    } else {
      out.push([label, value(v, subResolved, lang, defs)])
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
  keep: {
    it: 'Conservare questa ricevuta. Lo stato della domanda si segue dal portale.',
    en: 'Keep this receipt; follow the application status on the portal.',
  },
}

export async function receiptPdf(input: ReceiptInput): Promise<Uint8Array> {
  const lang = input.lang ?? 'it'
  const other: Lang = lang === 'it' ? 'en' : 'it'
  const both = (key: keyof typeof TEXT) => `${TEXT[key][lang]} / ${TEXT[key][other]}`
  const sheet = await PdfSheet.create({
    title:
      lang === 'en' ? `Application receipt no. ${input.submissionId}` : `Ricevuta domanda n. ${input.submissionId}`,
    subject: input.protocol
      ? `${TEXT.protocol[lang]} ${input.protocol.label}`
      : lang === 'en'
        ? 'Application not yet registered'
        : 'Domanda non ancora protocollata',
    lang,
  })
  sheet.heading(input.tenantName)
  sheet.text(both('receipt'), { font: sheet.bold, size: 12 })
  sheet.text(input.formTitle, { size: 12 })
  sheet.y -= 8
  const facts: Array<[string, string]> = [
    [
      both('protocol'),
      input.protocol
        ? `n. ${input.protocol.label}${input.protocol.date ? ` ${lang === 'en' ? 'of' : 'del'} ${input.protocol.date}` : ''}`
        : both('pending'),
    ],
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
  sheet.pairs(facts, 170)
  sheet.rule()
  sheet.text(both('declared'), { font: sheet.bold, size: 11 })
  const defs = ((input.schema.$defs ?? {}) as Record<string, Schema>) ?? {}
  for (const [label, v] of lines(input.schema as Schema, input.data, defs, lang)) {
    sheet.text(`${label}: ${v}`, { size: 9, x: 6 })
  }
  sheet.y -= 10
  sheet.text(both('keep'), { size: 8, color: GREY })
  return sheet.save()
}
