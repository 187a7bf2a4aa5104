/**
 * Contract tests every form must pass (CONVENTIONS.md: "the platform ships formContractTests(form);
 * every form runs them"). They fail on a broken form file, not on style.
 *
 * Usage in a spec file: `formContractTests(form)` at top level; it registers a Japa group.
 */
import assert from 'node:assert/strict'
import { test } from '@japa/runner'
import { compileCondition } from '#shared/conditions'
import { DUPLICATE_POLICIES, type FormDefinition, type JsonSchema } from '#forms/types'
import { compileForm, validateSubmission } from '#forms/validator'
import { deref, getAt, isPlainObject, schemaAt } from '#forms/json_pointer'
import { tariffFacts } from '#forms/tariff_preview'
import { sourceProblems } from '#forms/school_catalog'
import { DATE_RANGE_KEYWORD, dateFieldsWithoutRange, isDateBound } from '#forms/field_rules'
import { childInData, childKey } from '#services/submissions/child_identity'
import { DOCUMENT_TYPES } from '#shared/contract'

type Obj = { [key: string]: unknown }

/** Sample with a BLOCCO example applied: top-level keys replaced, `null` removes the key. */
export function applyExample(sample: Obj, patch: Obj): Obj {
  const out = structuredClone(sample)
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key]
    else out[key] = structuredClone(value)
  }
  return out
}

/** Visits every schema node with its location (for messages). */
function walkSchema(node: unknown, where: string, visit: (node: Obj, where: string) => void): void {
  if (!isPlainObject(node)) return
  visit(node, where)
  for (const [key, value] of Object.entries(node)) {
    if (key === 'x-i18n' || key === 'enum' || key === 'const' || key === 'examples' || key === 'default') continue
    if (key === 'properties' || key === '$defs') {
      if (isPlainObject(value))
        for (const [name, child] of Object.entries(value)) walkSchema(child, `${where}/${key}/${name}`, visit)
    } else if (Array.isArray(value)) {
      value.forEach((child, i) => walkSchema(child, `${where}/${key}/${i}`, visit))
    } else if (isPlainObject(value)) {
      walkSchema(value, `${where}/${key}`, visit)
    }
  }
}

/** Problems with sizes and translations in the schema; an empty list means all is well. */
export function schemaHygieneProblems(schema: JsonSchema): string[] {
  const problems: string[] = []
  walkSchema(schema, '#', (node, where) => {
    const i18n = isPlainObject(node['x-i18n']) ? node['x-i18n'] : {}
    const en = isPlainObject(i18n.en) ? i18n.en : {}
    const it = isPlainObject(i18n.it) ? i18n.it : {}
    if (typeof node.title === 'string' && where !== '#') {
      if (!(typeof en.title === 'string' && en.title.trim() !== ''))
        problems.push(`${where}: title without English (x-i18n.en.title)`)
    }
    if (typeof node.description === 'string' && !(typeof en.description === 'string' && en.description.trim() !== '')) {
      problems.push(`${where}: description without English (x-i18n.en.description)`)
    }
    const types = Array.isArray(node.type) ? node.type : [node.type]
    const bounded = node.enum !== undefined || node.const !== undefined
    if (types.includes('string') && !bounded && typeof node.maxLength !== 'number') {
      problems.push(`${where}: string without maxLength (huge input must be refused)`)
    }
    if (types.includes('array') && typeof node.maxItems !== 'number') problems.push(`${where}: array without maxItems`)
    if (types.includes('object') && node.additionalProperties !== false) {
      problems.push(`${where}: object without "additionalProperties": false (unknown fields must be refused)`)
    }
    if (node.type !== undefined && Array.isArray(node.enum)) {
      for (const [lang, labels] of [
        ['it', it.enum],
        ['en', en.enum],
      ] as const) {
        for (const value of node.enum) {
          const label = isPlainObject(labels) ? labels[String(value)] : undefined
          if (!(typeof label === 'string' && label.trim() !== ''))
            problems.push(`${where}: enum value "${String(value)}" has no ${lang} label`)
        }
      }
    }
  })
  return problems
}

/** The choices of a schema node: enumerated values, constants, or a yes/no (boolean) answer. */
function isChoice(node: Obj): boolean {
  const types = Array.isArray(node.type) ? node.type : [node.type]
  const options = [node.oneOf, node.anyOf].some(
    (list) => Array.isArray(list) && list.length > 0 && list.every((o) => isPlainObject(o) && 'const' in o)
  )
  return types.includes('boolean') || Array.isArray(node.enum) || node.const !== undefined || options
}

