import { test } from '@japa/runner'
import { createServer } from 'node:http'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import db from '@adonisjs/lucid/services/db'
import Submission from '#models/submission'
import type Tenant from '#models/tenant'
import { RequestContext } from '#services/infrastructure/request_context'
import { configureMailer } from '#services/infrastructure/mailer'
import { externalAttempts } from '#services/infrastructure/external_attempts'
import { jobQueue } from '#queue/queue_factory'
import { DocareaProtocol } from '#integrations/docarea/docarea_client'
import { DocareaSimulator } from '#integrations/docarea/docarea_simulator'
import type { ProtocolRequest } from '#integrations/protocol'
import { FORM, refezioneTenant } from './world.js'
import { transactionWithJobs } from '../../helpers/world.js'
import { smtpCapture } from '../../helpers/smtp.js'

const USER = { codEnte: 'C_G535', username: 'sportello', password: 'password-del-test' }
const PASSWORD_ENV = 'DOCAREA_PASSWORD_TEST_REVIEW'

async function useDocarea(tenant: Tenant, url: string) {
  await RequestContext.asSystem('test', async () => {
    tenant.settings = {
      ...tenant.settings,
      protocol: { driver: 'docarea', url, codEnte: USER.codEnte, username: USER.username, passwordEnv: PASSWORD_ENV },
    }
    await tenant.save()
  })
}

/** A loopback port nothing listens on: connections to it are refused. */
async function closedPort() {
  const probe = createServer()
  probe.listen(0, '127.0.0.1')
  await once(probe, 'listening')
  const { port } = probe.address() as AddressInfo
  await new Promise((resolve) => probe.close(resolve))
  return port
}

