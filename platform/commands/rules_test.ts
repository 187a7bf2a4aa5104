import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { ruleSetService } from '#services/definitions/ruleset_service'
import { asFailure, inTenant, requireFlag } from './rules_eval.js'

/**
 * Runs a tenant's golden cases for a rule set and prints `{passed, failed, cases}`
 * as JSON. Exit code 3 when a case fails, so that a script tells a failing
 * case from the errors of rules:eval (1: not found, 2: bad input).
 */
export default class RulesTest extends BaseCommand {
  static commandName = 'rules:test'
  static description = "Run the golden cases of a tenant's rule set (every version, or --version); prints JSON"
  static options: CommandOptions = { startApp: true }

  @flags.string({ description: 'Tenant slug, e.g. piacenza' })
  declare tenant: string | undefined

  @flags.string({ description: 'Rule set id, e.g. refezione.tariffa' })
  declare ruleset: string | undefined

  @flags.number({ description: 'Only this version' })
  declare version: number | undefined

  async run() {
    try {
      const slug = requireFlag('tenant', this.tenant)
      const ruleset = requireFlag('ruleset', this.ruleset)
      const report = await inTenant('rules:test', slug, () => ruleSetService.runTests(ruleset, this.version))
      process.stdout.write(JSON.stringify(report) + '\n')
      if (report.failed > 0) this.exitCode = 3
    } catch (error) {
      const failure = asFailure(error)
      process.stderr.write(JSON.stringify(failure.payload) + '\n')
      this.exitCode = failure.exitCode
    }
  }
}