/**
 * Declarations and choices the law or the call asks the citizen to make start empty (DPR 445/2000:
 * a declaration is made by the person, not by the form). So:
 *  - no `default` on a choice (an enum, a constant, a yes/no answer) nor on a declaration;
 *  - a declaration is marked `"x-declaration": true` and is a boolean that must be `true`
 *    (`"const": true`), so that leaving it unticked or untrue is refused;
 *  - a boolean that must be `true` is a declaration and says so.
 * `if` and `not` hold conditions, not fields: their `const`s are not looked at.
 */
export function declarationProblems(schema: JsonSchema): string[] {
  const problems: string[] = []
  const visit = (node: unknown, where: string): void => {
    if (!isPlainObject(node)) return
    if (node.default !== undefined && (isChoice(node) || node['x-declaration'] !== undefined)) {
      problems.push(
        `${where}: "default" on a choice or declaration: the citizen must make it, the form must start empty`
      )
    }
    if (node['x-declaration'] !== undefined) {
      if (node['x-declaration'] !== true || node.type !== 'boolean' || node.const !== true) {
        problems.push(`${where}: a declaration ("x-declaration": true) must be a boolean with "const": true`)
      }
    } else if (node.type === 'boolean' && node.const === true) {
      problems.push(`${where}: a boolean that must be true is a declaration: mark it "x-declaration": true`)
    }
    for (const [key, value] of Object.entries(node)) {
      if (['x-i18n', 'enum', 'const', 'examples', 'default', 'if', 'not'].includes(key)) continue
      if (key === 'properties' || key === '$defs') {
        if (isPlainObject(value))
          for (const [name, child] of Object.entries(value)) visit(child, `${where}/${key}/${name}`)
      } else if (Array.isArray(value)) {
        value.forEach((child, i) => visit(child, `${where}/${key}/${i}`))
      } else {
        visit(value, `${where}/${key}`)
      }
    }
  }
  visit(schema, '#')
  return problems
}

/** JSON Pointers of the declarations present in `data` (the sample: every one ticked). */
export function declarationPaths(schema: JsonSchema, data: unknown, pointer = '', node: unknown = schema): string[] {
  const resolved = deref(schema, node as JsonSchema)
  if (!isPlainObject(resolved)) return []
  if (resolved['x-declaration'] === true || (isPlainObject(node) && node['x-declaration'] === true)) return [pointer]
  const out: string[] = []
  if (Array.isArray(data) && resolved.items !== undefined) {
    data.forEach((item, i) => out.push(...declarationPaths(schema, item, `${pointer}/${i}`, resolved.items)))
  } else if (isPlainObject(data) && isPlainObject(resolved.properties)) {
    for (const [key, child] of Object.entries(resolved.properties)) {
      if (key in data) out.push(...declarationPaths(schema, data[key], `${pointer}/${key}`, child))
    }
  }
  return out
}

/** uiSchema keys and ui:order entries that name no field of the schema. */
export function uiSchemaProblems(schema: JsonSchema, ui: unknown, pointer = ''): string[] {
  if (!isPlainObject(ui)) return []
  const problems: string[] = []
  const node = deref(schema, schemaAt(schema, pointer === '' ? '' : pointer))
  const properties = isPlainObject(node) && isPlainObject(node.properties) ? node.properties : {}
  for (const [key, value] of Object.entries(ui)) {
    if (key === 'ui:order' && Array.isArray(value)) {
      for (const name of value)
        if (name !== '*' && !(String(name) in properties))
          problems.push(`${pointer || '/'}: ui:order names unknown field "${String(name)}"`)
      continue
    }
    if (key === 'ui:options' && isPlainObject(value) && value.visible_when !== undefined) {
      try {
        compileCondition(value.visible_when as Parameters<typeof compileCondition>[0])
      } catch (error) {
        problems.push(`${pointer || '/'}: visible_when does not compile (${(error as Error).message})`)
      }
    }
    if (key.startsWith('ui:')) continue
    if (key === 'items') {
      if (!(isPlainObject(node) && node.items !== undefined))
        problems.push(`${pointer || '/'}: "items" on a field that is not a list`)
      else problems.push(...uiSchemaProblems(schema, value, `${pointer}/*`))
      continue
    }
    if (!(key in properties)) {
      problems.push(`${pointer || '/'}: uiSchema entry "${key}" is not a field of the schema`)
      continue
    }
    problems.push(...uiSchemaProblems(schema, value, `${pointer}/${key}`))
  }
  return problems
}

