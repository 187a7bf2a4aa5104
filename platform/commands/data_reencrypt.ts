import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { reencryptAll, type ReencryptionProgress } from '#services/infrastructure/data_reencryption'
import { RequestContext } from '#services/infrastructure/request_context'

/**
 * Key rotation: re-encrypts every encrypted column, blind index, audit value and attachment file
 * with the first key of DATA_ENCRYPTION_KEYS, and encrypts what is still in clear. Prints its
 * progress (done/total and rate, per table and for the files) and a JSON summary last.
 *
 * Safe to interrupt (Ctrl-C stops after the batch under way; a kill loses at most that batch,
 * rolled back) and resumable: run it again and it takes what is left. When a run ends with
 * nothing left to do, the old key can be removed from the ring.
 *
 * Exit codes: 0 done; 1 some values or files could not be rewritten (named in the summary);
 * 2 interrupted (run it again to finish).
 */
export default class DataReencrypt extends BaseCommand {
  static commandName = 'data:reencrypt'
  static description =
    'Re-encrypt data and files at rest with the newest key of DATA_ENCRYPTION_KEYS (resumable, with progress)'
  static options: CommandOptions = { startApp: true }

  @flags.number({ description: 'Rows (or files) per batch and per transaction', default: 200 })
  declare batchSize: number

  async run() {
    let stopping = false
    const onSignal = () => {
      stopping = true
      this.logger.info('Stopping after the batch under way; run the command again to resume.')
    }
    process.once('SIGINT', onSignal)
    const print = (p: ReencryptionProgress) =>
      this.logger.log(`${p.stage}: ${p.done}/${p.total} done, ${p.rewritten} rewritten (${p.perSecond}/s)`)
    try {
      const report = await RequestContext.asSystem('cli:data:reencrypt', () =>
        reencryptAll({ batchSize: this.batchSize, onProgress: print, shouldStop: () => stopping })
      )
      const rows = report.stages.reduce((sum, s) => sum + s.rewritten, 0)
      this.logger.log(
        report.interrupted
          ? `Interrupted: run "node ace.js data:reencrypt" again to finish with key "${report.keyId}".`
          : `Done in ${report.seconds} s: ${rows} row(s) and ${report.files.rewritten} file(s) now under key "${report.keyId}".`
      )
      this.logger.log(JSON.stringify(report))
      this.exitCode = report.interrupted ? 2 : report.failureCount > 0 ? 1 : 0
    } finally {
      process.off('SIGINT', onSignal)
    }
  }
}
