import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from 'pdf-lib'
import { formatEur } from '#rules/decimal'
import type { EvaluationResult } from '#rules/types'
import { safe, wrap } from '#services/receipt_pdf'

/**
 * The live tariff of a form as a PDF the citizen keeps: the amount the rules engine computed on the
 * data entered so far, its band, and the engine's own explanation (band, table cell, formula) with
 * the article of Allegato D each step comes from. Same page, fonts and colours as the receipt.
 */
export interface TariffPdfInput {
  lang: 'it' | 'en'
  tenantName: string
  formTitle: string
  rulesetTitle: string
  /** The date the tariff was computed for, dd/MM/yyyy. */
  at: string
  evaluation: EvaluationResult
}

const A4: [number, number] = [595.28, 841.89]
const MARGIN = 50

const TEXT = {
  title: { it: 'Stima della tariffa', en: 'Fee estimate' },
  amount: { it: 'Tariffa', en: 'Fee' },
  band: { it: 'Fascia', en: 'Band' },
  exempt: { it: 'Esenzione', en: 'Exemption' },
  yes: { it: 'Sì, esente', en: 'Yes, exempt' },
  no: { it: 'No', en: 'No' },
  computedOn: { it: 'Calcolata il', en: 'Computed on' },
  rules: { it: 'Regole applicate', en: 'Rules applied' },
  how: { it: 'Come è stata calcolata', en: 'How it was computed' },
  version: { it: 'versione', en: 'version' },
  note: {
    it: "Stima calcolata sui dati inseriti nel modulo, non ancora inviato. La tariffa definitiva è assegnata dall'ufficio dopo l'istruttoria della domanda.",
    en: 'Estimate computed on the data entered in the form, not yet submitted. The final fee is assigned by the office once the application has been examined.',
  },
}

/** "3,43 €": the Italian way, whatever the language, as in the tariff tables of the call. */
export function euro(amount: unknown): string {
  return `${formatEur(amount)} €`
}

/** The trace's arrows are outside Helvetica's WinAnsi: drawn as "»" rather than as "?". */
export function printable(message: string) {
  return message.replaceAll('→', '»').replaceAll('≤', '<=').replaceAll('≥', '>=')
}

function bandLabel(band: string) {
  const words = band.replaceAll('_', ' ')
  return words.charAt(0).toUpperCase() + words.slice(1)
}

export async function tariffPdf(input: TariffPdfInput): Promise<Uint8Array> {
  const { lang, evaluation } = input
  const t = (key: keyof typeof TEXT) => TEXT[key][lang]
  const pdf = await PDFDocument.create()
  pdf.setTitle(`${t('title')} – ${input.formTitle}`)
  pdf.setSubject(input.rulesetTitle)
  pdf.setProducer('Sportello')
  pdf.setCreator('Sportello')
  pdf.setLanguage(lang === 'it' ? 'it-IT' : 'en-GB')
  const regular = await pdf.embedFont(StandardFonts.Helvetica)
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold)
  const blue = rgb(0, 0.4, 0.8)
  const grey = rgb(0.35, 0.35, 0.35)
  const pale = rgb(0.9, 0.94, 0.98)
  let page: PDFPage = pdf.addPage(A4)
  let y = A4[1] - MARGIN
  const width = A4[0] - 2 * MARGIN

  const ensure = (height: number) => {
    if (y - height < MARGIN) {
      page = pdf.addPage(A4)
      y = A4[1] - MARGIN
    }
  }
  const text = (
    s: string,
    opts: { font?: PDFFont; size?: number; color?: ReturnType<typeof rgb>; x?: number } = {}
  ) => {
    const size = opts.size ?? 10
    const font = opts.font ?? regular
    for (const row of wrap(s, font, size, width - (opts.x ?? 0))) {
      ensure(size + 4)
      page.drawText(row, { x: MARGIN + (opts.x ?? 0), y: y - size, size, font, color: opts.color })
      y -= size + 4
    }
  }

  page.drawRectangle({ x: 0, y: A4[1] - 8, width: A4[0], height: 8, color: blue })
  text(input.tenantName, { font: bold, size: 16, color: blue })
  y -= 4
  text(`${t('title')} / ${lang === 'it' ? TEXT.title.en : TEXT.title.it}`, { font: bold, size: 12 })
  text(input.formTitle, { size: 12 })
  y -= 12

  // The amount in a box, as the portal shows it next to the form.
  const result = evaluation.result
  const boxHeight = 58
  ensure(boxHeight + 8)
  page.drawRectangle({ x: MARGIN, y: y - boxHeight, width, height: boxHeight, color: pale })
  page.drawText(safe(t('amount')), { x: MARGIN + 12, y: y - 20, size: 10, font: bold, color: grey })
  page.drawText(safe(euro(result.amount)), { x: MARGIN + 12, y: y - 46, size: 24, font: bold, color: blue })
  const right = MARGIN + width / 2
  if (typeof result.band === 'string' && result.band) {
    page.drawText(safe(t('band')), { x: right, y: y - 20, size: 10, font: bold, color: grey })
    page.drawText(safe(bandLabel(result.band)), { x: right, y: y - 40, size: 14, font: bold })
  }
  y -= boxHeight + 14

  const facts: Array<[string, string]> = []
  if (typeof result.exempt === 'boolean') facts.push([t('exempt'), result.exempt ? t('yes') : t('no')])
  facts.push([t('rules'), `${input.rulesetTitle}, ${t('version')} ${evaluation.version}`])
  facts.push([t('computedOn'), input.at])
  for (const [k, v] of facts) {
    const rows = wrap(v, regular, 10, width - 130)
    ensure(14 * rows.length)
    page.drawText(safe(k), { x: MARGIN, y: y - 10, size: 10, font: bold })
    for (const row of rows) {
      page.drawText(row, { x: MARGIN + 130, y: y - 10, size: 10, font: regular })
      y -= 14
    }
    y -= 2
  }
  y -= 6
  page.drawLine({ start: { x: MARGIN, y }, end: { x: A4[0] - MARGIN, y }, thickness: 0.5, color: grey })
  y -= 12

  text(t('how'), { font: bold, size: 11 })
  y -= 2
  evaluation.trace.forEach((entry, i) => {
    const message = lang === 'en' ? (entry.message_en ?? entry.message) : entry.message
    const number = `${i + 1}.`
    ensure(14)
    page.drawText(number, { x: MARGIN + 6, y: y - 9, size: 9, font: bold, color: blue })
    text(printable(message), { size: 9, x: 24 })
    if (entry.source) text(printable(entry.source), { size: 8, x: 24, color: grey })
    y -= 4
  })
  y -= 8
  text(t('note'), { size: 8, color: grey })
  return pdf.save()
}
