import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { resolve } from 'node:path'
import { exportTenant, TenantExportError } from '#services/tenants/tenant_export'
import { RequestContext } from '#services/infrastructure/request_context'

/**
 * One tenant's whole data into a folder: CSV per table, a PostgreSQL script, the uploaded files,
 * the data dictionary and a decryption helper (app/services/tenants/tenant_export.ts). For the comune at
 * the end of a contract, or on request.
 *
 * stdout: only JSON, `{"tenant", "out", "tables": {<table>: rows}, "attachments", "undescribed"}`.
 * Exit codes: 0 done; 2 wrong input (unknown tenant, folder not empty, a table that cannot be
 * told apart by tenant), the reason as JSON on stderr.
 */
export default class TenantExport extends BaseCommand {
  static commandName = 'tenant:export'
  static description = "Export one tenant's whole data (CSV per table, PostgreSQL script, files, data dictionary)"
  static options: CommandOptions = { startApp: true }

  @flags.string({ description: 'The tenant (slug, e.g. piacenza)', required: true })
  declare tenant: string

  @flags.string({ description: 'A new or empty folder to write into', required: true })
  declare out: string

  async run() {
    try {
      const result = await RequestContext.asSystem('cli:tenant:export', () =>
        exportTenant({ tenant: this.tenant, out: resolve(process.cwd(), this.out) })
      )
      this.logger.log(
        JSON.stringify({
          tenant: result.tenant.slug,
          out: result.out,
          tables: Object.fromEntries(result.tables.map((t) => [t.table, t.rows])),
          attachments: result.attachments,
          undescribed: result.undescribed,
        })
      )
    } catch (error) {
      if (!(error instanceof TenantExportError)) throw error
      process.stderr.write(JSON.stringify({ error: error.message }) + '\n')
      this.exitCode = 2
    }
  }
}
