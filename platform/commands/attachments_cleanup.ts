import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { cleanupAttachments } from '#services/submissions/attachment_cleanup'
import { RequestContext } from '#services/infrastructure/request_context'

/**
 * Runs the nightly retention cleanup of uploaded files now, for support: every
 * tenant or one, for real or `--dry-run` (lists, deletes nothing).
 *
 * stdout: only JSON, `{"dry_run", "tenants": [report per tenant], "failures"}`, so it can be piped.
 * Exit codes: 0 done; 1 a tenant failed (named in "failures"); 2 unknown tenant (the reason, as JSON, on stderr).
 */
export default class AttachmentsCleanup extends BaseCommand {
  static commandName = 'attachments:cleanup'
  static description = 'Delete uploaded files no submission needs any more (retention policy); --dry-run only lists'
  static options: CommandOptions = { startApp: true }

  @flags.string({ description: 'Only this tenant (slug, e.g. piacenza); every tenant when absent' })
  declare tenant?: string

  @flags.boolean({ description: 'List what would be deleted, delete nothing' })
  declare dryRun?: boolean

  async run() {
    const dryRun = this.dryRun === true
    let result: Awaited<ReturnType<typeof cleanupAttachments>>
    try {
      result = await RequestContext.asSystem('cli:attachments:cleanup', () =>
        cleanupAttachments({ tenant: this.tenant, dryRun })
      )
    } catch (error) {
      process.stderr.write(JSON.stringify({ error: (error as Error).message }) + '\n')
      this.exitCode = 2
      return
    }
    this.logger.log(JSON.stringify({ dry_run: dryRun, tenants: result.reports, failures: result.failures }))
    this.exitCode = result.failures.length > 0 ? 1 : 0
  }
}
