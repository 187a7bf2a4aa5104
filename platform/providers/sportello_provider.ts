import type { ApplicationService } from '@adonisjs/core/types'
import { DataCipher, setDataCipher } from '#services/data_cipher'
import { PluginManifestError } from '#plugins/manifest_validator'
import { PluginRegistry, setPluginRegistry, pluginRegistry } from '#plugins/registry'
import { createQueue, setJobQueue } from '#queue/queue_factory'
import type { JobQueue } from '#queue/types'

/**
 * Boots what the whole platform shares: the data cipher, the plugin registry
 * (an invalid manifest stops the boot here, naming the plugin and field) and
 * the job queue: jobs can be written from any process, and run in the web
 * process (and in tests).
 */
export default class SportelloProvider {
  #queue: JobQueue | undefined
  #mailCapture: { close(): void } | undefined
  #docarea: { close(): Promise<void> } | undefined
  #started = false

  constructor(protected app: ApplicationService) {}

  async boot() {
    const { default: env } = await import('#start/env')
    setDataCipher(new DataCipher(env.get('DATA_ENCRYPTION_KEYS')))
    try {
      setPluginRegistry(await new PluginRegistry().discover())
    } catch (error) {
      if (!(error instanceof PluginManifestError)) throw error
      // A person must fix this: print the problems plainly, one a line, and stop.
      process.stderr.write(`${error.message}\n`)
      process.exit(1)
    }
  }

  async ready() {
    const { default: env } = await import('#start/env')
    const logger = await this.app.container.make('logger')
    const { default: db } = await import('@adonisjs/lucid/services/db')
    // Every process can write jobs (they are rows in the database); only the web and test
    // processes run them (start below), so a CLI command that enqueues leaves the work to them.
    this.#queue = createQueue(
      {
        redisUrl: env.get('REDIS_URL'),
        prefix: env.get('QUEUE_PREFIX'),
        leaseMs: env.get('QUEUE_LEASE_MS'),
        pollMs: env.get('QUEUE_POLL_MS'),
      },
      logger,
      db
    )
    for (const plugin of pluginRegistry().all()) {
      for (const [name, job] of Object.entries(plugin.manifest.jobs ?? {})) {
        this.#queue.define(`${plugin.manifest.id}.${name}`, { handle: job.handle, attempts: job.attempts })
      }
    }
    // Imported here, after boot: they load models, which need the database provider booted.
    const { SUBMISSION_RECEIPT_JOB } = await import('#services/submission_service')
    const { submissionReceiptJob } = await import('#services/submission_receipt_job')
    const { startMailCapture } = await import('#services/mail_capture')
    const { ATTACHMENTS_CLEANUP_JOB, ATTACHMENTS_CLEANUP_CRON, attachmentsCleanupJob } =
      await import('#services/attachment_cleanup')
    this.#queue.define(SUBMISSION_RECEIPT_JOB, submissionReceiptJob)
    this.#queue.define(ATTACHMENTS_CLEANUP_JOB, attachmentsCleanupJob)
    setJobQueue(this.#queue)
    if (!['web', 'test'].includes(this.app.getEnvironment())) return
    const capturePort = env.get('MAIL_CAPTURE_PORT')
    if (capturePort && this.app.getEnvironment() === 'web') {
      this.#mailCapture = await startMailCapture(capturePort, this.app.makePath('tmp/mail'))
      logger.info(`Local mail capture on smtp://127.0.0.1:${capturePort}, messages in tmp/mail/`)
    }
    const docareaPort = env.get('DOCAREA_SIMULATOR_PORT')
    if (docareaPort && this.app.getEnvironment() === 'web') {
      const { startDemoDocarea } = await import('#integrations/docarea/docarea_demo')
      const simulator = await startDemoDocarea(docareaPort, this.app.makePath('tmp/docarea'))
      this.#docarea = simulator
      logger.info(`Local DOCAREA protocol simulator on ${simulator.url}, register in tmp/docarea/`)
    }
    // Jobs written before this start (by a process that died, or while none ran them) run now.
    this.#started = true
    await this.#queue.start()
    for (const plugin of pluginRegistry().all()) {
      for (const [name, job] of Object.entries(plugin.manifest.jobs ?? {})) {
        if (job.schedule) await this.#queue.schedule(`${plugin.manifest.id}.${name}`, job.schedule)
      }
    }
    await this.#queue.schedule(ATTACHMENTS_CLEANUP_JOB, ATTACHMENTS_CLEANUP_CRON, {}, { tz: 'Europe/Rome' })
  }

  async shutdown() {
    this.#mailCapture?.close()
    await this.#docarea?.close()
    if (this.#started) await this.#queue?.close()
  }
}
