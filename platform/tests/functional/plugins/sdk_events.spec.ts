import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { jobQueue } from '#queue/queue_factory'
import type { JobQueue } from '#queue/types'
import Enrolment from '#models/enrolment'
import Submission from '#models/submission'
import { emitDomainEvent } from '#events/domain_events'
import { pluginService } from '#services/tenants/plugin_service'
import { RequestContext } from '#services/infrastructure/request_context'
import { submissionService } from '#services/submissions/submission_service'
import { FORM, forChild, refezioneTenant } from '#tests/functional/forms/world'
import { makeTenant, makeUser, transactionWithJobs } from '#tests/helpers/world'
import { pluginContext } from '#plugins/plugin_context'
import type { SampleRecord } from '../../fixtures/sample_plugins/sample/index.js'
import Note from '../../fixtures/sample_plugins/sample/models/note.js'

const record = () => (globalThis as { __sample?: SampleRecord }).__sample!

/** Every enqueue of the test, through the queue interface, whatever the driver. */
function spyOnQueue() {
  const queue = jobQueue() as JobQueue & { enqueue: JobQueue['enqueue'] }
  const original = queue.enqueue
  const calls: Array<{ name: string; payload: any; options: any }> = []
  queue.enqueue = (name, payload, options) => {
    calls.push({ name, payload, options })
    return original.call(queue, name, payload, options)
  }
  return { calls, restore: () => void (queue.enqueue = original) }
}

async function notes(tenant: { ref: { id: number; slug: string } }) {
  return RequestContext.withTenant(tenant.ref, async () => (await Note.query().orderBy('id')).map((n) => n.title))
}

/** A refezione tenant with the sample plugin enabled, and a submission sent and protocolled. */
async function sentAndProtocolled(client: any) {
  const world = await refezioneTenant()
  await pluginService.enable(world.tenant, 'sample')
  const sent = await client
    .post(`${world.base}/forms/${FORM}/submit`)
    .json({ data: world.sample })
    .loginAs(world.citizen)
  sent.assertStatus(201)
  await jobQueue().drained()
  return { ...world, submissionId: sent.body().submission.id as number }
}

