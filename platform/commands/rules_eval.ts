import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import Tenant from '#models/tenant'
import { FormulaError, NoVersionInForceError, RuleSetError } from '#rules/engine'
import { isIsoDate } from '#rules/version_picker'
import { RequestContext } from '#services/infrastructure/request_context'
import {
  FactsErrors,
  ruleSetService,
  RuleSetNotFoundError,
  RuleSetRequestError,
} from '#services/definitions/ruleset_service'

/**
 * Exit codes, for scripts that call the command:
 *   0  the results are on stdout;
 *   1  something named does not exist or cannot be read (tenant, rule set,
 *      facts file), or the rule set itself failed (a broken formula);
 *   2  the input is wrong: a missing or malformed flag, a facts file that is
 *      not JSON, facts that break the rule set's schema, or a date at which
 *      no version is in force.
 * Stdout carries only the JSON answer; every error is one JSON object on
 * stderr, `{"errors": [{"message", ...}]}`, facts errors naming each fact.
 */
export const EXIT_NOT_FOUND = 1
export const EXIT_BAD_INPUT = 2

class CliFailure extends Error {
  constructor(
    readonly exitCode: number,
    readonly payload: Record<string, unknown>
  ) {
    super('cli failure')
  }
}

function fail(exitCode: number, message: string, extra: Record<string, unknown> = {}): never {
  throw new CliFailure(exitCode, { errors: [{ message, ...extra }] })
}

/** Reads the facts file as the user named it, relative to the directory the command was started from. */
async function readFacts(path: string): Promise<unknown> {
  const file = resolve(process.cwd(), path)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    fail(EXIT_NOT_FOUND, `Impossibile leggere il file dei dati "${path}" / cannot read the facts file`, {
      file,
      reason: (error as NodeJS.ErrnoException).code ?? (error as Error).message,
    })
  }
  try {
    return JSON.parse(text)
  } catch (error) {
    fail(EXIT_BAD_INPUT, `Il file dei dati "${path}" non è JSON valido / the facts file is not valid JSON`, {
      file,
      reason: (error as Error).message,
    })
  }
}

/** Opens the context a command works in: the named tenant, acted on by the command itself. */
export async function inTenant<T>(label: string, slug: string, fn: () => Promise<T>): Promise<T> {
  return RequestContext.asSystem(label, async () => {
    const tenant = await Tenant.findBy('slug', slug)
    if (!tenant) fail(EXIT_NOT_FOUND, `Ente "${slug}" non trovato / tenant not found`)
    return RequestContext.withTenant(tenant.ref, fn)
  })
}

/** Turns the service's errors into the exit code and the JSON a script reads on stderr. */
export function asFailure(error: unknown): CliFailure {
  if (error instanceof CliFailure) return error
  if (error instanceof RuleSetNotFoundError)
    return new CliFailure(EXIT_NOT_FOUND, { errors: [{ message: error.message }] })
  if (error instanceof FactsErrors) return new CliFailure(EXIT_BAD_INPUT, { errors: error.errors })
  if (error instanceof RuleSetRequestError || error instanceof NoVersionInForceError) {
    return new CliFailure(EXIT_BAD_INPUT, { errors: [{ message: error.message }] })
  }
  if (error instanceof FormulaError || error instanceof RuleSetError) {
    return new CliFailure(EXIT_NOT_FOUND, { errors: [{ message: error.message }] })
  }
  throw error
}

export function requireFlag(name: string, value: string | undefined): string {
  if (typeof value !== 'string' || value.length === 0) {
    fail(EXIT_BAD_INPUT, `Indicare --${name} / the --${name} flag is required`)
  }
  return value
}

export default class RulesEval extends BaseCommand {
  static commandName = 'rules:eval'
  static description =
    "Evaluate a tenant's rule set at a date on the facts in a JSON file (an object or an array); prints JSON"
  static options: CommandOptions = { startApp: true }

  @flags.string({ description: 'Tenant slug, e.g. piacenza' })
  declare tenant: string | undefined

  @flags.string({ description: 'Rule set id, e.g. refezione.tariffa' })
  declare ruleset: string | undefined

  @flags.string({ description: 'Date of the evaluation, YYYY-MM-DD' })
  declare at: string | undefined

  @flags.string({
    description: 'JSON file with one facts object or an array of them (relative to the current directory)',
  })
  declare facts: string | undefined

  async run() {
    try {
      const slug = requireFlag('tenant', this.tenant)
      const ruleset = requireFlag('ruleset', this.ruleset)
      const at = requireFlag('at', this.at)
      if (!isIsoDate(at)) {
        fail(
          EXIT_BAD_INPUT,
          `La data "${at}" non è valida: usare il formato AAAA-MM-GG / --at must be a date YYYY-MM-DD`
        )
      }
      const facts = await readFacts(requireFlag('facts', this.facts))
      const result = await inTenant('rules:eval', slug, () => ruleSetService.evaluate(ruleset, at, facts))
      process.stdout.write(JSON.stringify(result) + '\n')
    } catch (error) {
      const failure = asFailure(error)
      process.stderr.write(JSON.stringify(failure.payload) + '\n')
      this.exitCode = failure.exitCode
    }
  }
}
