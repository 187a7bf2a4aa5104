/**
 * The steps a long form is filled in: `"ui:steps"` at the root of a form's uiSchema lists them,
 * each with a title in every language and the top-level fields it holds, in the order of
 * `ui:order`. The portal shows one step at a time with a progress indicator, then a summary of
 * everything before sending. A form without `ui:steps` is one step.
 *
 * Browser-safe like conditions.ts: no Node API, no import.
 */

export interface FormStep {
  id: string
  title: Record<string, string>
  fields: string[]
}

type Json = Record<string, unknown>
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

/** The top-level fields in the order the form shows them: `ui:order` first, then the schema's. */
export function fieldOrder(schema: unknown, uiSchema: unknown): string[] {
  const properties = isObject(schema) && isObject(schema.properties) ? Object.keys(schema.properties) : []
  const order = isObject(uiSchema) && Array.isArray(uiSchema['ui:order']) ? uiSchema['ui:order'].map(String) : []
  const out = order.filter((f) => f !== '*' && properties.includes(f))
  for (const p of properties) if (!out.includes(p)) out.push(p)
  return out
}

/**
 * The form's steps. Every field lands in exactly one step: a field no step names joins the last
 * step (so a field added to a form is never lost from the screen), a field named twice stays in
 * the first. Without `ui:steps`: one step with every field, titled by `fallbackTitle`.
 */
export function formSteps(schema: unknown, uiSchema: unknown, fallbackTitle: Record<string, string>): FormStep[] {
  const order = fieldOrder(schema, uiSchema)
  const declared = isObject(uiSchema) && Array.isArray(uiSchema['ui:steps']) ? uiSchema['ui:steps'] : []
  const placed = new Set<string>()
  const steps: FormStep[] = []
  for (const raw of declared) {
    if (!isObject(raw) || typeof raw.id !== 'string' || !Array.isArray(raw.fields)) continue
    const named = new Set(raw.fields.map(String))
    const fields = order.filter((f) => named.has(f) && !placed.has(f))
    fields.forEach((f) => placed.add(f))
    const title = isObject(raw.title)
      ? (Object.fromEntries(Object.entries(raw.title).map(([k, v]) => [k, String(v)])) as Record<string, string>)
      : {}
    steps.push({ id: raw.id, title, fields })
  }
  const rest = order.filter((f) => !placed.has(f))
  if (steps.length === 0) return [{ id: 'all', title: fallbackTitle, fields: order }]
  steps[steps.length - 1].fields.push(...rest)
  return steps.filter((s) => s.fields.length > 0)
}

/** What is wrong with a form's `ui:steps` (for its contract test): unknown, repeated or forgotten fields, titles. */
export function stepProblems(schema: unknown, uiSchema: unknown, langs: readonly string[] = ['it', 'en']): string[] {
  if (!isObject(uiSchema) || uiSchema['ui:steps'] === undefined) return []
  const declared = uiSchema['ui:steps']
  if (!Array.isArray(declared) || declared.length === 0) return ['ui:steps must be a non-empty list']
  const properties = isObject(schema) && isObject(schema.properties) ? Object.keys(schema.properties) : []
  const problems: string[] = []
  const seen = new Map<string, string>()
  const ids = new Set<string>()
  for (const [i, raw] of declared.entries()) {
    if (!isObject(raw) || typeof raw.id !== 'string' || !Array.isArray(raw.fields)) {
      problems.push(`ui:steps[${i}] needs an id and a list of fields`)
      continue
    }
    if (ids.has(raw.id)) problems.push(`ui:steps: step id "${raw.id}" is repeated`)
    ids.add(raw.id)
    for (const lang of langs) {
      const title = isObject(raw.title) ? raw.title[lang] : undefined
      if (typeof title !== 'string' || title.trim() === '') problems.push(`ui:steps "${raw.id}" has no ${lang} title`)
    }
    if (raw.fields.length === 0) problems.push(`ui:steps "${raw.id}" holds no field`)
    for (const field of raw.fields.map(String)) {
      if (!properties.includes(field)) problems.push(`ui:steps "${raw.id}" names unknown field "${field}"`)
      else if (seen.has(field)) problems.push(`field "${field}" is in ui:steps "${seen.get(field)}" and "${raw.id}"`)
      else seen.set(field, raw.id)
    }
  }
  for (const p of properties) if (!seen.has(p)) problems.push(`field "${p}" is in no step of ui:steps`)
  return problems
}
