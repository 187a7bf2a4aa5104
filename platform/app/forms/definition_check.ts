/**
 * What the server checks on a form a designer wants to publish (or a file imported from elsewhere):
 * the shape of a canonical form (forms/README.md), a schema Ajv compiles, BLOCCO rules whose
 * conditions compile and read only fields the form has, blocked paths, layout entries and
 * attachment rules that name existing fields. Every problem is answered at once, each at the JSON
 * Pointer of the definition where it is, in the reader's language.
 */
import { t, type MessageKey, type MessageParams } from '#i18n/catalogue'
import type { Lang } from '#shared/contract'
import { byName, compileCondition, type Condition, type FactAccess } from '#shared/conditions'
import { createFormAjv } from '#forms/validator'
import { isPlainObject, joinPointer, schemaAt } from '#forms/json_pointer'
import type { FormError } from '#forms/types'
import { APPLICANT_FACT_NAMES } from '#shared/applicant_facts'

type Obj = { [key: string]: unknown }

/** A form is a few hundred fields at most: far beyond this is not a form. */
export const MAX_DEFINITION_JSON = 512 * 1024

export interface DefinitionCheck {
  key: string
  service: string
  lang: Lang
}

function problem(lang: Lang, path: string, key: MessageKey, params?: MessageParams): FormError {
  return { path, rule: 'form:definition', message: t(lang, key, params) }
}

/** The top-level facts a condition reads; throws ConditionError when it does not compile. */
function factsRead(condition: unknown, named: Obj | undefined): Set<string> {
  const facts = new Set<string>()
  const access: FactAccess = (name) => {
    facts.add(name)
    return byName(name)
  }
  compileCondition(condition as Condition, (named ?? {}) as Record<string, Condition>, access)
  return facts
}

function localized(value: unknown): boolean {
  return (
    isPlainObject(value) &&
    typeof value.it === 'string' &&
    value.it.trim() !== '' &&
    typeof value.en === 'string' &&
    value.en.trim() !== ''
  )
}