test.group('SDK: domain events', (group) => {
  group.each.setup(() => transactionWithJobs())
  group.each.setup(() => {
    record().events.length = 0
    record().failAcceptance = false
  })

  test('submitting and accepting reach the plugin: in the transaction when it asks, as jobs otherwise', async ({
    client,
    assert,
  }) => {
    const world = await sentAndProtocolled(client)
    const submitted = record().events.filter((e) => e.name === 'submission.submitted' && e.tenant === world.tenant.slug)
    assert.lengthOf(submitted, 1)
    assert.deepEqual(submitted[0].payload, {
      submissionId: world.submissionId,
      formKey: FORM,
      service: 'refezione',
      applicantUserId: world.citizen.id,
      fromStatus: 'draft',
      toStatus: 'submitted',
    })
    assert.isFalse(submitted[0].inTransaction)

    const accepted = await client
      .post(`${world.base}/submissions/${world.submissionId}/status`)
      .json({ status: 'accepted' })
      .loginAs(world.operator)
    accepted.assertStatus(200)
    // The in-transaction subscriber wrote its row with the acceptance, before any job ran.
    assert.include(await notes(world.tenant), `accepted:${world.submissionId}`)
    const inTx = record().events.find((e) => e.name === 'submission.accepted')!
    assert.isTrue(inTx.inTransaction)
    assert.equal(inTx.tenant, world.tenant.slug)

    await jobQueue().drained()
    const enrolment = await RequestContext.withTenant(world.tenant.ref, () =>
      Enrolment.query().where('submission_id', world.submissionId).firstOrFail()
    )
    const created = record().events.find((e) => e.name === 'enrolment.created')!
    assert.deepEqual(created.payload, {
      enrolmentId: enrolment.id,
      service: 'refezione',
      formKey: FORM,
      schoolYear: enrolment.schoolYear,
      submissionId: world.submissionId,
      applicantUserId: world.citizen.id,
    })
    assert.include(await notes(world.tenant), `enrolment:${enrolment.id}`)

    // Ids and keys only: nothing the citizen wrote travels in an event.
    const everything = JSON.stringify(record().events)
    const student = world.sample.student as { first_name: string; last_name: string; fiscal_code: string }
    for (const personal of [student.first_name, student.last_name, student.fiscal_code, world.citizen.email]) {
      assert.notInclude(everything, personal)
    }
  })

  test('a subscriber failing in the transaction rolls the acceptance back: no status, no enrolment, no row', async ({
    client,
    assert,
  }) => {
    const world = await sentAndProtocolled(client)
    record().failAcceptance = true
    const submission = await RequestContext.withTenant(world.tenant.ref, () =>
      Submission.findOrFail(world.submissionId)
    )
    await assert.rejects(
      () =>
        RequestContext.withTenant(world.tenant.ref, () =>
          submissionService.changeStatus(submission, 'accepted', null, world.operator.id)
        ),
      /sample refuses this acceptance/
    )
    await RequestContext.withTenant(world.tenant.ref, async () => {
      assert.equal((await Submission.findOrFail(world.submissionId)).status, 'protocolled')
      assert.isNull(await Enrolment.query().where('submission_id', world.submissionId).first())
    })
    assert.notInclude(await notes(world.tenant), `accepted:${world.submissionId}`)
  })

  test('a rejection reaches the plugin; a tenant without the plugin enabled reaches nobody', async ({
    client,
    assert,
  }) => {
    const world = await sentAndProtocolled(client)
    const rejected = await client
      .post(`${world.base}/submissions/${world.submissionId}/status`)
      .json({ status: 'rejected', reason: 'Documento illeggibile' })
      .loginAs(world.operator)
    rejected.assertStatus(200)
    await jobQueue().drained()
    const event = record().events.find((e) => e.name === 'submission.rejected')!
    assert.equal((event.payload as { submissionId: number }).submissionId, world.submissionId)
    assert.notInclude(JSON.stringify(event.payload), 'illeggibile')

    // The same path in a tenant that did not enable the sample plugin: no delivery at all.
    const other = await refezioneTenant()
    record().events.length = 0
    const spy = spyOnQueue()
    try {
      const sent = await client
        .post(`${other.base}/forms/${FORM}/submit`)
        .json({ data: other.sample })
        .loginAs(other.citizen)
      sent.assertStatus(201)
      await jobQueue().drained()
    } finally {
      spy.restore()
    }
    assert.lengthOf(record().events, 0)
    assert.notInclude(
      spy.calls.map((c) => c.name),
      'platform.plugin-event'
    )
  })

  test('a sending reaches the services enabled at its request: disabled by staff, the next one no more; enabled again, it does', async ({
    client,
    assert,
  }) => {
    const world = await sentAndProtocolled(client)
    const admin = await makeUser(world.tenant, ['tenant_admin'])
    // What the sending hands to the plugin: its job, written in the sending's transaction (the job
    // itself also checks the plugin is enabled when it runs, which would hide a wrong delivery).
    const send = async (n: number) => {
      const spy = spyOnQueue()
      try {
        const sent = await client
          .post(`${world.base}/forms/${FORM}/submit`)
          .json({ data: forChild(world.sample, n) })
          .loginAs(world.citizen)
        sent.assertStatus(201)
        await jobQueue().drained()
      } finally {
        spy.restore()
      }
      return spy.calls.filter(
        (c) => c.name === 'platform.plugin-event' && c.payload.event.name === 'submission.submitted'
      ).length
    }
    // The enabled services are kept by the process under the tenant's stamp, warm from the first sending.
    assert.equal(await send(1), 1)
    ;(await client.post(`${world.base}/plugins/sample/disable`).loginAs(admin)).assertStatus(200)
    assert.equal(await send(2), 0)
    ;(await client.post(`${world.base}/plugins/sample/enable`).loginAs(admin)).assertStatus(200)
    assert.equal(await send(3), 1)
  })

  test("job subscribers are written in the emitter's transaction, with the id <event id>:<plugin>: none after a rollback", async ({
    assert,
  }) => {
    const tenant = await makeTenant()
    await pluginService.enable(tenant, 'sample')
    const spy = spyOnQueue()
    let rolledBack = ''
    try {
      await assert.rejects(() =>
        RequestContext.withTenant(tenant.ref, () =>
          db.transaction(async (trx) => {
            const noted = await emitDomainEvent('sample.noted', { noteId: 1 }, { trx })
            rolledBack = `${noted.id}:sample`
            assert.lengthOf(spy.calls, 1)
            assert.strictEqual(spy.calls[0].options.client, trx, 'the job is written in the transaction')
            throw new Error('rolled back')
          })
        )
      )
      assert.isUndefined(await jobQueue().state(rolledBack), 'the rollback took the job with it')
      spy.calls.length = 0

      const event = await RequestContext.withTenant(tenant.ref, () =>
        db.transaction((trx) => emitDomainEvent('sample.noted', { noteId: 2 }, { trx }))
      )
      assert.lengthOf(spy.calls, 1)
      assert.equal(spy.calls[0].name, 'platform.plugin-event')
      assert.equal(spy.calls[0].options.jobId, `${event.id}:sample`)
      assert.deepEqual(spy.calls[0].options.tenant, tenant.ref)
    } finally {
      spy.restore()
    }
    await jobQueue().drained()
    assert.deepEqual(
      record()
        .events.filter((e) => e.name === 'sample.noted')
        .map((e) => e.payload),
      [{ noteId: 2 }]
    )
  })

  test('tenant.created reaches every installed plugin, enabled or not', async ({ assert }) => {
    const tenant = await makeTenant()
    const event = record().events.find((e) => e.name === 'tenant.created' && e.tenant === tenant.slug)
    assert.exists(event)
    assert.deepEqual(event!.payload, { tenantId: tenant.id, slug: tenant.slug })
  })

  test('enrolment.withdrawn: withdrawing an enrolment of its own service through the plugin', async ({
    client,
    assert,
  }) => {
    const world = await sentAndProtocolled(client)
    const own = await RequestContext.withTenant(world.tenant.ref, async () => {
      const ctx = await pluginContext('sample', { tenant: world.tenant.ref })
      return ctx.enrolments.create({
        submissionId: world.submissionId,
        formKey: FORM,
        schoolYear: '2026/2027',
        applicantUserId: world.citizen.id,
        child: { firstName: 'Anna', lastName: 'Bianchi' },
      })
    })
    assert.equal(own.service, 'sample')
    const response = await client.post(`${world.base}/sample/enrolments/${own.id}/withdraw`).loginAs(world.operator)
    response.assertStatus(200)
    assert.equal(response.body().enrolment.status, 'withdrawn')
    await jobQueue().drained()
    const names = record().events.map((e) => e.name)
    assert.includeMembers(names, ['enrolment.created', 'enrolment.withdrawn'])
    const withdrawn = record().events.find((e) => e.name === 'enrolment.withdrawn')!
    assert.equal((withdrawn.payload as { enrolmentId: number }).enrolmentId, own.id)
  })

  test('a plugin emits only its own events', async ({ assert }) => {
    const tenant = await makeTenant()
    await RequestContext.withTenant(tenant.ref, async () => {
      const ctx = await pluginContext('sample', { tenant: tenant.ref })
      await assert.rejects(() => ctx.events.emit('submission.accepted', {} as never), /may emit only its own events/)
    })
  })
})