function nonEmpty(text: unknown): boolean {
  return typeof text === 'string' && text.trim().length > 0
}

/** Registers the contract tests of one form. */
export function formContractTests(form: FormDefinition): void {
  const name = `${form.id}@${form.version}`

  test(`${name}: the schema is JSON Schema 2020-12 and compiles`, () => {
    assert.equal(form.schema.$schema, 'https://json-schema.org/draft/2020-12/schema')
    assert.doesNotThrow(() => compileForm(form))
    assert.ok(nonEmpty(form.title?.it) && nonEmpty(form.title?.en), 'the form title needs it and en')
  })

  test(`${name}: sizes are bounded, unknown fields refused, every label translated`, () => {
    assert.deepEqual(schemaHygieneProblems(form.schema), [])
  })

  test(`${name}: every date field states its plausible range (x-date-range) with valid bounds`, () => {
    assert.deepEqual(dateFieldsWithoutRange(form.schema), [], 'date fields without "x-date-range"')
    walkSchema(form.schema, '', (node, where) => {
      const range = node[DATE_RANGE_KEYWORD]
      if (range === undefined) return
      assert.ok(isPlainObject(range), `${where}: "x-date-range" must be an object`)
      for (const bound of [range.min, range.max]) {
        assert.ok(bound === undefined || isDateBound(bound), `${where}: bad date bound ${JSON.stringify(bound)}`)
      }
    })
  })

  test(`${name}: the sample is a valid submission`, () => {
    for (const lang of ['it', 'en'] as const) {
      const result = validateSubmission(form, form.sample, { lang })
      assert.deepEqual(result.errors, [], `sample errors (${lang})`)
    }
  })

  test(`${name}: declarations and choices start empty, and a declaration must be ticked`, () => {
    assert.deepEqual(declarationProblems(form.schema), [])
  })

  const declarations = declarationPaths(form.schema, form.sample)
  if (declarations.length > 0) {
    test(`${name}: an unticked or missing declaration is refused, asking to confirm it`, () => {
      for (const path of declarations) {
        const parent = path.slice(0, path.lastIndexOf('/'))
        const key = path.slice(path.lastIndexOf('/') + 1)
        for (const change of ['false', 'missing'] as const) {
          const data = structuredClone(form.sample)
          const holder = (parent === '' ? data : getAt(data, parent)) as Obj
          if (change === 'false') holder[key] = false
          else delete holder[key]
          for (const lang of ['it', 'en'] as const) {
            const result = validateSubmission(form, data, { lang })
            const hit = result.errors.find((e) => e.path === path)
            assert.ok(hit, `${path} ${change}: not refused; errors ${JSON.stringify(result.errors)}`)
            assert.match(hit.message, lang === 'it' ? /devi confermare/ : /must confirm/, `${path} ${change} (${lang})`)
          }
        }
      }
    })
  }

  test(`${name}: it says what a second application for the same child gets (refuse, warn or allow)`, () => {
    assert.ok(
      (DUPLICATE_POLICIES as readonly unknown[]).includes(form['x-duplicates']),
      `"x-duplicates" must be one of ${DUPLICATE_POLICIES.join(', ')}, not ${JSON.stringify(form['x-duplicates'])}`
    )
  })

  test(`${name}: uiSchema refers only to existing fields`, () => {
    assert.deepEqual(uiSchemaProblems(form.schema, form.uiSchema), [])
  })

  test(`${name}: every data source named is a known one, with known filters on existing fields`, () => {
    assert.deepEqual(
      sourceProblems(form, (pointer) => schemaAt(form.schema, pointer) !== undefined),
      []
    )
  })

  test(`${name}: BLOCCO rules are well formed`, () => {
    const ids = form.blocchi.map((b) => b.id)
    assert.deepEqual(
      ids.filter((id, i) => ids.indexOf(id) !== i),
      [],
      'BLOCCO ids must be unique'
    )
    for (const b of form.blocchi) {
      assert.match(b.id, /^[a-z][a-z0-9_]*$/, `BLOCCO id "${b.id}" must be snake_case`)
      assert.ok(nonEmpty(b.message?.it), `${b.id}: Italian message missing`)
      assert.ok(nonEmpty(b.message?.en), `${b.id}: English message missing`)
      assert.ok(nonEmpty(b.reference), `${b.id}: reference to the tender article missing`)
      assert.doesNotThrow(
        () => compileCondition(b.condition, form.conditions ?? {}),
        `${b.id}: condition does not compile`
      )
      assert.ok(Array.isArray(b.paths) && b.paths.length > 0, `${b.id}: no blocked path`)
      for (const path of b.paths)
        assert.ok(schemaAt(form.schema, path) !== undefined, `${b.id}: blocked path ${path} is not in the schema`)
      assert.ok(
        isPlainObject(b.examples?.fires) && isPlainObject(b.examples?.passes),
        `${b.id}: examples.fires and examples.passes needed`
      )
    }
  })

  for (const b of form.blocchi) {
    test(`${name}: BLOCCO ${b.id} fires on its example and blocks ${b.paths.join(', ')}`, () => {
      const data = applyExample(form.sample, (b.examples?.fires ?? {}) as Obj)
      for (const lang of ['it', 'en'] as const) {
        const result = validateSubmission(form, data, { lang })
        assert.equal(result.valid, false)
        for (const path of b.paths) {
          const hit = result.errors.find((e) => e.rule === b.id && e.path === path)
          assert.ok(hit, `${b.id} did not block ${path}; errors: ${JSON.stringify(result.errors)}`)
          assert.equal(hit.message, b.message[lang])
        }
      }
    })

    test(`${name}: BLOCCO ${b.id} passes on its example`, () => {
      const data = applyExample(form.sample, (b.examples?.passes ?? {}) as Obj)
      const result = validateSubmission(form, data)
      assert.deepEqual(result.errors, [], `${b.id}: the passing example must be a valid submission`)
    })
  }

  test(`${name}: attachments are attachment fields with types and a size limit`, () => {
    for (const [path, rule] of Object.entries(form.attachments ?? {})) {
      const node = deref(form.schema, schemaAt(form.schema, path))
      const item = isPlainObject(node) && node.type === 'array' ? deref(form.schema, node.items as JsonSchema) : node
      assert.ok(
        isPlainObject(item) && isPlainObject(item.properties) && 'file_id' in item.properties,
        `${path} is not an attachment field`
      )
      assert.ok(Array.isArray(rule.types) && rule.types.length > 0, `${path}: no accepted types`)
      assert.ok(Number.isInteger(rule.max_bytes) && rule.max_bytes > 0, `${path}: max_bytes must be a positive integer`)
      if (rule.required_when !== undefined)
        assert.doesNotThrow(() => compileCondition(rule.required_when!, form.conditions ?? {}))
    }
  })

  const filed = Object.entries(form.attachments ?? {}).filter(
    ([, rule]) => rule.document_type !== undefined || rule.document_of !== undefined
  )
  if (filed.length > 0) {
    test(`${name}: attachments filed as documents name a document type and a person the sample identifies`, () => {
      for (const [path, rule] of filed) {
        assert.ok(
          (DOCUMENT_TYPES as readonly unknown[]).includes(rule.document_type),
          `${path}: document_type must be one of ${DOCUMENT_TYPES.join(', ')}, got ${JSON.stringify(rule.document_type)}`
        )
        if (rule.document_of !== undefined) {
          const field = deref(form.schema, schemaAt(form.schema, rule.document_of))
          assert.ok(
            isPlainObject(field) && field.type === 'string',
            `${path}: document_of ${rule.document_of} must point to a codice fiscale field of the form`
          )
        }
        // On acceptance the file is filed among the documents of this person: the sample must name them.
        const subject =
          rule.document_of !== undefined
            ? childKey(getAt(form.sample, rule.document_of))
            : childInData(form.sample)?.key
        assert.ok(
          subject,
          `${path}: the sample names no codice fiscale for the document (${rule.document_of ?? 'the child'})`
        )
      }
    })
  }

  if (form.tariff_preview) {
    const preview = form.tariff_preview
    test(`${name}: tariff preview maps existing fields to ${preview.ruleset} facts`, () => {
      const pointers: string[] = []
      const collect = (expr: unknown): void => {
        if (typeof expr === 'string' && expr.startsWith('/')) pointers.push(expr)
        else if (isPlainObject(expr)) {
          if (typeof expr.$count === 'string') pointers.push(expr.$count)
          if (Array.isArray(expr.$switch)) for (const b of expr.$switch) collect(isPlainObject(b) ? b.then : undefined)
          collect(expr.$default)
        }
      }
      Object.values(preview.facts).forEach(collect)
      for (const p of pointers)
        assert.ok(schemaAt(form.schema, p) !== undefined, `tariff fact pointer ${p} is not in the schema`)
      const facts = tariffFacts(form, form.sample)
      assert.ok(facts)
      assert.deepEqual(Object.keys(facts.facts).sort(), Object.keys(preview.facts).sort())
    })
  }
}
