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

export async function receiptPdf(input: ReceiptInput): Promise<Uint8Array> {
  const sheet = await PdfSheet.create({
    title: `Ricevuta domanda n. ${input.submissionId}`,
    subject: input.protocol ? `Protocollo ${input.protocol.label}` : 'Domanda non ancora protocollata',
  })
  sheet.heading(input.tenantName)
  sheet.text('Ricevuta di presentazione della domanda / Application receipt', { font: sheet.bold, size: 12 })
  sheet.text(input.formTitle, { size: 12 })
  sheet.y -= 8
  const facts: Array<[string, string]> = [
    [
      'Protocollo / Protocol',
      input.protocol
        ? `n. ${input.protocol.label}${input.protocol.date ? ` del ${input.protocol.date}` : ''}`
        : 'in attesa / pending',
    ],
    ['Domanda n. / Application no.', String(input.submissionId)],
    ['Inviata il / Submitted on', input.submittedAt],
    [
      'Richiedente / Applicant',
      `${input.applicant.name}${input.applicant.fiscalCode ? ` (${input.applicant.fiscalCode})` : ''}`,
    ],
  ]
  if (input.onBehalfOf) facts.push(['Presentata da / Filed by', `${input.onBehalfOf} (per conto del richiedente)`])
  sheet.pairs(facts, 170)
  sheet.rule()
  sheet.text('Dati dichiarati / Declared data', { font: sheet.bold, size: 11 })
  const defs = ((input.schema.$defs ?? {}) as Record<string, Schema>) ?? {}
  for (const [label, v] of lines(input.schema as Schema, input.data, defs, input.lang ?? 'it')) {
    sheet.text(`${label}: ${v}`, { size: 9, x: 6 })
  }
  sheet.y -= 10
  sheet.text(
    'Conservare questa ricevuta. Lo stato della domanda si segue dal portale. / Keep this receipt; follow the application status on the portal.',
    { size: 8, color: GREY }
  )
  return sheet.save()
}
