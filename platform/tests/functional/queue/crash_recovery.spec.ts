import { test } from '@japa/runner'
import { loadDefaultForms } from '#services/content/default_content'
import { forChild } from '#tests/functional/forms/world'
import { smtpCapture } from '#tests/helpers/smtp'
import { ChildServer, childDatabase, childDatabaseVariants, freePort, until } from '#tests/helpers/child_server'

/**
 * The promise made to a citizen: a submission answered 201 is never lost.
 * A real server process (its own database, a real SMTP server, the built-in
 * protocol simulator) takes a burst of submissions and is killed with
 * SIGKILL in the middle of it; once restarted it must protocol and email
 * every submission it accepted, each exactly once.
 *
 * Always on SQLite with the in-process queue; under `npm run test:full` also on
 * PostgreSQL with BullMQ (its own database and queue prefix).
 */
const FORM = 'refezione.iscrizione'
const TENANT = 'piacenza'
const SUBMISSIONS = 60
const CONCURRENCY = 8
/** The kill comes when this many submissions have been answered 201. */
const KILL_AFTER = 20

const variants = childDatabaseVariants('crash')

test.group('Accepted submissions survive kill -9', () => {
  for (const variant of variants) {
    test(`every submission answered 201 is protocolled and receipted exactly once after a restart (${variant.name})`, async ({
      assert,
    }) => {
      const smtp = await smtpCapture()
      const setup = await variant.prepare()
      const port = await freePort()
      const server = new ChildServer({
        ...process.env,
        NODE_ENV: 'test',
        LOG_LEVEL: 'error',
        HOST: '127.0.0.1',
        PORT: String(port),
        SESSION_DRIVER: 'memory',
        SMTP_URL: smtp.url,
        MAIL_FROM: 'Comune di Piacenza <protocollo@comune.example>',
        // A short lease, so the jobs the killed process held run again within the test.
        QUEUE_LEASE_MS: '2000',
        QUEUE_POLL_MS: '200',
        // No DOCAREA: piacenza stays on the built-in protocol simulator.
        DOCAREA_SIMULATOR_PORT: '',
        MAIL_CAPTURE_PORT: '',
        ...setup.env,
      })
      let database: ReturnType<typeof childDatabase> | undefined
      const t0 = Date.now()
      const mark = (what: string) => process.stderr.write(`[crash ${variant.name}] ${what} at ${Date.now() - t0} ms\n`)
      try {
        database = childDatabase(`crash-${process.pid}`, setup.target)
        await database.migrate()
        mark('migrated')
        await server.ace('demo:seed')
        mark('seeded')
        await server.start()
        mark('started')

        // The demo citizen logs in and uploads the identity document the form asks for.
        const login = await fetch(`${server.url}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: 'cittadino@piacenza.demo', password: 'Sportello.2026' }),
        })
        assert.equal(login.status, 200)
        const cookie = login.headers
          .getSetCookie()
          .map((c) => c.split(';')[0])
          .join('; ')
        const base = `${server.url}/api/v1/t/${TENANT}`
        const upload = new FormData()
        upload.append(
          'file',
          new Blob(['%PDF-1.4\n% carta di identità\n%%EOF\n'], { type: 'application/pdf' }),
          'ci.pdf'
        )
        const uploaded = await fetch(`${base}/forms/${FORM}/attachments?field=/identity_document`, {
          method: 'POST',
          headers: { cookie },
          body: upload,
        })
        assert.equal(uploaded.status, 201, await uploaded.clone().text())
        const sample = structuredClone((await loadDefaultForms()).get(FORM)!.json.sample as Record<string, unknown>)
        sample.identity_document = ((await uploaded.json()) as { attachment: unknown }).attachment

        // The burst: CONCURRENCY clients sending one after another, killed when KILL_AFTER got their 201.
        const accepted: number[] = []
        let sent = 0
        let killing: Promise<void> | undefined
        const clientLoop = async () => {
          while (sent < SUBMISSIONS && !killing) {
            const n = sent++
            const response = await fetch(`${base}/forms/${FORM}/submit`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', cookie },
              body: JSON.stringify({ data: forChild(sample, n) }),
            }).catch(() => null)
            if (!response) return
            if (response.status !== 201) {
              if (killing) return
              throw new Error(`A valid submission was answered ${response.status}: ${await response.text()}`)
            }
            accepted.push(((await response.json()) as { submission: { id: number } }).submission.id)
            if (accepted.length === KILL_AFTER) killing = server.kill9()
          }
        }
        await Promise.all(Array.from({ length: CONCURRENCY }, clientLoop))
        await killing
        mark(`killed after ${accepted.length} accepted`)
        assert.isAtLeast(accepted.length, KILL_AFTER)

        const child = database.connection
        const statusOf = async (): Promise<Array<{ id: number; status: string; protocol_number: string }>> =>
          child.from('submissions').whereIn('id', accepted).select('id', 'status', 'protocol_number')
        // The kill left work undone: accepted submissions still waiting for their protocol number.
        const atKill = await statusOf()
        assert.lengthOf(atKill, accepted.length, 'every submission answered 201 is stored')
        const undone = atKill.filter((s) => s.status === 'submitted').length
        assert.isAbove(undone, 0, 'the kill came before the queue had caught up')

        await server.start()
        mark('restarted')
        const mailsFor = (id: number) =>
          smtp.received.filter((m) => (/\(n\. (\d+)\)/.exec(m.text ?? '') ?? [])[1] === String(id)).length
        const flaggedMail = async () =>
          new Set(
            (await child.from('external_attempts').where({ kind: 'mail', status: 'needs_review' })).map((r) =>
              Number(r.subject_id)
            )
          )
        await until(
          'every accepted submission protocolled and its receipt sent (or flagged)',
          async () => {
            const flagged = await flaggedMail()
            const rows = await statusOf()
            return rows.every((s) => s.status === 'protocolled' && (mailsFor(s.id) === 1 || flagged.has(s.id)))
          },
          40_000
        )
        mark(`caught up (${undone} of ${accepted.length} accepted were waiting at the kill)`)
        // A moment more, for any second email that should not come.
        await new Promise((resolve) => setTimeout(resolve, 1500))

        const submissions = await statusOf()
        assert.lengthOf(submissions, accepted.length, 'each stored once')
        const entries: Array<{ idempotency_key: string; year: number; number: number }> = await child
          .from('protocol_entries')
          .select('idempotency_key', 'year', 'number')
        const flagged = await flaggedMail()
        for (const submission of submissions) {
          assert.equal(submission.status, 'protocolled', `submission ${submission.id}`)
          const own = entries.filter((e) => e.idempotency_key === `submission:${submission.id}`)
          assert.lengthOf(own, 1, `one protocol entry for submission ${submission.id}`)
          assert.equal(
            submission.protocol_number,
            `${own[0].year}/${String(own[0].number).padStart(7, '0')}`,
            `submission ${submission.id} carries its entry's number`
          )
          // Never two emails. None only when the kill cut the SMTP exchange itself: then the
          // sending waits for an operator (needs_review) instead of being repeated.
          const mails = mailsFor(submission.id)
          assert.isAtMost(mails, 1, `at most one email for submission ${submission.id}`)
          if (!flagged.has(submission.id)) assert.equal(mails, 1, `one email for submission ${submission.id}`)
        }
        const numbers = entries.map((e) => `${e.year}/${e.number}`)
        assert.equal(new Set(numbers).size, numbers.length, 'protocol numbers are unique')
        assert.isAtMost(flagged.size, 4, 'only the sendings in flight at the kill can be flagged')
      } catch (error) {
        ;(error as Error).message += `\n--- server output ---\n${server.output}`
        throw error
      } finally {
        await server.kill9()
        await database?.release()
        await smtp.close()
        await setup.cleanup()
      }
    })
      .timeout(150_000)
      .tags(variant.tags)
  }
})