/** Every problem of a definition, [] when it can be published. */
export function checkFormDefinition(definition: unknown, opts: DefinitionCheck): FormError[] {
  const { lang } = opts
  const errors: FormError[] = []
  if (!isPlainObject(definition)) return [problem(lang, '', 'formDraft.notAnObject')]
  if (JSON.stringify(definition).length > MAX_DEFINITION_JSON) {
    return [problem(lang, '', 'formDraft.tooLarge', { kb: MAX_DEFINITION_JSON / 1024 })]
  }
  if (definition.id !== opts.key) errors.push(problem(lang, '/id', 'formDraft.wrongId', { key: opts.key }))
  if (definition.service !== opts.service) {
    errors.push(problem(lang, '/service', 'formDraft.wrongService', { service: opts.service }))
  }
  if (!localized(definition.title)) errors.push(problem(lang, '/title', 'formDraft.title'))
  const schema = definition.schema
  if (!isPlainObject(schema) || schema.type !== 'object' || !isPlainObject(schema.properties)) {
    errors.push(problem(lang, '/schema', 'formDraft.schemaShape'))
    return errors
  }
  for (const part of ['uiSchema', 'attachments', 'sample'] as const) {
    if (!isPlainObject(definition[part])) errors.push(problem(lang, `/${part}`, 'formDraft.partShape', { part }))
  }
  if (!Array.isArray(definition.blocchi))
    errors.push(problem(lang, '/blocchi', 'formDraft.partShape', { part: 'blocchi' }))
  if (definition.conditions !== undefined && !isPlainObject(definition.conditions)) {
    errors.push(problem(lang, '/conditions', 'formDraft.partShape', { part: 'conditions' }))
  }
  if (errors.length) return errors

  // The schema compiles, with the keywords and formats of the forms.
  try {
    const { $id: _id, ...compilable } = schema
    createFormAjv().compile(compilable)
  } catch (error) {
    errors.push(
      problem(lang, '/schema', 'formDraft.schemaCompile', {
        detail: error instanceof Error ? error.message : String(error),
      })
    )
  }

  const fields = new Set(Object.keys(schema.properties as Obj))
  // A condition reads the form's fields, and the facts the platform gives about the applicant.
  const readable = new Set([...fields, ...APPLICANT_FACT_NAMES])
  const named = definition.conditions as Obj | undefined
  const ids = new Set<string>()
  ;(definition.blocchi as unknown[]).forEach((rule, index) => {
    const at = `/blocchi/${index}`
    if (!isPlainObject(rule)) {
      errors.push(problem(lang, at, 'formDraft.partShape', { part: 'blocchi' }))
      return
    }
    const id = rule.id
    if (typeof id !== 'string' || !/^[a-z][a-z0-9_]{0,63}$/.test(id))
      errors.push(problem(lang, `${at}/id`, 'formDraft.ruleId'))
    else if (ids.has(id)) errors.push(problem(lang, `${at}/id`, 'formDraft.ruleDuplicate', { id }))
    else ids.add(id)
    if (!localized(rule.message)) errors.push(problem(lang, `${at}/message`, 'formDraft.ruleMessage'))
    if (typeof rule.reference !== 'string' || rule.reference.trim() === '') {
      errors.push(problem(lang, `${at}/reference`, 'formDraft.ruleReference'))
    }
    // The description in plain words is optional; written, it is in both languages.
    if (rule.description !== undefined && !localized(rule.description)) {
      errors.push(problem(lang, `${at}/description`, 'formDraft.ruleDescription'))
    }
    if (!Array.isArray(rule.paths) || rule.paths.length === 0)
      errors.push(problem(lang, `${at}/paths`, 'formDraft.rulePaths'))
    else {
      rule.paths.forEach((path, i) => {
        if (
          typeof path !== 'string' ||
          (path !== '' && !path.startsWith('/')) ||
          schemaAt(schema, path) === undefined
        ) {
          errors.push(problem(lang, `${at}/paths/${i}`, 'formDraft.unknownField', { field: String(path) }))
        }
      })
    }
    try {
      for (const fact of factsRead(rule.condition, named)) {
        if (!readable.has(fact)) errors.push(problem(lang, `${at}/condition`, 'formDraft.unknownFact', { field: fact }))
      }
    } catch (error) {
      errors.push(
        problem(lang, `${at}/condition`, 'formDraft.condition', {
          detail: error instanceof Error ? error.message : String(error),
        })
      )
    }
  })

  // Layout entries and attachment rules name fields of the form.
  const ui = definition.uiSchema as Obj
  for (const key of Object.keys(ui)) {
    if (!key.startsWith('ui:') && !fields.has(key))
      errors.push(problem(lang, joinPointer('/uiSchema', key), 'formDraft.unknownField', { field: key }))
  }
  if (Array.isArray(ui['ui:order'])) {
    ;(ui['ui:order'] as unknown[]).forEach((key, i) => {
      if (key !== '*' && (typeof key !== 'string' || !fields.has(key))) {
        errors.push(problem(lang, `/uiSchema/ui:order/${i}`, 'formDraft.unknownField', { field: String(key) }))
      }
    })
  }
  for (const [pointer, rule] of Object.entries(definition.attachments as Obj)) {
    const at = joinPointer('/attachments', pointer)
    if (!pointer.startsWith('/') || schemaAt(schema, pointer) === undefined) {
      errors.push(problem(lang, at, 'formDraft.unknownField', { field: pointer }))
    } else if (isPlainObject(rule) && rule.required_when !== undefined) {
      try {
        for (const fact of factsRead(rule.required_when, named)) {
          if (!readable.has(fact))
            errors.push(problem(lang, `${at}/required_when`, 'formDraft.unknownFact', { field: fact }))
        }
      } catch (error) {
        errors.push(
          problem(lang, `${at}/required_when`, 'formDraft.condition', {
            detail: error instanceof Error ? error.message : String(error),
          })
        )
      }
    }
  }
  return errors
}
