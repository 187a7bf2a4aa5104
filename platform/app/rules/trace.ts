/**
 * Helpers for the trace: the explanation of a result that a back-office operator reads
 * ("ISEE 12.000,00 oltre 9.000,00 → fascia Intera"; "Tabella mensa, riga intera, colonna
 * 2_figli → 5,12").
 */
import { formatEur } from './decimal.js'
import type { LocalizedText, TraceEntry } from './types.js'

/** A template reads values through `read(name)`, from whatever holds them (the engine's slots). */
export type Template<S = Record<string, unknown>> = (scope: S) => string
export type ValueReader<S> = (name: string) => (scope: S) => unknown

const byName: ValueReader<Record<string, unknown>> = (name) => (scope) =>
  Object.prototype.hasOwnProperty.call(scope, name) ? scope[name] : undefined

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
export function compileTemplate<S = Record<string, unknown>>(
  text: string,
  read: ValueReader<S> = byName as ValueReader<S>
): Template<S> {
  const parts = text.split(/(\{[A-Za-z_][A-Za-z0-9_]*(?:\|[a-z]+)?\})/)
  if (parts.length === 1) return () => text
  const pieces = parts.map((part) => {
    const m = /^\{([A-Za-z_][A-Za-z0-9_]*)(?:\|([a-z]+))?\}$/.exec(part)
    if (!m) return () => part
    const [, name, filter] = m
    const value = read(name)
    return (scope: S) => formatValue(value(scope), filter)
  })
  return (scope) => pieces.map((piece) => piece(scope)).join('')
}

export interface LocalizedTemplate<S = Record<string, unknown>> {
  it: Template<S>
  en: Template<S>
}

export function compileLocalized<S = Record<string, unknown>>(
  text: LocalizedText | undefined,
  read?: ValueReader<S>
): LocalizedTemplate<S> | null {
  if (!text) return null
  return { it: compileTemplate(text.it, read), en: compileTemplate(text.en ?? text.it, read) }
}

export { formatEur }

/** Renders a trace as lines of text, for the CLI and logs. */
export function traceToText(trace: TraceEntry[]): string {
  return trace.map((entry) => `[${entry.step}] ${entry.message}${entry.source ? `  (${entry.source})` : ''}`).join('\n')
}
