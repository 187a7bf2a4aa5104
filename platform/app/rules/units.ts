/**
 * Units of amounts: a fee is per meal (the canteen), per month or per year (the transport pass, as
 * chosen), per day (a play-centre ticket), once for a whole period (the summer nursery). The rule
 * set says which, on each money output, so that nobody prints "a pasto" under a monthly pass.
 */
import { UNITS, type ResultValue, type RuleSetVersion, type Unit } from './types.js'

export function isUnit(value: unknown): value is Unit {
  return typeof value === 'string' && (UNITS as readonly string[]).includes(value)
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

type Plan = Array<{ name: string; fixed: Unit | null; from: string | null }>
/** Per version (versions are immutable objects once loaded): which outputs have a unit, and from where. */
const plans = new WeakMap<RuleSetVersion, Plan>()

function planOf(version: RuleSetVersion): Plan {
  let plan = plans.get(version)
  if (!plan) {
    plan = []
    for (const [name, output] of Object.entries(version.outputs ?? {})) {
      const source = output?.unit
      if (isUnit(source)) plan.push({ name, fixed: source, from: null })
      else if (isObject(source) && typeof source.output === 'string')
        plan.push({ name, fixed: null, from: source.output })
    }
    plans.set(version, plan)
  }
  return plan
}

/** The unit of each money output of an evaluation; a unit read from an output that holds none is left out. */
export function unitsOf(version: RuleSetVersion, result: Record<string, ResultValue>): Record<string, Unit> {
  const units: Record<string, Unit> = {}
  for (const { name, fixed, from } of planOf(version)) {
    const value = fixed ?? (from !== null && Object.hasOwn(result, from) ? result[from] : null)
    if (isUnit(value)) units[name] = value
  }
  return units
}

/** The literal values a step can give its variable (null when one is computed: a var, a lookup...). */
function literalValues(version: RuleSetVersion, variable: string): unknown[] | null {
  const values: unknown[] = []
  for (const step of version.steps ?? []) {
    if (step?.set !== variable) continue
    const sources = Array.isArray(step.cases) ? step.cases.map((c) => c?.value) : [step.value]
    for (const source of sources) {
      if (isObject(source)) return null
      values.push(source)
    }
  }
  return values
}

/**
 * What is wrong with the units of a version, for validateRuleSetDocument: every money output has
 * one; a unit read from an output names a text output whose steps only ever give units.
 */
export function unitProblems(version: RuleSetVersion, label: string): string[] {
  const problems: string[] = []
  const outputs = isObject(version.outputs) ? version.outputs : {}
  const known = UNITS.join(', ')
  for (const [name, output] of Object.entries(outputs)) {
    if (!isObject(output)) continue
    const source = output.unit
    if (source === undefined) {
      if (output.type === 'money') {
        problems.push(`${label}: l'output "${name}" è un importo e deve dire la sua unità in "unit" (${known}).`)
      }
      continue
    }
    if (isUnit(source)) continue
    if (!isObject(source) || typeof source.output !== 'string') {
      problems.push(`${label}: "unit" dell'output "${name}" deve essere uno di ${known}, o { "output": "<nome>" }.`)
      continue
    }
    const from = outputs[source.output]
    if (!isObject(from) || from.type !== 'text') {
      problems.push(
        `${label}: l'unità dell'output "${name}" viene da "${source.output}", che non è un output di testo.`
      )
      continue
    }
    const values = literalValues(version, String(from.var))
    if (values === null || values.length === 0 || !values.every(isUnit)) {
      problems.push(
        `${label}: l'output "${source.output}" (unità di "${name}") deve ricevere solo valori fissi tra ${known}.`
      )
    }
  }
  return problems
}
