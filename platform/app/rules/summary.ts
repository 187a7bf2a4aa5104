/**
 * The fee in plain words for a family, in their language: the band, why (resident or not, the ISEE
 * band, reductions for siblings, disability, foster care), the amount and what it is for ("3,43 € a
 * pasto"). The operator's trace stays what it is, for staff and for the PDF's annex.
 *
 * All wording about the rules is data in the rule set (DESIGN.md: the law is data): the words of a
 * band in each language are the `x-i18n` labels of its output, and each reason is the `explain`
 * text of the rule that fired. This file only puts them together, and formats numbers the way the
 * reader's language writes them.
 *
 * It works from what an evaluation leaves behind (facts, outputs, units, trace), so a stored
 * evaluation (an enrolment's tariff) is summarised again, in the reader's language, when read.
 */
import { Dec, toDecimal } from './decimal.js'
import { isUnit, unitsOf } from './units.js'
import type { LocalizedText, ResultValue, RuleSetVersion, TraceEntry, Unit } from './types.js'

export type SummaryLang = 'it' | 'en'

export interface FeeSummary {
  /** The band as the family reads it ("Ridotta" / "Reduced"); null when the rule set has none. */
  band: string | null
  /** Why, one plain sentence per rule that mattered, in the order they applied. */
  reasons: string[]
  /** The amount in euro as a decimal string ("3.43"), as the rule set gave it; `text` writes it the reader's way. */
  amount: string | null
  unit: Unit | null
  exempt: boolean
  /** Everything above in one short paragraph. */
  text: string
}

export interface SummaryInput {
  facts: Record<string, unknown> | null
  result: Record<string, ResultValue>
  trace: TraceEntry[]
  /** Computed from the version when not given (stored evaluations predate units). */
  units?: Record<string, Unit>
}

const UNIT_WORDS: Record<Unit, Record<SummaryLang, string>> = {
  meal: { it: 'a pasto', en: 'per meal' },
  day: { it: 'al giorno', en: 'per day' },
  week: { it: 'a settimana', en: 'per week' },
  month: { it: 'al mese', en: 'per month' },
  year: { it: "all'anno", en: 'per year' },
  once: { it: 'una tantum', en: 'one-off' },
}

/** "3,43 € a pasto" / "€3.43 per meal": the words after an amount for each unit. */
export function unitWords(unit: Unit, lang: SummaryLang): string {
  return UNIT_WORDS[unit][lang]
}

const TEXT = {
  exempt: { it: 'Esente: nessuna tariffa da pagare.', en: 'Exempt: no fee to pay.' },
  none: { it: 'Tariffa non determinata.', en: 'Fee not determined.' },
  fee: {
    it: (amount: string, band: string | null) => `Tariffa: ${amount}${band ? `, fascia ${band}` : ''}.`,
    en: (amount: string, band: string | null) => `Fee: ${amount}${band ? `, ${band} band` : ''}.`,
  },
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A number with two decimals, grouped as the language writes it: 12.000,50 / 12,000.50. */
export function formatNumber(value: unknown, lang: SummaryLang, decimals = 2): string {
  const d = toDecimal(value)
  if (!d) return String(value)
  const [int, frac] = d.toFixed(decimals, Dec.ROUND_HALF_UP).split('.')
  const negative = int.startsWith('-')
  const digits = negative ? int.slice(1) : int
  const [group, point] = lang === 'it' ? ['.', ','] : [',', '.']
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, group)
  return `${negative ? '-' : ''}${grouped}${frac === undefined ? '' : `${point}${frac}`}`
}

/** An amount in euro the way the language writes it: "3,43 €" / "€3.43". */
export function formatMoney(value: unknown, lang: SummaryLang): string {
  const number = formatNumber(value, lang)
  return lang === 'it' ? `${number} €` : `€${number}`
}

function formatValue(value: unknown, filter: string | undefined, lang: SummaryLang): string {
  if (value === undefined || value === null) return '—'
  if (filter === 'money') return formatMoney(value, lang)
  if (filter === 'eur') return formatNumber(value, lang)
  if (filter === 'pct') {
    const d = toDecimal(value)
    return d ? `${formatNumber(d.times(100), lang).replace(/[.,]00$/, '')}%` : String(value)
  }
  if (typeof value === 'boolean') return lang === 'it' ? (value ? 'sì' : 'no') : value ? 'yes' : 'no'
  return String(value)
}

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)(?:\|([a-z]+))?\}/g
const FILTERS = new Set(['money', 'eur', 'pct'])

function render(template: string, scope: Record<string, unknown>, lang: SummaryLang): string {
  return template.replace(PLACEHOLDER, (_all, name: string, filter: string | undefined) =>
    formatValue(Object.hasOwn(scope, name) ? scope[name] : undefined, filter, lang)
  )
}

/** Which outputs hold the amount, the band and the exemption (SummaryRoles, with their defaults). */
function roles(version: RuleSetVersion) {
  const outputs = isObject(version.outputs) ? version.outputs : {}
  const pick = (given: string | undefined, fallback: string, type: string) => {
    if (given !== undefined) return given
    return outputs[fallback]?.type === type ? fallback : null
  }
  const declared = version.summary ?? {}
  return {
    amount: pick(declared.amount, 'amount', 'money'),
    band: pick(declared.band, 'band', 'text'),
    exempt: pick(declared.exempt, 'exempt', 'boolean'),
  }
}

