/**
 * Validation of the facts given to a rule set against the version's JSON Schema (2020-12).
 * Defaults declared in the schema are filled in (a missing optional boolean is false, a missing
 * ISEE is null = "not presented"), and every error names the fact it is about.
 */
import { Ajv2020 } from 'ajv/dist/2020.js'
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js'
import type { FactError } from './types.js'
import { MAX_FACT_NUMBER_LENGTH } from './decimal.js'

const ajv = new Ajv2020({
  allErrors: true,
  useDefaults: true,
  // Facts such as isee are "number, decimal string or null": a union type is the honest schema.
  allowUnionTypes: true,
  strict: true,
  // `if`/`then` may require a property declared at the top level ("school_level is required
  // for an annual pass"): that is the idiomatic conditional requirement, not a mistake.
  strictRequired: false,
})

/*
 * The happy path stops at the first error: collecting every error is what makes validation
 * costly, and it is only needed to explain a refusal. A failing fact set is validated once more
 * by the exhaustive validator, so the person still reads every error at once.
 */
const firstErrorAjv = new Ajv2020({
  allErrors: false,
  useDefaults: true,
  allowUnionTypes: true,
  strict: true,
  strictRequired: false,
})

const validators = new WeakMap<object, ValidateFunction>()
const fastValidators = new WeakMap<ValidateFunction, ValidateFunction>()

/** Compiles (once per schema object) the validator of a facts schema; throws if it is invalid. */
export function compileFactsSchema(schema: Record<string, unknown>): ValidateFunction {
  let validate = validators.get(schema)
  if (!validate) {
    validate = ajv.compile(schema)
    validators.set(schema, validate)
    fastValidators.set(validate, firstErrorAjv.compile(schema))
  }
  return validate
}

function factName(error: ErrorObject): string {
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
  const params = error.params as Record<string, unknown>
  if (error.keyword === 'required' && typeof params.missingProperty === 'string') {
    path.push(params.missingProperty)
  }
  if (error.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
    path.push(params.additionalProperty)
  }
  return path.length > 0 ? path.join('.') : '(facts)'
}

function describe(error: ErrorObject): { it: string; en: string } {
  const params = error.params as Record<string, unknown>
  switch (error.keyword) {
    case 'required':
      return { it: 'dato obbligatorio mancante', en: 'required fact is missing' }
    case 'additionalProperties':
      return {
        it: 'dato non previsto da questa regola (nome errato?)',
        en: 'fact not expected by this rule set (misspelt name?)',
      }
    case 'type': {
      const type = String(params.type)
      return { it: `deve essere di tipo ${type}`, en: `must be of type ${type}` }
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')
      return { it: `deve essere uno tra ${allowed}`, en: `must be one of ${allowed}` }
    }
    case 'const':
      return {
        it: `deve valere ${JSON.stringify(params.allowedValue)}`,
        en: `must be ${JSON.stringify(params.allowedValue)}`,
      }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const cmp = String(params.comparison)
      return { it: `deve essere ${cmp} ${params.limit}`, en: `must be ${cmp} ${params.limit}` }
    }
    case 'pattern':
      return {
        it: 'formato non valido (usare un importo come 1234.56, senza separatore delle migliaia)',
        en: 'invalid format (use an amount such as 1234.56, without thousands separators)',
      }
    case 'multipleOf':
      return { it: `deve essere multiplo di ${params.multipleOf}`, en: `must be a multiple of ${params.multipleOf}` }
    default:
      return { it: error.message ?? 'valore non valido', en: error.message ?? 'invalid value' }
  }
}

/**
 * Validates a copy of the facts and returns it with defaults applied, or the list of errors.
 * Union types produce one error per alternative: they are merged into one message per fact.
 */
