/*
 * Readers of the fields the platform's shared form definitions (forms/_shared) give every service's
 * forms, for the plugins that turn a submission into their own records. A service's own fields are
 * read by its plugin; these are the ones all of them spell the same way.
 */
import { Dec } from '#rules/decimal'
import type { DeclaredIsee } from './types.js'

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** A non-empty string, or null. */
export function textOf(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null
}

/** An object field (a group of the form), or an empty object when it is missing or not one. */
export function groupOf(data: Record<string, unknown>, field: string): Record<string, unknown> {
  const value = data[field]
  return isObject(value) ? value : {}
}

/**
 * The ISEE block of the shared fee fields (`isee_choice`, `isee_value`, `inps_protocol`,
 * `isee_kind`): the declared value as a decimal string, or its non-presentation; null when the
 * form does not ask for it.
 */
export function declaredIsee(data: Record<string, unknown>): DeclaredIsee | null {
  if (!('isee_choice' in data)) return null
  const presented = data.isee_choice === 'declared'
  const raw = data.isee_value
  const value =
    presented && (typeof raw === 'number' || typeof raw === 'string') && raw !== ''
      ? new Dec(String(raw)).toFixed(2)
      : null
  return {
    presented,
    value,
    inpsProtocol: presented ? textOf(data.inps_protocol) : null,
    kind: presented ? textOf(data.isee_kind) : null,
  }
}
