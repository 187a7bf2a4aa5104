import { rgb } from 'pdf-lib'
import { formatMoney, unitWords, type FeeSummary } from '#rules/summary'
import type { EvaluationResult } from '#rules/types'
import { BLUE, GREY, MARGIN, PdfSheet, safe } from '#services/infrastructure/pdf_sheet'

/**
 * The live tariff of a form as a PDF the citizen keeps: the amount the rules engine computed on the
 * data entered so far with its unit ("a pasto", "al mese"), its band and why in plain words (the
 * family summary), then, as an annex, the engine's own explanation (band, table cell, formula) with
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
  /** The family's summary of the evaluation, in `lang`. */
  summary: FeeSummary
}

const TEXT = {
  title: { it: 'Stima della tariffa', en: 'Fee estimate' },
  amount: { it: 'Tariffa', en: 'Fee' },
  band: { it: 'Fascia', en: 'Band' },
  exempt: { it: 'Esenzione', en: 'Exemption' },
  yes: { it: 'Sì, esente', en: 'Yes, exempt' },
  no: { it: 'No', en: 'No' },
  computedOn: { it: 'Calcolata il', en: 'Computed on' },
  rules: { it: 'Regole applicate', en: 'Rules applied' },
  why: { it: 'Perché questa tariffa', en: 'Why this fee' },
  how: { it: 'Allegato: come è stata calcolata, passo per passo', en: 'Annex: how it was computed, step by step' },
  version: { it: 'versione', en: 'version' },
  note: {
    it: "Stima calcolata sui dati inseriti nel modulo, non ancora inviato. La tariffa definitiva è assegnata dall'ufficio dopo l'istruttoria della domanda.",
    en: 'Estimate computed on the data entered in the form, not yet submitted. The final fee is assigned by the office once the application has been examined.',
  },
}

/** The trace's arrows are outside Helvetica's WinAnsi: drawn as "»" rather than as "?". */
export function printable(message: string) {
  return message.replaceAll('→', '»').replaceAll('≤', '<=').replaceAll('≥', '>=')
}

export async function tariffPdf(input: TariffPdfInput): Promise<Uint8Array> {
  const { lang, evaluation } = input
  const t = (key: keyof typeof TEXT) => TEXT[key][lang]
  const sheet = await PdfSheet.create({
    title: `${t('title')} – ${input.formTitle}`,
    subject: input.rulesetTitle,
    lang,
  })
  const { bold, width } = sheet
  sheet.heading(input.tenantName)
  sheet.text(`${t('title')} / ${lang === 'it' ? TEXT.title.en : TEXT.title.it}`, { font: bold, size: 12 })
  sheet.text(input.formTitle, { size: 12 })
  sheet.y -= 12

  // The amount in a box, with its unit, as the portal shows it next to the form.
  const { summary } = input
  const boxHeight = 58
  sheet.ensure(boxHeight + 8)
  const { page, y } = sheet
  page.drawRectangle({ x: MARGIN, y: y - boxHeight, width, height: boxHeight, color: rgb(0.9, 0.94, 0.98) })
  page.drawText(safe(t('amount')), { x: MARGIN + 12, y: y - 20, size: 10, font: bold, color: GREY })
  const amount = safe(formatMoney(summary.amount ?? evaluation.result.amount, lang))
  page.drawText(amount, { x: MARGIN + 12, y: y - 46, size: 24, font: bold, color: BLUE })
  if (summary.unit) {
    const after = MARGIN + 12 + bold.widthOfTextAtSize(amount, 24) + 6
    page.drawText(safe(unitWords(summary.unit, lang)), { x: after, y: y - 46, size: 12, font: bold, color: BLUE })
  }
  const right = MARGIN + width / 2 + 40
  if (summary.band) {
    page.drawText(safe(t('band')), { x: right, y: y - 20, size: 10, font: bold, color: GREY })
    page.drawText(safe(summary.band), { x: right, y: y - 40, size: 14, font: bold })
  }
  sheet.y -= boxHeight + 14

  const facts: Array<[string, string]> = []
  facts.push([t('exempt'), summary.exempt ? t('yes') : t('no')])
  facts.push([t('rules'), `${input.rulesetTitle}, ${t('version')} ${evaluation.version}`])
  facts.push([t('computedOn'), input.at])
  sheet.pairs(facts, 130)
  if (summary.reasons.length > 0) {
    sheet.y -= 4
    sheet.text(t('why'), { font: bold, size: 11 })
    for (const reason of summary.reasons) sheet.text(`• ${reason}`, { size: 10, x: 6 })
  }
  sheet.rule()

  sheet.text(t('how'), { font: bold, size: 11 })
  sheet.y -= 2
  evaluation.trace.forEach((entry, i) => {
    const message = lang === 'en' ? (entry.message_en ?? entry.message) : entry.message
    sheet.ensure(14)
    sheet.draw(`${i + 1}.`, { x: MARGIN + 6, y: sheet.y - 9, size: 9, font: bold, color: BLUE })
    sheet.text(printable(message), { size: 9, x: 24 })
    if (entry.source) sheet.text(printable(entry.source), { size: 8, x: 24, color: GREY })
    sheet.y -= 4
  })
  sheet.y -= 8
  sheet.text(t('note'), { size: 8, color: GREY })
  return sheet.save()
}
