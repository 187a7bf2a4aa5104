import { test } from '@japa/runner'
import { createServer } from 'node:http'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import db from '@adonisjs/lucid/services/db'
import Tenant from '#models/tenant'
import User from '#models/user'
import { RequestContext } from '#services/infrastructure/request_context'
import { configureMailer } from '#services/infrastructure/mailer'
import { jobQueue } from '#queue/queue_factory'
import { protocolService } from '#integrations/protocol'
import { DocareaSimulator } from '#integrations/docarea/docarea_simulator'
import { FORM, refezioneTenant } from './world.js'
import { transactionWithJobs } from '../../helpers/world.js'

const USER = { codEnte: 'C_G535', username: 'sportello', password: 'password-del-test' }
const PASSWORD_ENV = 'DOCAREA_PASSWORD_TEST_E2E'

async function useDocarea(tenant: Tenant, url: string) {
  await RequestContext.asSystem('test', async () => {
    tenant.settings = {
      ...tenant.settings,
      protocol: { driver: 'docarea', url, codEnte: USER.codEnte, username: USER.username, passwordEnv: PASSWORD_ENV },
    }
    await tenant.save()
  })
}

async function freePort() {
  const probe = createServer()
  probe.listen(0, '127.0.0.1')
  await once(probe, 'listening')
  const { port } = probe.address() as AddressInfo
  await new Promise((resolve) => probe.close(resolve))
  return port
}

test.group('Submission protocolled over DOCAREA SOAP', (group) => {
  group.each.setup(() => transactionWithJobs())
  group.each.setup(() => {
    process.env[PASSWORD_ENV] = USER.password
    // No mail relay here (the receipt mail is protocol_receipt.spec.ts's subject): the mailer skips sending.
    configureMailer(undefined)
    return () => {
      delete process.env[PASSWORD_ENV]
      configureMailer(undefined)
    }
  })

  test('a submission ends "protocolled" with the number the SOAP simulator assigned', async ({ client, assert }) => {
    const simulator = await new DocareaSimulator({ users: [USER] }).start()
    try {
      const { tenant, citizen, base, sample } = await refezioneTenant()
      await RequestContext.asSystem('test', async () => {
        const user = await User.findOrFail(citizen.id)
        user.fullName = "Maria D'Angelo & Figli"
        user.fiscalCode = 'DNGMRA80A41G535X'
        await user.save()
      })
      await useDocarea(tenant, simulator.url)

      const response = await client.post(`${base}/forms/${FORM}/submit`).json({ data: sample }).loginAs(citizen)
      response.assertStatus(201)
      const id = response.body().submission.id
      await jobQueue().drained()

      const [registered] = simulator.documents()
      assert.exists(registered?.registration, 'the simulator registered the document')
      const expected = `${registered.registration!.year}/${String(registered.registration!.number).padStart(7, '0')}`
      const shown = await client.get(`${base}/submissions/${id}`).loginAs(citizen)
      assert.equal(shown.body().submission.status, 'protocolled')
      assert.equal(shown.body().submission.protocolNumber, expected)
      assert.equal(registered.fileName, `domanda-${id}.pdf`)
      assert.equal(registered.mimeType, 'application/pdf')
      assert.deepEqual(registered.registration!.correspondent, {
        firstName: 'Maria',
        lastName: "D'Angelo & Figli",
        fiscalCode: 'DNGMRA80A41G535X',
      })
      assert.equal(registered.registration!.direction, 'E')
      assert.include(registered.registration!.subject, `n. ${id}`)

      // The local record keeps the key: registering the submission again does not reach DOCAREA.
      const calls = simulator.calls.length
      const again = await RequestContext.withTenant(tenant.ref, () =>
        protocolService().register({
          idempotencyKey: `submission:${id}`,
          direction: 'E',
          subject: 'ripetuta',
          correspondent: { firstName: 'Maria', lastName: "D'Angelo & Figli", fiscalCode: null },
          document: { fileName: 'x.pdf', content: Buffer.from('x'), mimeType: 'application/pdf' },
        })
      )
      assert.equal(again.label, expected)
      assert.equal(simulator.calls.length, calls)
      const entries = await db.from('protocol_entries').where('tenant_id', tenant.id)
      assert.lengthOf(entries, 1)
    } finally {
      await jobQueue().drained()
      await simulator.close()
    }
  }).timeout(60000)

  test('while DOCAREA is unreachable the job retries, and protocols once it is back', async ({ client, assert }) => {
    const port = await freePort()
    const { tenant, citizen, base, sample } = await refezioneTenant()
    await useDocarea(tenant, `http://127.0.0.1:${port}/JProtocolloDocArea/services/DOCAREAProtoSoap`)
    const response = await client.post(`${base}/forms/${FORM}/submit`).json({ data: sample }).loginAs(citizen)
    response.assertStatus(201)
    const id = response.body().submission.id

    // The first attempt meets a closed port; the simulator comes up before the retry (2 s backoff).
    await new Promise((resolve) => setTimeout(resolve, 300))
    const before = await client.get(`${base}/submissions/${id}`).loginAs(citizen)
    assert.equal(before.body().submission.status, 'submitted')
    const simulator = await new DocareaSimulator({ users: [USER], port }).start()
    try {
      await jobQueue().drained()
      const shown = await client.get(`${base}/submissions/${id}`).loginAs(citizen)
      assert.equal(shown.body().submission.status, 'protocolled')
      assert.match(shown.body().submission.protocolNumber, /^\d{4}\/0000001$/)
      assert.lengthOf(simulator.documents(), 1)
    } finally {
      await simulator.close()
    }
  }).timeout(60000)

  test('a tenant whose protocol settings are broken gets no number, and the error names the field', async ({
    assert,
  }) => {
    const { tenant } = await refezioneTenant()
    await RequestContext.asSystem('test', async () => {
      tenant.settings = {
        protocol: { driver: 'docarea', url: 'http://127.0.0.1:1/x', username: 'u', passwordEnv: PASSWORD_ENV },
      }
      await tenant.save()
    })
    const error = await RequestContext.withTenant(tenant.ref, () =>
      protocolService().register({
        idempotencyKey: 'k',
        direction: 'E',
        subject: 's',
        correspondent: { firstName: 'a', lastName: 'b', fiscalCode: null },
        document: { fileName: 'x.pdf', content: Buffer.from('x'), mimeType: 'application/pdf' },
      })
    ).catch((e) => e)
    assert.include(error.message, 'settings.protocol.codEnte')
    assert.lengthOf(await db.from('protocol_entries').where('tenant_id', tenant.id), 0)
  })
})
