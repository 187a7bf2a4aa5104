/**
 * Helpers for the trace: the explanation of a result that a back-office operator reads
 * ("ISEE 12.000,00 oltre 9.000,00 → fascia Intera"; "Tabella refezione, riga intera, colonna
 * 2_figli → 5,12").
 */
import { formatEur } from './decimal.js'
import type { LocalizedText, TraceEntry } from './types.js'

export type Template = (scope: Record<string, unknown>) => string

function formatValue(value: unknown, filter: string | undefined): string {
  if (value === undefined || value === null) return '—'
  if (filter === 'eur') return formatEur(value)
  if (filter === 'pct') {
    const n = Number(value)
    return Number.isFinite(n) ? `${(n * 100).toLocaleString('it-IT', { maximumFractionDigits: 2 })} %` : String(value)
  }
  if (typeof value === 'boolean') return value ? 'sì' : 'no'
  return String(value)
}

/**
 * Compiles a message template once: `{name}` is replaced by the value in scope, `{name|eur}`
 * formats it as an amount in euro, `{name|pct}` as a percentage.
 */
export function compileTemplate(text: string): Template {
  const parts = text.split(/(\{[A-Za-z_][A-Za-z0-9_]*(?:\|[a-z]+)?\})/)
  if (parts.length === 1) return () => text
  const pieces = parts.map((part) => {
    const m = /^\{([A-Za-z_][A-Za-z0-9_]*)(?:\|([a-z]+))?\}$/.exec(part)
    if (!m) return () => part
    const [, name, filter] = m
    return (scope: Record<string, unknown>) =>
      formatValue(Object.prototype.hasOwnProperty.call(scope, name) ? scope[name] : undefined, filter)
  })
  return (scope) => pieces.map((piece) => piece(scope)).join('')
}

export interface LocalizedTemplate {
  it: Template
  en: Template
}

export function compileLocalized(text: LocalizedText | undefined): LocalizedTemplate | null {
  if (!text) return null
  return { it: compileTemplate(text.it), en: compileTemplate(text.en ?? text.it) }
}

export { formatEur }

/** Renders a trace as lines of text, for the CLI and logs. */
export function traceToText(trace: TraceEntry[]): string {
  return trace.map((entry) => `[${entry.step}] ${entry.message}${entry.source ? `  (${entry.source})` : ''}`).join('\n')
}
