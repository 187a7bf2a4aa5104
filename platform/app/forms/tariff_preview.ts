/**
 * Maps form data to the facts of a tariff ruleset (form `tariff_preview`), so that the citizen sees
 * the tariff before confirming "dichiaro di essere a conoscenza della tariffa assegnata"
 * (Allegato B, the canteen form's "CALCOLO TARIFFA"). Browser-safe; the rules engine computes the amount.
 */
import { evaluateCondition } from '#shared/conditions'
import type { FactExpression, FormDefinition } from '#forms/types'
import { getAt, isPlainObject } from '#forms/json_pointer'

export function evaluateFactExpression(
  expr: FactExpression,
  data: Record<string, unknown>,
  named?: FormDefinition['conditions']
): unknown {
  if (typeof expr === 'string') {
    if (!expr.startsWith('/')) return expr
    const value = getAt(data, expr)
    return value === undefined ? null : value
  }
  if (!isPlainObject(expr)) return expr
  if ('$literal' in expr) return expr.$literal
  if ('$count' in expr && typeof expr.$count === 'string') {
    const list = getAt(data, expr.$count)
    const plus = typeof expr.$plus === 'number' ? expr.$plus : 0
    return (Array.isArray(list) ? list.length : 0) + plus
  }
  if ('$switch' in expr && Array.isArray(expr.$switch)) {
    for (const branch of expr.$switch) {
      if (evaluateCondition(branch.when, data, named)) return evaluateFactExpression(branch.then, data, named)
    }
    return '$default' in expr && expr.$default !== undefined ? evaluateFactExpression(expr.$default, data, named) : null
  }
  return expr
}

/** Facts for `form.tariff_preview.ruleset`, or null when the form has no tariff preview. */
export function tariffFacts(
  form: FormDefinition,
  data: unknown
): { ruleset: string; facts: Record<string, unknown> } | null {
  if (!form.tariff_preview) return null
  const source = isPlainObject(data) ? data : {}
  const facts: Record<string, unknown> = {}
  for (const [name, expr] of Object.entries(form.tariff_preview.facts)) {
    facts[name] = evaluateFactExpression(expr, source, form.conditions)
  }
  return { ruleset: form.tariff_preview.ruleset, facts }
}
