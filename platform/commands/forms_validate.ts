import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import Tenant from '#models/tenant'
import { validateWithCatalog } from '#services/tenants/school_catalog_service'
import { normaliseFormData } from '#shared/normalise'
import { findCurrentForm } from '#services/definitions/form_service'
import { RequestContext } from '#services/infrastructure/request_context'

/**
 * Validates a data file against a tenant's form, exactly as the API does on
 * submit (same validator, same form version: the one in force in the DB, same
 * school catalog: the tenant's).
 *
 * stdout: only `{"valid": bool, "errors": [{path, rule, message}]}`, so it can be piped.
 * Exit codes: 0 valid; 1 invalid; 2 unknown tenant or form, or a data file
 * that cannot be read as JSON, or a missing flag (the reason, as JSON, on stderr).
 * The flags are checked here rather than marked required, so that a usage
 * error exits 2 and never looks like an invalid submission (1).
 */
export default class FormsValidate extends BaseCommand {
  static commandName = 'forms:validate'
  static description = 'Validate a JSON data file against a tenant form (exit 0 valid, 1 invalid, 2 usage error)'
  static options: CommandOptions = { startApp: true }

  @flags.string({ description: 'Tenant slug, e.g. piacenza' })
  declare tenant?: string

  @flags.string({ description: 'Form key (refezione.iscrizione) or numeric id' })
  declare form?: string

  @flags.string({ description: 'JSON file with the form data, relative to the current directory' })
  declare data?: string

  @flags.string({ description: 'Language of the messages: it (default) or en' })
  declare lang?: string

  async run() {
    const { tenant: slug, form: formRef, data: dataFile } = this
    if (!slug || !formRef || !dataFile) {
      const missing = Object.entries({ tenant: slug, form: formRef, data: dataFile }).filter(([, v]) => !v)
      return this.#fail(`missing ${missing.map(([name]) => `--${name}`).join(', ')}`)
    }
    const file = resolve(process.cwd(), dataFile)
    let data: unknown
    try {
      data = JSON.parse(await readFile(file, 'utf8'))
    } catch (error) {
      return this.#fail(`cannot read ${file} as JSON: ${(error as Error).message}`)
    }

    const lang = this.lang === 'en' ? 'en' : 'it'
    const result = await RequestContext.asSystem('forms:validate', async () => {
      const tenant = await Tenant.findBy('slug', slug)
      if (!tenant) return `unknown tenant "${slug}"`
      return RequestContext.withTenant(tenant.ref, async () => {
        const current = await findCurrentForm(formRef)
        if (!current) return `tenant "${slug}" has no form "${formRef}"`
        // Checked as the API would store it: a lower-case codice fiscale is upper-cased first.
        return validateWithCatalog(current.definition, normaliseFormData(current.definition.schema, data), { lang })
      })
    })
    if (typeof result === 'string') return this.#fail(result)

    process.stdout.write(JSON.stringify({ valid: result.valid, errors: result.errors }) + '\n')
    this.exitCode = result.valid ? 0 : 1
  }

  #fail(message: string) {
    process.stderr.write(JSON.stringify({ error: message }) + '\n')
    this.exitCode = 2
  }
}
