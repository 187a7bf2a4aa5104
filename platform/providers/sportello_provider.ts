import type { ApplicationService } from '@adonisjs/core/types'
import { DataCipher, setDataCipher } from '#services/infrastructure/data_cipher'
import { PluginManifestError } from '#plugins/manifest_validator'
import { PluginRegistry, setPluginRegistry, pluginRegistry } from '#plugins/registry'
import { createQueue, setJobQueue } from '#queue/queue_factory'
import type { JobQueue } from '#queue/types'
import { dutiesOf, processRole, ProcessRoleError, type ProcessRole } from '#services/infrastructure/process_role'

/**
 * Boots what the whole platform shares: the data cipher, the plugin registry
 * (an invalid manifest stops the boot here, naming the plugin and field) and
 * the job queue. Every process can write jobs (they are rows of the database,
 * written in the transaction they follow); what else the queue does here follows
 * the process's role (app/services/infrastructure/process_role.ts): only `worker` and `all`
 * consume jobs and register the schedules. Commands enqueue and run nothing.
 */
export default class SportelloProvider {
  #queue: JobQueue | undefined
  #mailCapture: { close(): void } | undefined
  #docarea: { close(): Promise<void> } | undefined
  #payDemo: { close(): Promise<void> } | undefined
  #checkpointer: { stop(): Promise<void> } | undefined

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
    // Plugins' migrations after the platform's; events reaching plugins in the emitter's transaction.
    const { mountPluginMigrations } = await import('#plugins/plugin_migrations')
    mountPluginMigrations(this.app.config.get('database.connections'), pluginRegistry().all(), this.app.makePath())
    const { installEventDelivery } = await import('#events/event_delivery')
    installEventDelivery()
  }

  /** The tests run everything in their one process; commands have no role. */
  #role(): ProcessRole | null {
    return this.app.getEnvironment() === 'test' ? 'all' : processRole()
  }

  /**
   * The queue exists before the HTTP server listens (start runs before it, ready after): a request
   * arriving in the first moment writes its job like any other.
   */
  async start() {
    const role = this.#role()
    const { default: env } = await import('#start/env')
    const logger = await this.app.container.make('logger')
    const { default: db } = await import('@adonisjs/lucid/services/db')
    const { requestLoad } = await import('#services/infrastructure/request_load')
    this.#queue = createQueue(
      {
        redisUrl: env.get('REDIS_URL'),
        prefix: env.get('QUEUE_PREFIX'),
        leaseMs: env.get('QUEUE_LEASE_MS'),
        pollMs: env.get('QUEUE_POLL_MS'),
        concurrency: env.get('QUEUE_CONCURRENCY'),
        // A process that answers requests and runs jobs lets the requests go first.
        requests: role === 'all' ? requestLoad() : undefined,
      },
      logger,
      db
    )
    if (role && role !== 'all' && !this.#queue.shared) {
      throw new ProcessRoleError(
        `PROCESS_ROLE=${role} needs a queue shared between processes: set REDIS_URL (the ${this.#queue.driver} ` +
          'driver runs the jobs only in the process that wrote them), or run one process with PROCESS_ROLE=all'
      )
    }
    // Stop taking work before anything closes: terminating hooks run before the providers shut down,
    // so jobs in flight finish while the database connection (closed by its provider) is still open.
    this.app.terminating(async () => {
      await this.#queue?.close()
    })
    const { definePluginJobs } = await import('#plugins/plugin_jobs')
    const { PLUGIN_EVENT_JOB, pluginEventJob } = await import('#events/event_delivery')
    const { REPORT_RUN_JOB, REPORT_FILES_CLEANUP_JOB, reportRunJob, reportFilesCleanupJob } =
      await import('#reports/report_jobs')
    definePluginJobs(this.#queue, pluginRegistry().all())
    this.#queue.define(PLUGIN_EVENT_JOB, pluginEventJob)
    this.#queue.define(REPORT_RUN_JOB, reportRunJob)
    this.#queue.define(REPORT_FILES_CLEANUP_JOB, reportFilesCleanupJob)
    // Imported here, after boot: they load models, which need the database provider booted.
    const { SUBMISSION_RECEIPT_JOB } = await import('#services/submissions/submission_service')
    const { submissionReceiptJob } = await import('#services/submissions/submission_receipt_job')
    const { ATTACHMENTS_CLEANUP_JOB, attachmentsCleanupJob } = await import('#services/submissions/attachment_cleanup')
    this.#queue.define(SUBMISSION_RECEIPT_JOB, submissionReceiptJob)
    this.#queue.define(ATTACHMENTS_CLEANUP_JOB, attachmentsCleanupJob)
    const { BULK_ACCEPT_JOB, bulkAcceptJob } = await import('#services/submissions/bulk_accept')
    this.#queue.define(BULK_ACCEPT_JOB, bulkAcceptJob)
    const billing = await import('#services/billing/billing_jobs')
    billing.defineBillingJobs(this.#queue)
    // The audit trail shows the batch row that created a record billing audits per batch.
    const { registerBatchAuditResolvers } = await import('#services/infrastructure/audit_query')
    const { billingBatchAudits } = await import('#services/billing/billing_audit')
    registerBatchAuditResolvers(billingBatchAudits)
    const directory = await import('#services/infrastructure/directory_sync')
    this.#queue.define(directory.DIRECTORY_SYNC_JOB, directory.directorySyncJob)
    this.#queue.define(directory.DIRECTORY_SYNC_TENANT_JOB, directory.directorySyncTenantJob)
    const yearEnd = await import('#services/enrolments/year_end')
    this.#queue.define(yearEnd.ENROLMENTS_YEAR_END_JOB, yearEnd.enrolmentsYearEndJob)
    setJobQueue(this.#queue)
  }

  async ready() {
    const role = this.#role()
    const duties = role ? dutiesOf(role) : null
    // A command writes jobs (a web or worker process runs them) and starts nothing else.
    if (!duties || !this.#queue) return
    const { default: env } = await import('#start/env')
    const logger = await this.app.container.make('logger')
    // On SQLite, the log is copied into the database by a thread of its own (config/database.ts).
    if (this.app.config.get('database.connection') === 'sqlite') {
      const { SqliteCheckpointer } = await import('#services/infrastructure/sqlite_checkpointer')
      this.#checkpointer = new SqliteCheckpointer(
        this.app.config.get('database.connections.sqlite.connection.filename'),
        logger
      )
    }
    const { startMailCapture } = await import('#services/infrastructure/mail_capture')
    const capturePort = env.get('MAIL_CAPTURE_PORT')
    if (capturePort && duties.simulators && this.app.getEnvironment() === 'web') {
      this.#mailCapture = await startMailCapture(capturePort, this.app.makePath('tmp/mail'))
      logger.info(`Local mail capture on smtp://127.0.0.1:${capturePort}, messages in tmp/mail/`)
    }
    const docareaPort = env.get('DOCAREA_SIMULATOR_PORT')
    if (docareaPort && duties.simulators && this.app.getEnvironment() === 'web') {
      const { startDemoDocarea } = await import('#integrations/docarea/docarea_demo')
      const simulator = await startDemoDocarea(docareaPort, this.app.makePath('tmp/docarea'))
      this.#docarea = simulator
      logger.info(`Local DOCAREA protocol simulator on ${simulator.url}, register in tmp/docarea/`)
    }
    if (duties.simulators && this.app.getEnvironment() === 'web') {
      const { startPayDemo } = await import('#integrations/pay_demo')
      const ports = {
        gpd: env.get('GPD_SIMULATOR_PORT'),
        sms: env.get('SMS_SIMULATOR_PORT'),
        io: env.get('IO_SIMULATOR_PORT'),
      }
      const demo = await startPayDemo(ports, (name) => this.app.makePath('tmp', name))
      this.#payDemo = demo
      for (const s of demo.started) logger.info(`Local ${s.name} simulator on ${s.url}`)
    }
    if (!duties.consumers) return
    // Jobs written before this start (by a process that died, or while none ran them) run now.
    await this.#queue.start()
    // The tests register no schedule: their rows live in one global transaction the whole process
    // shares, so a cron run firing mid-test (the canteen's cut-off, every five minutes of the morning)
    // would act on a test's rows at a time the wall clock picks. A test runs a job by hand.
    if (!duties.scheduler || this.app.getEnvironment() === 'test') return
    const { schedulePluginJobs } = await import('#plugins/plugin_jobs')
    const { REPORT_FILES_CLEANUP_JOB, REPORT_FILES_CLEANUP_CRON } = await import('#reports/report_jobs')
    const { ATTACHMENTS_CLEANUP_JOB, ATTACHMENTS_CLEANUP_CRON } =
      await import('#services/submissions/attachment_cleanup')
    await schedulePluginJobs(this.#queue, pluginRegistry().all())
    await this.#queue.schedule(REPORT_FILES_CLEANUP_JOB, REPORT_FILES_CLEANUP_CRON, {}, { tz: 'Europe/Rome' })
    await this.#queue.schedule(ATTACHMENTS_CLEANUP_JOB, ATTACHMENTS_CLEANUP_CRON, {}, { tz: 'Europe/Rome' })
    const { scheduleBillingJobs } = await import('#services/billing/billing_jobs')
    await scheduleBillingJobs(this.#queue)
    const { DIRECTORY_SYNC_JOB, DIRECTORY_SYNC_CRON } = await import('#services/infrastructure/directory_sync')
    await this.#queue.schedule(DIRECTORY_SYNC_JOB, DIRECTORY_SYNC_CRON, {}, { tz: 'Europe/Rome' })
    const { ENROLMENTS_YEAR_END_JOB, ENROLMENTS_YEAR_END_CRON } = await import('#services/enrolments/year_end')
    await this.#queue.schedule(ENROLMENTS_YEAR_END_JOB, ENROLMENTS_YEAR_END_CRON, {}, { tz: 'Europe/Rome' })
  }

  /** The queue is closed earlier, when the application starts terminating (see start()). */
  async shutdown() {
    this.#mailCapture?.close()
    await this.#docarea?.close()
    await this.#payDemo?.close()
    await this.#checkpointer?.stop()
  }
}
