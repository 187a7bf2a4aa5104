import type { FactError } from './types.js'

/** The facts given to a rule set do not match its facts schema; `errors` names each fact. */
export class FactsValidationError extends Error {
  readonly errors: FactError[]

  constructor(ruleset: string, errors: FactError[]) {
    super(
      `Dati non validi per "${ruleset}": ` +
        errors.map((e) => `${e.fact}: ${e.message}`).join('; ') +
        '. Correggere i dati indicati e ripetere il calcolo.'
    )
    this.name = 'FactsValidationError'
    this.errors = errors
  }
}

/** No version of the rule set is in force at the requested date. */
export class NoVersionInForceError extends Error {
  constructor(ruleset: string, at: string) {
    super(
      `Nessuna versione di "${ruleset}" è in vigore il ${at}. ` +
        'Scegliere una data coperta da una versione o pubblicare una versione per quel periodo.'
    )
    this.name = 'NoVersionInForceError'
  }
}

/** A formula failed: syntax outside the grammar, forbidden access, time or memory limit. */
export class FormulaError extends Error {
  readonly formula: string

  constructor(formula: string, message: string) {
    super(`Formula "${formula}": ${message}`)
    this.name = 'FormulaError'
    this.formula = formula
  }
}

/** The rule set document itself is malformed (found when compiling a version). */
export class RuleSetError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'RuleSetError'
  }
}
