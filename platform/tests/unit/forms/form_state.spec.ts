/**
 * What a citizen finds in a new form: RJSF computes the initial data from the schema. With the
 * portal's settings (shared/form_state.ts) no declaration is ticked and no choice is made for them.
 */
import { test } from '@japa/runner'
import { getDefaultFormState, type RJSFSchema } from '@rjsf/utils'
import { customizeValidator } from '@rjsf/validator-ajv8'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { loadForms } from '#forms/load_forms'
import { deref, isPlainObject, schemaAt } from '#forms/json_pointer'
import { FORM_STATE_BEHAVIOR } from '#shared/form_state'
import type { FormDefinition, JsonSchema } from '#forms/types'

const forms = await loadForms()
// As the portal builds it (FormPage.tsx): RJSF needs the validator only for if/then branches.
const validator = customizeValidator({
  AjvClass: Ajv2020 as never,
  customFormats: { 'codice-fiscale': /.*/, 'iban': /.*/ },
})

/**
 * The schema the portal renders (web/src/form_support.ts, localizeSchema): annotations dropped,
 * each `enum` turned into `oneOf` of `const` + title, the shape that makes radio groups.
 */
function asRendered(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(asRendered)
  if (!isPlainObject(node)) return node
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(node)) if (key !== 'x-i18n') out[key] = asRendered(value)
  if (Array.isArray(node.enum)) {
    out.oneOf = node.enum.map((value) => ({ const: value, title: String(value) }))
    delete out.enum
  }
  return out
}

/** Leaves RJSF filled in that are a declaration or a choice: a yes/no, or a value out of a list. */
function prefilledChoices(form: FormDefinition, value: unknown, pointer = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => prefilledChoices(form, v, `${pointer}/${i}`))
  if (isPlainObject(value)) {
    return Object.entries(value).flatMap(([k, v]) => prefilledChoices(form, v, `${pointer}/${k}`))
  }
  if (value === undefined) return []
  const node = schemaAt(form.schema, pointer)
  const resolved = deref(form.schema, node as JsonSchema)
  const choice =
    typeof value === 'boolean' ||
    [node, resolved].some((n) => isPlainObject(n) && (Array.isArray(n.enum) || n.const !== undefined))
  return choice ? [`${pointer} = ${JSON.stringify(value)}`] : []
}

function initialData(form: FormDefinition, behavior: typeof FORM_STATE_BEHAVIOR | undefined) {
  const schema = asRendered(form.schema) as RJSFSchema
  return getDefaultFormState(validator, schema, {}, schema, false, behavior as never)
}

test.group('A new form, as the portal renders it', () => {
  for (const form of forms) {
    test(`${form.id}: no declaration ticked and no choice made before the citizen makes it`, ({ assert }) => {
      assert.deepEqual(prefilledChoices(form, initialData(form, FORM_STATE_BEHAVIOR)), [])
    })
  }

  test('RJSF on its own defaults would tick the declarations and pick the first option of each list', ({ assert }) => {
    // The reason for shared/form_state.ts, checked so that a change of RJSF's defaults is noticed.
    const refezione = forms.find((f) => f.id === 'refezione.iscrizione')!
    const prefilled = prefilledChoices(refezione, initialData(refezione, undefined))
    assert.include(prefilled, '/declarations/truthfulness = true')
    assert.include(prefilled, '/tariff_acknowledged = true')
    assert.isTrue(prefilled.some((p) => p.startsWith('/applicant_kind = ')))
    assert.isTrue(prefilled.some((p) => p.startsWith('/has_siblings = ')))
  })
})
