import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import { GpdSimulator } from '#integrations/pagopa/gpd_simulator'
import { parseNoticeNumber } from '#integrations/pagopa/notice_number'
import { schoolYearOf } from '#services/billing/monthly_fees'
import { smtpCapture } from '#tests/helpers/smtp'
import { ChildServer, childDatabase, childDatabaseVariants, freePort, until } from '#tests/helpers/child_server'
import { startProcess, type Started } from '#tests/helpers/processes'

/**
 * The monthly run's promise: killed at any point and run again, it ends with one charge per child
 * and month, one position (with its own notice number) per paying parent, each published on GPD
 * and its notice emailed once. A real process runs the run of a tenant with a few hundred children,
 * a few payers per transaction so that several batches commit before the kill, and is killed with
 * SIGKILL while the run is collecting, restarted, killed again while its notices are going out, and
 * restarted again: the queue takes the run's jobs again each time, and the run must end done with
 * nothing twice.
 *
 * Always on SQLite with the in-process queue (one process, killed); under `npm run test:full` also
 * on PostgreSQL with BullMQ (a web process and a worker process: the worker is killed).
 */
const TENANT = 'piacenza'
const SERVICE = 'rette'
const PAYERS = 200
/** Every fourth payer has a second child. */
const CHILDREN = PAYERS + PAYERS / 4
const PER_TRANSACTION = 5
const ORG = '00229080338'
const KEY_ENV = 'PAGOPA_KEY_BILLING_CRASH'

const variants = childDatabaseVariants('billing-crash')

type Connection = ReturnType<typeof childDatabase>['connection']

/**
 * The billed families, written into the child's database by copying the demo citizen's rows (its
 * user with a codice fiscale, its enrolment's application and enrolment): PAYERS parents, CHILDREN
 * children enrolled in `rette` at 40.00 a month for the school year of `period`.
 */
async function seedFamilies(child: Connection, gpdUrl: string, period: string) {
  const tenant = await child.from('tenants').where('slug', TENANT).firstOrFail()
  const settings = typeof tenant.settings === 'string' ? JSON.parse(tenant.settings) : tenant.settings
  settings.pagopa = {
    segregationCode: '01',
    fiscalCode: ORG,
    iban: 'IT60X0542811101000000123456',
    baseUrl: gpdUrl,
    subscriptionKeyEnv: KEY_ENV,
  }
  settings.notices = { email: { from: 'Comune di Piacenza <avvisi@comune.example>' } }
  const now = DateTime.now().toFormat('yyyy-MM-dd HH:mm:ss')
  await child
    .from('tenants')
    .where('id', tenant.id)
    .update({ settings: JSON.stringify(settings) })
  await child.table('tenant_plugins').insert({
    tenant_id: tenant.id,
    plugin_id: SERVICE,
    enabled: true,
    enabled_at: now,
    created_at: now,
  })

  const enrolment = await child.from('enrolments').where('tenant_id', tenant.id).orderBy('id').firstOrFail()
  const submission = await child.from('submissions').where('id', enrolment.submission_id).firstOrFail()
  const parent = await child.from('users').where('id', enrolment.applicant_user_id).firstOrFail()
  if (!parent.fiscal_code) throw new Error('The demo enrolment is expected to name a parent with a codice fiscale')
  const without = (row: Record<string, unknown>) => {
    const { id: _id, ...rest } = row
    return rest
  }
  const payerIds: number[] = []
  for (let i = 0; i < PAYERS; i += 100) {
    const rows = Array.from({ length: Math.min(100, PAYERS - i) }, (_, k) => ({
      ...without(parent),
      email: `genitore-${i + k}@crash.example`,
      fiscal_code_hash: `${parent.fiscal_code_hash}-${i + k}`,
      full_name: `Genitore ${i + k}`,
    }))
    await child.table('users').multiInsert(rows)
  }
  for (const row of await child.from('users').whereLike('email', '%@crash.example').orderBy('id').select('id')) {
    payerIds.push(Number(row.id))
  }
  if (payerIds.length !== PAYERS) throw new Error(`${payerIds.length} payers written, ${PAYERS} expected`)
  const payerOf = (n: number) => payerIds[n < PAYERS ? n : (n - PAYERS) * 4]
  const submissions = Array.from({ length: CHILDREN }, (_, n) => ({
    ...without(submission),
    applicant_user_id: payerOf(n),
    submitted_by_user_id: payerOf(n),
    protocol_number: null,
    status: 'accepted',
    data: JSON.stringify({ crash: n }),
  }))
  for (let i = 0; i < submissions.length; i += 100) {
    await child.table('submissions').multiInsert(submissions.slice(i, i + 100))
  }
  const written = await child
    .from('submissions')
    .whereIn('applicant_user_id', payerIds)
    .orderBy('id')
    .select('id', 'applicant_user_id')
  const enrolments = written.map((s) => ({
    ...without(enrolment),
    service: SERVICE,
    school_year: schoolYearOf(period),
    submission_id: s.id,
    applicant_user_id: s.applicant_user_id,
    status: 'active',
    tariff_amount: '40.00',
    tariff_ruleset: 'rette.tariffa',
    tariff_version: 1,
    tariff_at: `${period}-01`,
    tariff_missing_reason: null,
    created_at: now,
  }))
  for (let i = 0; i < enrolments.length; i += 100) {
    await child.table('enrolments').multiInsert(enrolments.slice(i, i + 100))
  }
  return { tenantId: Number(tenant.id), payerIds }
}