export function validateFacts(
  validate: ValidateFunction,
  facts: Record<string, unknown>
): { ok: true; facts: Record<string, unknown> } | { ok: false; errors: FactError[] } {
  // A prototype-less copy: the steps add their variables to it by name, and V8 keeps such an
  // object in dictionary mode, whose cost does not depend on the shapes of the fact sets seen
  // before (with plain objects, some input sets ran 5× slower than others).
  const copy: Record<string, unknown> = Object.assign(Object.create(null), facts)
  const fast = fastValidators.get(validate)
  if (fast ? fast(copy) : validate(copy)) return { ok: true, facts: copy }
  if (fast) validate({ ...facts })
  const byFact = new Map<string, FactError>()
  for (const error of validate.errors ?? []) {
    const fact = factName(error)
    const text = describe(error)
    const existing = byFact.get(fact)
    if (!existing) {
      byFact.set(fact, { fact, message: text.it, message_en: text.en })
    } else if (!existing.message.includes(text.it)) {
      existing.message += `; ${text.it}`
      existing.message_en += `; ${text.en}`
    }
  }
  return { ok: false, errors: [...byFact.values()] }
}

/**
 * Bounds checked before any schema: a fact set is small, so what is not small is refused here,
 * before a pattern, the decimal parser or a trace message ever runs on it. A number written as
 * text may have MAX_FACT_NUMBER_LENGTH characters (the engine's decimals are exact to 40 digits), any
 * other text MAX_FACT_TEXT, and a fact set MAX_FACTS facts; nested values (lists of siblings)
 * are held to the same limits, MAX_FACT_NODES values in all.
 */
export const MAX_FACT_TEXT = 200
export const MAX_FACTS = 200
export const MAX_FACT_NODES = 2000

const numericFacts = new WeakMap<object, Set<string>>()

function numericFactsOf(schema: Record<string, unknown>): Set<string> {
  let names = numericFacts.get(schema)
  if (!names) {
    names = new Set()
    const properties = (schema.properties ?? {}) as Record<string, { type?: unknown }>
    for (const [name, property] of Object.entries(properties)) {
      const types = Array.isArray(property?.type) ? property.type : [property?.type]
      if (types.includes('number') || types.includes('integer')) names.add(name)
    }
    numericFacts.set(schema, names)
  }
  return names
}

export function factBoundsErrors(schema: Record<string, unknown>, facts: Record<string, unknown>): FactError[] {
  const errors: FactError[] = []
  const keys = Object.keys(facts)
  if (keys.length > MAX_FACTS) {
    return [
      {
        fact: '(facts)',
        message: `troppi dati: al massimo ${MAX_FACTS}`,
        message_en: `too many facts: ${MAX_FACTS} at most`,
      },
    ]
  }
  const numeric = numericFactsOf(schema)
  let nodes = 0
  for (const key of keys) {
    const stack: unknown[] = [facts[key]]
    let reported = false
    while (stack.length > 0 && !reported) {
      const value = stack.pop()
      if (++nodes > MAX_FACT_NODES) {
        return [
          {
            fact: '(facts)',
            message: `dati troppo grandi: al massimo ${MAX_FACT_NODES} valori`,
            message_en: `facts too large: ${MAX_FACT_NODES} values at most`,
          },
        ]
      }
      if (typeof value === 'string') {
        const limit = numeric.has(key) && value === facts[key] ? MAX_FACT_NUMBER_LENGTH : MAX_FACT_TEXT
        if (value.length > limit) {
          reported = true
          errors.push(
            limit === MAX_FACT_NUMBER_LENGTH
              ? {
                  fact: key.slice(0, 60),
                  message: `numero troppo lungo: al massimo ${limit} caratteri`,
                  message_en: `number too long: ${limit} characters at most`,
                }
              : {
                  fact: key.slice(0, 60),
                  message: `testo troppo lungo: al massimo ${limit} caratteri`,
                  message_en: `text too long: ${limit} characters at most`,
                }
          )
        }
      } else if (Array.isArray(value)) {
        for (const item of value) stack.push(item)
      } else if (value !== null && typeof value === 'object') {
        for (const item of Object.values(value)) stack.push(item)
      }
    }
  }
  return errors
}