async function until(predicate: () => Promise<boolean> | boolean, timeoutMs = 10_000) {
  const started = Date.now()
  while (!(await predicate())) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** The receipt email's key, as the job derives it from the stored submission. */
function receiptKey(submission: Submission) {
  return `receipt:${submission.tenantId}:${submission.id}:${submission.submittedAt?.toMillis()}`
}

/** The key of the submission's first receipt job. */
async function receiptJobKey(submissionId: number): Promise<string> {
  const row = await db.from('jobs').where('key', 'like', `receipt:%:${submissionId}:%`).orderBy('id', 'asc').first()
  return row.key
}

/** The state of the submission's first receipt job, as the queue tells it. */
async function receiptJobState(submission: Submission) {
  return jobQueue().state(await receiptJobKey(submission.id))
}

/** The submission's job failed its first attempt and waits for its retry (BullMQ says "delayed"). */
async function waitingForRetry(submissionId: number) {
  const key = await receiptJobKey(submissionId)
  const state = await jobQueue().state(key)
  if (state === 'delayed') return true
  const row = await db.from('jobs').where('key', key).first()
  return state === 'waiting' && Number(row.attempts) >= 1
}

test.group('Calls interrupted by a crash are flagged for an operator, never repeated', (group) => {
  group.each.setup(() => transactionWithJobs())
  group.each.setup(() => {
    process.env[PASSWORD_ENV] = USER.password
    return () => {
      delete process.env[PASSWORD_ENV]
      configureMailer(undefined)
    }
  })

  test('a DOCAREA registration whose run died after protocollazione is not registered again', async ({
    client,
    assert,
  }) => {
    const simulator = await new DocareaSimulator({ users: [USER] }).start()
    const smtp = await smtpCapture()
    configureMailer(smtp.url)
    try {
      const { tenant, citizen, operator, base, sample } = await refezioneTenant()
      // DOCAREA is out of reach for the job's first attempt, which then waits 2 s for its retry.
      await useDocarea(tenant, `http://127.0.0.1:${await closedPort()}/JProtocolloDocArea/services/DOCAREAProtoSoap`)
      const response = await client.post(`${base}/forms/${FORM}/submit`).json({ data: sample }).loginAs(citizen)
      response.assertStatus(201)
      const id: number = response.body().submission.id
      await until(() => waitingForRetry(id))

      // Meanwhile a run of this registration (another process) reaches DOCAREA and dies right after
      // its answer, before writing anything: its attempt stays pending, the document is registered.
      let answered: () => void = () => {}
      const registeredRemotely = new Promise<void>((resolve) => (answered = resolve))
      class DiesAfterTheAnswer extends DocareaProtocol {
        override async protocollazione(segnatura: string) {
          await super.protocollazione(segnatura)
          answered()
          return new Promise<never>(() => {})
        }
      }
      const dying = new DiesAfterTheAnswer({
        url: simulator.url,
        codEnte: USER.codEnte,
        username: USER.username,
        password: () => USER.password,
      })
      const request: ProtocolRequest = {
        idempotencyKey: `submission:${id}`,
        direction: 'E',
        subject: `Domanda n. ${id}`,
        correspondent: { firstName: 'Mario', lastName: 'Rossi', fiscalCode: null },
        document: {
          fileName: `domanda-${id}.pdf`,
          content: Buffer.from('%PDF-1.4\n%%EOF\n'),
          mimeType: 'application/pdf',
        },
        about: { type: 'submission', id },
      }
      void RequestContext.withTenant(tenant.ref, () => dying.register(request))
      await registeredRemotely
      const callsByTheDeadRun = simulator.calls.length

      // The job's retry now reaches DOCAREA's simulator, finds the attempt left pending and stops there.
      await useDocarea(tenant, simulator.url)
      await jobQueue().drained()
      assert.equal(simulator.calls.length, callsByTheDeadRun, 'nothing more was sent to DOCAREA')
      assert.lengthOf(
        simulator.documents().filter((d) => d.registration),
        1
      )
      const submission = await RequestContext.withTenant(tenant.ref, () => Submission.findOrFail(id))
      assert.equal(submission.status, 'submitted')
      assert.equal(await receiptJobState(submission), 'failed')
      assert.lengthOf(smtp.received, 0)

      const shown = await client.get(`${base}/submissions/${id}`).loginAs(citizen)
      const last = shown.body().submission.history.at(-1)
      assert.deepEqual([last.from, last.to], ['submitted', 'submitted'])
      assert.include(last.reason, 'Protocollazione in verifica')
      const audit = await db.from('audit_logs').where({ tenant_id: tenant.id, action: 'attempt.needs_review' })
      assert.lengthOf(audit, 1)

      // The operator's list names it, says what to do in the reader's language; a citizen cannot see it.
      const list = await client
        .get(`${base}/attempts?status=needs_review`)
        .header('accept-language', 'en')
        .loginAs(operator)
      list.assertStatus(200)
      assert.lengthOf(list.body().attempts, 1)
      const [flagged] = list.body().attempts
      assert.equal(flagged.kind, 'protocol')
      assert.deepEqual(flagged.subject, { type: 'submission', id })
      assert.include(flagged.message, 'Check the protocol system')
      ;(await client.get(`${base}/attempts`).loginAs(citizen)).assertStatus(403)

      // The operator finds the document registered in DOCAREA and gives its number: the submission is
      // protocolled with it and its receipt sent, still without a second registration.
      const [remote] = simulator.documents().filter((d) => d.registration)
      const wrong = await client
        .post(`${base}/attempts/${flagged.id}/resolve`)
        .json({ outcome: 'sent' })
        .loginAs(operator)
      wrong.assertStatus(422)
      assert.equal(wrong.body().errors[0].path, '/outcome')
      const resolved = await client
        .post(`${base}/attempts/${flagged.id}/resolve`)
        .json({
          outcome: 'registered',
          number: remote.registration!.number,
          year: remote.registration!.year,
          date: remote.registration!.date,
        })
        .loginAs(operator)
      assert.equal(resolved.status(), 200, JSON.stringify(resolved.body()))
      assert.equal(resolved.body().attempt.status, 'done')
      await jobQueue().drained()
      const after = await client.get(`${base}/submissions/${id}`).loginAs(citizen)
      const label = `${remote.registration!.year}/${String(remote.registration!.number).padStart(7, '0')}`
      assert.equal(after.body().submission.status, 'protocolled')
      assert.equal(after.body().submission.protocolNumber, label)
      assert.equal(simulator.calls.length, callsByTheDeadRun)
      assert.lengthOf(await db.from('protocol_entries').where('tenant_id', tenant.id), 1)
      assert.lengthOf(smtp.received, 1)
      assert.include(smtp.received[0].subject, label)
      const again = await client
        .post(`${base}/attempts/${flagged.id}/resolve`)
        .json({ outcome: 'not_registered' })
        .loginAs(operator)
      again.assertStatus(409)
    } finally {
      await jobQueue().drained()
      await simulator.close()
      await smtp.close()
    }
  }).timeout(60_000)

  test('a protocollazione sent without an answer (timeout) is flagged at once; "not registered" registers it', async ({
    client,
    assert,
  }) => {
    const simulator = await new DocareaSimulator({ users: [USER] }).start()
    // In front of the simulator: protocollazione is delivered, and its answer is held back.
    const held: Array<() => void> = []
    const proxy = createServer(async (req, res) => {
      const chunks: Buffer[] = []
      for await (const chunk of req) chunks.push(chunk as Buffer)
      const body = Buffer.concat(chunks)
      const upstream = await fetch(simulator.url, {
        method: 'POST',
        headers: Object.fromEntries(
          Object.entries(req.headers).filter(([k]) => ['content-type', 'soapaction'].includes(k))
        ) as Record<string, string>,
        body,
      })
      const text = await upstream.text()
      const answer = () => {
        res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'text/xml' })
        res.end(text)
      }
      if (body.includes('protocollazione') && held.length === 0) held.push(answer)
      else answer()
    })
    proxy.listen(0, '127.0.0.1')
    await once(proxy, 'listening')
    configureMailer(undefined)
    try {
      const { tenant, citizen, operator, base, sample } = await refezioneTenant()
      const { port } = proxy.address() as AddressInfo
      await RequestContext.asSystem('test', async () => {
        tenant.settings = {
          ...tenant.settings,
          protocol: {
            driver: 'docarea',
            url: `http://127.0.0.1:${port}/JProtocolloDocArea/services/DOCAREAProtoSoap`,
            codEnte: USER.codEnte,
            username: USER.username,
            passwordEnv: PASSWORD_ENV,
            timeoutMs: 1000,
          },
        }
        await tenant.save()
      })
      const response = await client.post(`${base}/forms/${FORM}/submit`).json({ data: sample }).loginAs(citizen)
      response.assertStatus(201)
      const id: number = response.body().submission.id
      await jobQueue().drained()
      const registered = () => simulator.documents().filter((d) => d.registration).length
      assert.equal(registered(), 1, 'DOCAREA did register it')
      const list = await client.get(`${base}/attempts?status=needs_review&kind=protocol`).loginAs(operator)
      assert.lengthOf(list.body().attempts, 1)
      assert.include(list.body().attempts[0].detail, 'protocollazione')
      assert.include(list.body().attempts[0].message, 'Verificare nel protocollo')

      // Told (wrongly here, for the test's sake) that it was not registered, the job registers it again.
      const resolved = await client
        .post(`${base}/attempts/${list.body().attempts[0].id}/resolve`)
        .json({ outcome: 'not_registered' })
        .loginAs(operator)
      resolved.assertStatus(200)
      await jobQueue().drained()
      assert.equal(registered(), 2)
      const shown = await client.get(`${base}/submissions/${id}`).loginAs(citizen)
      assert.equal(shown.body().submission.status, 'protocolled')
      const audit = await db.from('audit_logs').where({ tenant_id: tenant.id, action: 'attempt.resolve' })
      assert.lengthOf(audit, 1)
    } finally {
      for (const answer of held) answer()
      await jobQueue().drained()
      proxy.closeAllConnections()
      proxy.close()
      await simulator.close()
    }
  }).timeout(60_000)

  test('a receipt email whose run died while sending is not sent again; "not sent" sends it once', async ({
    client,
    assert,
  }) => {
    const smtp = await smtpCapture()
    try {
      const { tenant, citizen, operator, base, sample } = await refezioneTenant()
      // The mail server is away for the job's first attempt (refused: certainly not sent, so retried).
      configureMailer(`smtp://127.0.0.1:${await closedPort()}`)
      const response = await client.post(`${base}/forms/${FORM}/submit`).json({ data: sample }).loginAs(citizen)
      response.assertStatus(201)
      const id: number = response.body().submission.id
      await until(() => waitingForRetry(id))
      const submission = await RequestContext.withTenant(tenant.ref, () => Submission.findOrFail(id))
      assert.equal(submission.status, 'protocolled')
      assert.lengthOf(await db.from('external_attempts').where('kind', 'mail'), 0, 'the refused sending was let go')

      // Another run begins the same sending and dies in the middle of the SMTP exchange.
      const begun = await externalAttempts.begin({
        kind: 'mail',
        key: receiptKey(submission),
        tenantId: tenant.id,
        subject: { type: 'submission', id },
      })
      assert.equal(begun.state, 'started')

      configureMailer(smtp.url)
      await jobQueue().drained()
      assert.lengthOf(smtp.received, 0, 'not sent a second time')
      assert.equal(await receiptJobState(submission), 'failed')
      const shown = await client.get(`${base}/submissions/${id}`).loginAs(citizen)
      assert.include(shown.body().submission.history.at(-1).reason, 'ricevuta per email in verifica')
      const list = await client.get(`${base}/attempts?status=needs_review`).loginAs(operator)
      assert.lengthOf(list.body().attempts, 1)
      assert.equal(list.body().attempts[0].kind, 'mail')

      const resolved = await client
        .post(`${base}/attempts/${list.body().attempts[0].id}/resolve`)
        .json({ outcome: 'not_sent' })
        .loginAs(operator)
      resolved.assertStatus(200)
      await jobQueue().drained()
      assert.lengthOf(smtp.received, 1)
      assert.include(smtp.received[0].subject, submission.protocolNumber ?? 'no number')
      const after = await client.get(`${base}/attempts?status=needs_review`).loginAs(operator)
      assert.lengthOf(after.body().attempts, 0)
    } finally {
      await jobQueue().drained()
      await smtp.close()
    }
  }).timeout(60_000)
})