test.group('Monthly billing run survives kill -9', () => {
  for (const variant of variants) {
    test(`killed mid-run and restarted: one charge per child, one position and one notice per payer (${variant.name})`, async ({
      assert,
    }) => {
      const smtp = await smtpCapture()
      process.env[KEY_ENV] = 'crash-key'
      const gpd = await new GpdSimulator({ keys: [{ key: 'crash-key', organizations: [ORG] }] }).start()
      const setup = await variant.prepare()
      const port = await freePort()
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        NODE_ENV: 'test',
        LOG_LEVEL: 'error',
        HOST: '127.0.0.1',
        PORT: String(port),
        SESSION_DRIVER: 'memory',
        SMTP_URL: smtp.url,
        MAIL_FROM: 'Comune di Piacenza <protocollo@comune.example>',
        [KEY_ENV]: 'crash-key',
        BILLING_PAYERS_PER_TRANSACTION: String(PER_TRANSACTION),
        // A short lease, so the jobs the killed process held run again within the test.
        QUEUE_LEASE_MS: '2000',
        QUEUE_POLL_MS: '200',
        // A notice whose sending the kill cut is taken as interrupted (uncertain, never resent) within the test.
        NOTICE_SENDING_LEASE_MS: '4000',
        DOCAREA_SIMULATOR_PORT: '',
        MAIL_CAPTURE_PORT: '',
        GPD_SIMULATOR_PORT: '',
        SMS_SIMULATOR_PORT: '',
        IO_SIMULATOR_PORT: '',
        ...setup.env,
        ...(variant.split ? { PROCESS_ROLE: 'web' } : {}),
      }
      const server = new ChildServer(env)
      const workerEnv = Object.fromEntries(
        Object.entries({ ...server.env, PROCESS_ROLE: undefined }).filter(([, v]) => v !== undefined)
      )
      let worker: Started | undefined
      const startWorker = () => {
        if (variant.split) worker = startProcess('bin/worker.ts', workerEnv)
      }
      /** The process that runs the jobs: the worker when apart, else the one server. */
      const killRunner = async () => {
        if (!variant.split) return server.kill9()
        const running = worker
        if (!running || running.child.exitCode !== null || running.child.signalCode !== null) return
        running.child.kill('SIGKILL')
        await running.exited
      }
      const period = DateTime.now().setZone('Europe/Rome').minus({ months: 1 }).toFormat('yyyy-MM')
      let database: ReturnType<typeof childDatabase> | undefined
      const t0 = Date.now()
      const mark = (what: string) =>
        process.stderr.write(`[billing crash ${variant.name}] ${what} at ${Date.now() - t0} ms\n`)
      try {
        database = childDatabase(`billing-crash-${process.pid}`, setup.target)
        await database.migrate()
        await server.ace('demo:seed')
        const child = database.connection
        const { tenantId, payerIds } = await seedFamilies(child, gpd.url, period)
        mark('seeded')
        startWorker()
        await server.start()
        mark('started')

        // The operator starts the month's run, as from the billing page (sessions live in the web
        // process's memory: logged in again after a restart of a single process).
        const logIn = async () => {
          const login = await fetch(`${server.url}/api/v1/auth/login`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ email: 'operatore@piacenza.demo', password: 'Sportello.2026' }),
          })
          assert.equal(login.status, 200, await login.clone().text())
          return login.headers
            .getSetCookie()
            .map((c) => c.split(';')[0])
            .join('; ')
        }
        let cookie = await logIn()
        const runs = `${server.url}/api/v1/t/${TENANT}/billing/runs`
        const started = await fetch(runs, {
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie },
          body: JSON.stringify({ service: SERVICE, period }),
        })
        assert.equal(started.status, 202, await started.clone().text())
        const runId = ((await started.json()) as { run: { id: number } }).run.id

        const positionsOf = () =>
          child
            .from('payment_positions')
            .where('tenant_id', tenantId)
            .where('run_id', runId)
            .select('id', 'payer_user_id', 'iupd', 'iuv', 'nav', 'amount_cents', 'status')
        const runStatus = async () => (await child.from('billing_runs').where('id', runId).firstOrFail()).status
        // The kill comes once some batches are committed and the run is still collecting.
        let atKill = 0
        await until(
          'some batches of the run committed',
          async () => {
            const count = Number((await child.from('payment_positions').where('run_id', runId).count('* as n'))[0].n)
            if (count < PER_TRANSACTION * 3) return false
            atKill = count
            return true
          },
          40_000,
          20
        )
        await killRunner()
        const statusAtKill = await runStatus()
        const positionsAtKill = (await positionsOf()).length
        mark(`killed with ${positionsAtKill} positions of ${PAYERS} (${atKill} seen), run ${statusAtKill}`)
        assert.equal(statusAtKill, 'collecting', 'the kill came while the run was collecting')
        assert.isBelow(positionsAtKill, PAYERS, 'the kill left payers to bill')
        const mailsAtKill = smtp.received.length

        const restart = async () => {
          if (variant.split) return startWorker()
          await server.start()
          cookie = await logIn()
        }
        await restart()
        mark('restarted')
        // The second kill comes while the notices are going out: some emailed, others still to send.
        await until(
          'some notices emailed after the restart',
          async () => smtp.received.length >= mailsAtKill + PAYERS / 10,
          40_000,
          20
        )
        await killRunner()
        const mailsAtSecondKill = smtp.received.length
        mark(`killed again with ${mailsAtSecondKill} notices emailed, run ${await runStatus()}`)
        assert.isBelow(mailsAtSecondKill, PAYERS, 'the second kill left notices to send')
        await restart()
        mark('restarted again')
        const noticesOf = async () =>
          child.from('notices').whereLike('idempotency_key', `%${ORG}-${SERVICE}-%`).select('idempotency_key', 'status')
        const view = async () => {
          const response = await fetch(`${runs}/${runId}`, { headers: { cookie } })
          if (response.status !== 200)
            throw new Error(`The run's page answered ${response.status}: ${await response.text()}`)
          return ((await response.json()) as { run: Record<string, any> }).run
        }
        let last: Record<string, any> = {}
        await until(
          'the run done: every position published and notified',
          async () => {
            last = await view()
            return last.status === 'done'
          },
          // Room for a loaded machine (CI runs suites side by side): this waits for an outcome, it times nothing.
          90_000
        )
        mark(`done (${mailsAtKill} notices emailed before the first kill, ${mailsAtSecondKill} before the second)`)
        // A moment more, for any second email that should not come.
        await new Promise((resolve) => setTimeout(resolve, 1500))

        assert.equal(last.positions.total, PAYERS)
        assert.equal(last.positions.published, PAYERS)
        assert.equal(last.notified, PAYERS)
        assert.equal(last.charges, CHILDREN)
        assert.equal(last.total_cents, CHILDREN * 4000)

        // One charge per child and month.
        const charges = await child
          .from('ledger_entries')
          .where('tenant_id', tenantId)
          .where('kind', 'charge')
          .where('service', SERVICE)
          .where('period', period)
          .select('id', 'enrolment_id', 'payer_user_id', 'amount_cents')
        assert.lengthOf(charges, CHILDREN, 'one charge per child')
        assert.equal(new Set(charges.map((c) => Number(c.enrolment_id))).size, CHILDREN, 'no child charged twice')
        // One position per payer, each with its own valid notice number, asking for its payer's charges once.
        const positions = await positionsOf()
        assert.lengthOf(positions, PAYERS, 'one position per payer')
        assert.sameMembers(
          positions.map((p) => Number(p.payer_user_id)),
          payerIds,
          'every payer has exactly one position'
        )
        assert.equal(new Set(positions.map((p) => p.nav)).size, PAYERS, 'notice numbers are distinct')
        // On PostgreSQL two batches write at once (BILLING_CONCURRENT_TRANSACTIONS), killed mid-way: the
        // run's numbers are still consecutive, none skipped by a batch the kill undid.
        const bases = positions
          .map((p) => BigInt(parseNoticeNumber(String(p.nav))?.base ?? '0'))
          .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
        assert.deepEqual(
          bases.map(String),
          bases.map((_, k) => String(bases[0] + BigInt(k))),
          'notice numbers consecutive'
        )
        for (const position of positions) {
          assert.isNotNull(parseNoticeNumber(position.nav), `notice number ${position.nav} is valid`)
          assert.equal(position.status, 'published', `position ${position.iupd}`)
          const onGpd = gpd.store.findByNav(position.nav, ORG)
          assert.lengthOf(onGpd, 1, `position ${position.iupd} once on GPD`)
        }
        const items = await child
          .from('position_charges')
          .whereIn(
            'position_id',
            positions.map((p) => p.id)
          )
          .select('entry_id')
        assert.lengthOf(items, CHILDREN, 'every charge asked for by one position')
        assert.equal(new Set(items.map((i) => Number(i.entry_id))).size, CHILDREN, 'no charge asked for twice')

        // Each position's notice exactly once: one notice record, one email. A notice whose sending the kill
        // cut is marked uncertain for an operator and never sent again: at most one email for it.
        const notices = await noticesOf()
        assert.lengthOf(notices, PAYERS, 'one notice record per position')
        const uncertain = new Set(notices.filter((n) => n.status === 'uncertain').map((n) => n.idempotency_key))
        for (const position of positions) {
          const mails = smtp.received.filter((m) =>
            m.attachments.some((a) => a.filename === `avviso-${position.nav}.pdf`)
          ).length
          assert.isAtMost(mails, 1, `at most one email for position ${position.iupd}`)
          const own = notices.find((n) => n.idempotency_key.includes(position.iupd))!
          if (!uncertain.has(own.idempotency_key)) assert.equal(mails, 1, `one email for position ${position.iupd}`)
        }
        // An uncertain notice may have been delivered (the kill came after the relay took it): never twice.
        const navs = new Set(positions.map((p) => `avviso-${p.nav}.pdf`))
        const strays = smtp.received.filter((m) => !m.attachments.some((a) => navs.has(a.filename ?? '')))
        assert.lengthOf(strays, 0, "no email other than the positions' notices")
        assert.isAtLeast(smtp.received.length, PAYERS - uncertain.size)
        assert.isAtMost(uncertain.size, 8, 'only the sendings in flight at the kill can be left uncertain')
      } catch (error) {
        ;(error as Error).message +=
          `\n--- server output ---\n${server.output}` + (worker ? `\n--- worker output ---\n${worker.output()}` : '')
        throw error
      } finally {
        await killRunner()
        await server.kill9()
        await database?.release()
        await smtp.close()
        await gpd.close()
        await setup.cleanup()
      }
    })
      .timeout(240_000)
      .tags(variant.tags)
  }
})