/** The words for a text output's value: its `x-i18n` label in `lang`, else Italian, else the value capitalised. */
export function outputLabel(version: RuleSetVersion, output: string, value: unknown, lang: SummaryLang): string | null {
  if (typeof value !== 'string' || value === '') return null
  const labels = version.outputs?.[output]?.['x-i18n']
  for (const l of [lang, 'it']) {
    const label = labels?.[l]?.enum?.[value]
    if (typeof label === 'string') return label
  }
  const words = value.replaceAll('_', ' ')
  return words.charAt(0).toUpperCase() + words.slice(1)
}

/** explain texts by step id and rule (a step with `value` has no rule: its key ends empty). */
function explanations(version: RuleSetVersion): Map<string, LocalizedText> {
  const out = new Map<string, LocalizedText>()
  for (const step of version.steps ?? []) {
    if (step?.explain) out.set(`${step.id}\u0000`, step.explain)
    for (const c of step?.cases ?? []) if (c?.explain) out.set(`${step.id}\u0000${c.rule}`, c.explain)
  }
  return out
}

function sentence(text: string): string {
  const trimmed = text.trim()
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`
}

/** The family's summary of an evaluation of `version`, in `lang`. */
export function summarise(version: RuleSetVersion, input: SummaryInput, lang: SummaryLang): FeeSummary {
  const role = roles(version)
  const result = input.result ?? {}
  const units = input.units ?? unitsOf(version, result)
  // What the explain texts may name: the facts, every variable the steps set, the outputs.
  const scope: Record<string, unknown> = { ...(input.facts ?? {}) }
  for (const entry of input.trace ?? []) {
    if (entry.set && (entry.kind === 'rule' || entry.kind === 'value' || entry.kind === 'round')) {
      scope[entry.set] = entry.value
    }
  }
  Object.assign(scope, result)

  const explain = explanations(version)
  const reasons: string[] = []
  for (const entry of input.trace ?? []) {
    if (entry.kind !== 'rule' && entry.kind !== 'value') continue
    const text = explain.get(`${entry.step}\u0000${entry.rule ?? ''}`)
    if (!text) continue
    const reason = sentence(render(text[lang] ?? text.it, scope, lang))
    if (!reasons.includes(reason)) reasons.push(reason)
  }

  const exempt = role.exempt !== null && result[role.exempt] === true
  const raw = role.amount !== null ? result[role.amount] : null
  const amount = raw === null || raw === undefined ? null : String(raw)
  const unit = role.amount !== null && isUnit(units[role.amount]) ? units[role.amount] : null
  const band = role.band !== null ? outputLabel(version, role.band, result[role.band], lang) : null

  const head = summaryHead({ band, amount, unit, exempt }, lang)
  return { band, reasons, amount, unit, exempt, text: [head, ...reasons].join(' ') }
}

/** The first sentence of a summary: the amount with its unit and the band, or the exemption. */
export function summaryHead(summary: Pick<FeeSummary, 'band' | 'amount' | 'unit' | 'exempt'>, lang: SummaryLang) {
  if (summary.exempt) return TEXT.exempt[lang]
  if (summary.amount === null) return TEXT.none[lang]
  const money = formatMoney(summary.amount, lang)
  const amount = summary.unit ? `${money} ${unitWords(summary.unit, lang)}` : money
  return TEXT.fee[lang](amount, summary.band)
}

/** What is wrong with a version's summary data, for validateRuleSetDocument. */
export function summaryProblems(version: RuleSetVersion, label: string): string[] {
  const problems: string[] = []
  const outputs = isObject(version.outputs) ? version.outputs : {}
  const checkText = (text: unknown, where: string) => {
    if (text === undefined) return
    if (!isObject(text) || typeof text.it !== 'string' || typeof text.en !== 'string') {
      problems.push(`${label}: ${where}: "explain" deve avere il testo in italiano ("it") e in inglese ("en").`)
      return
    }
    for (const t of [text.it, text.en]) {
      for (const m of t.matchAll(PLACEHOLDER)) {
        if (m[2] !== undefined && !FILTERS.has(m[2])) {
          problems.push(`${label}: ${where}: "{${m[1]}|${m[2]}}": formati ammessi money, eur, pct.`)
        }
      }
    }
  }
  for (const step of Array.isArray(version.steps) ? version.steps : []) {
    checkText(step?.explain, `step "${step?.id}"`)
    for (const c of Array.isArray(step?.cases) ? step.cases : []) {
      checkText(c?.explain, `step "${step?.id}", regola "${c?.rule}"`)
    }
  }
  for (const [name, output] of Object.entries(outputs)) {
    const labels = isObject(output) ? output['x-i18n'] : undefined
    if (labels === undefined) continue
    const ok =
      isObject(labels) &&
      Object.values(labels).every(
        (block) =>
          isObject(block) &&
          (block.enum === undefined ||
            (isObject(block.enum) && Object.values(block.enum).every((v) => typeof v === 'string')))
      )
    if (!ok)
      problems.push(
        `${label}: output "${name}": "x-i18n" deve essere { "<lingua>": { "enum": { "<valore>": "<testo>" } } }.`
      )
  }
  const declared = isObject(version.summary) ? version.summary : {}
  const types: Record<string, string> = { amount: 'money', band: 'text', exempt: 'boolean' }
  for (const [role, name] of Object.entries(declared)) {
    if (!(role in types)) {
      problems.push(`${label}: "summary.${role}" sconosciuto: sono ammessi amount, band, exempt.`)
    } else if (typeof name !== 'string' || !isObject(outputs[name]) || outputs[name].type !== types[role]) {
      problems.push(`${label}: "summary.${role}" deve nominare un output di tipo ${types[role]}.`)
    }
  }
  return problems
}
