import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import BillingRun from '#models/billing_run'
import PaymentPosition from '#models/payment_position'
import { jobQueue } from '#queue/queue_factory'
import { RequestContext } from '#services/infrastructure/request_context'
import { billingBatch, billingFaults, collectRun, COLLECT_SILENCE_MS, startRun } from '#services/billing/billing_run'
import { DateTime } from 'luxon'
import { postEntry } from '#services/billing/ledger_service'
import { noticeNumber } from '#integrations/pagopa/notice_number'
import { pagopaFor } from '#integrations/pagopa/pagopa_service'
import { billingWorld } from '#tests/helpers/billing'
import { captureMailEachTest } from '#tests/helpers/smtp'
import { pdfTextLines } from '#tests/helpers/pdf_text'
import { makeTenant, makeUser, transactionWithJobs } from '#tests/helpers/world'
import { randomUUID } from 'node:crypto'
import { readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { exportTenant } from '#services/tenants/tenant_export'
import { PLATFORM_ROOT } from '#tests/helpers/processes'
import type { RetteRecord } from '../../fixtures/sample_plugins/rette/index.js'

const rette = () => (globalThis as { __rette?: RetteRecord }).__rette!

async function ledgerCharges(tenantId: number) {
  return db.from('ledger_entries').where('tenant_id', tenantId).where('kind', 'charge').orderBy('id')
}

test.group('Billing run', (group) => {
  group.each.setup(() => transactionWithJobs())
  group.each.setup(() => () => {
    rette().quantity = {}
    billingFaults.beforePayerCommit = undefined
    billingBatch.payersPerTransaction = 500
    billingBatch.setBasedPayersPerTransaction = 5000
  })
  const mail = captureMailEachTest(group)

  test('a month billed: one position per paying parent on GPD, its notice emailed once, nothing twice when run again', async ({
    client,
    assert,
    cleanup,
  }) => {
    const world = await billingWorld()
    cleanup(() => world.close())
    const a1 = await world.enrol(null, '45.00')
    await world.enrol(a1.payer, '30.50')
    const b = await world.enrol(null, '45.00')
    rette().quantity[b.enrolment.id] = '0.5'
    const noFee = await world.enrol(null, null)
    const noCode = await world.enrol(null, '10.00', { fiscalCode: null })
    const operator = await makeUser(world.tenant, ['operator'])
    const url = `/api/v1/t/${world.tenant.slug}/billing/runs`

    const citizen = await client.post(url).json({ service: 'rette', period: '2026-10' }).loginAs(a1.payer)
    citizen.assertStatus(403)
    const future = await client.post(url).json({ service: 'rette', period: '2999-01' }).loginAs(operator)
    future.assertStatus(422)
    assert.equal(future.body().errors[0].path, '/period')
    const unknown = await client.post(url).json({ service: 'nope', period: '2026-10' }).loginAs(operator)
    unknown.assertStatus(422)
    assert.equal(unknown.body().errors[0].path, '/service')

    const started = await client.post(url).json({ service: 'rette', period: '2026-10' }).loginAs(operator)
    started.assertStatus(202)
    await jobQueue().drained()

    const shown = await client.get(`${url}/${started.body().run.id}`).loginAs(operator)
    shown.assertStatus(200)
    const run = shown.body().run
    assert.equal(run.status, 'done')
    assert.equal(run.positions.total, 2)
    assert.equal(run.positions.published, 2)
    assert.equal(run.notified, 2)
    assert.equal(run.charges, 3)
    // 45.00 + 30.50 for the first parent, 45.00 × 0.5 for the second.
    assert.equal(run.total_cents, 7550 + 2250)
    assert.sameMembers(
      run.notes.map(
        (n: { enrolment_id: number | null; payer_user_id: number | null }) => n.enrolment_id ?? n.payer_user_id
      ),
      [noFee.enrolment.id, noCode.payer.id]
    )

    const positions = await RequestContext.withTenant(world.tenant.ref, () => PaymentPosition.query().orderBy('id'))
    assert.deepEqual(
      positions.map((p) => [p.payerUserId, p.amountCents, p.status, p.nav]),
      [
        [a1.payer.id, 7550, 'published', noticeNumber('01', 1n).nav],
        [b.payer.id, 2250, 'published', noticeNumber('01', 2n).nav],
      ]
    )
    const { gateway } = pagopaFor(world.tenant)
    for (const position of positions) {
      const onGpd = await gateway.getPosition(position.iupd)
      assert.equal(onGpd?.status, 'VALID')
      assert.equal(onGpd?.paymentOption[0].amount, position.amountCents)
      assert.equal(onGpd?.paymentOption[0].nav, position.nav)
    }
    assert.lengthOf(mail().received, 2)
    const toA = mail().received.find((m) => m.to && 'text' in m.to && m.to.text === a1.payer.email)!
    assert.include(toA.subject!, 'Avviso di pagamento: Retta mensile')
    assert.equal(toA.attachments[0].filename, `avviso-${positions[0].nav}.pdf`)
    const lines = await pdfTextLines(toA.attachments[0].content)
    assert.include(lines, '75,50')

    // Run again: collected again, nothing new anywhere.
    const again = await client.post(url).json({ service: 'rette', period: '2026-10' }).loginAs(operator)
    again.assertStatus(202)
    await jobQueue().drained()
    const rerun = (await client.get(`${url}/${started.body().run.id}`).loginAs(operator)).body().run
    assert.equal(rerun.positions.total, 2)
    assert.equal(rerun.status, 'done')
    assert.lengthOf(await ledgerCharges(world.tenant.id), 3)
    assert.lengthOf(mail().received, 2)
    assert.lengthOf(world.gpd.store.findByNav(noticeNumber('01', 3n).nav), 0)
  })

  test('a run stopped midway resumes: every payer ends with one position, charges once, numbers without gaps', async ({
    assert,
    cleanup,
  }) => {
    const world = await billingWorld()
    cleanup(() => world.close())
    const payers: Array<Awaited<ReturnType<typeof world.enrol>>> = []
    for (let i = 0; i < 3; i++) payers.push(await world.enrol(null, '40.00'))
    // Two payers a transaction: the first batch commits, the second (the last payer) crashes.
    billingBatch.payersPerTransaction = 2
    billingBatch.setBasedPayersPerTransaction = 2
    const victim = payers[2].payer.id
    let crashes = 0
    billingFaults.beforePayerCommit = (payerUserId) => {
      if (payerUserId === victim && crashes++ === 0) throw new Error('killed')
    }
    await RequestContext.withTenant(world.tenant.ref, async () => {
      const run = await BillingRun.create({
        service: 'rette',
        period: '2026-10',
        status: 'collecting',
        payers: null,
        charges: 0,
        totalCents: 0,
        dueDate: '2026-12-31',
        notes: null,
        error: null,
        startedByUserId: null,
      })
      await assert.rejects(() => collectRun(run.id), /killed/)
      // The first batch is billed whole; the second left nothing behind, not even its number.
      assert.lengthOf(await PaymentPosition.query(), 2)
      assert.lengthOf(await ledgerCharges(world.tenant.id), 2)
      await collectRun(run.id)
      await collectRun(run.id)
      const positions = await PaymentPosition.query().orderBy('id')
      assert.deepEqual(
        positions.map((p) => p.payerUserId),
        payers.map((p) => p.payer.id)
      )
      assert.deepEqual(
        positions.map((p) => p.nav),
        [1n, 2n, 3n].map((base) => noticeNumber('01', base).nav)
      )
      assert.lengthOf(await ledgerCharges(world.tenant.id), 3)
      // One job per batch's chunk of positions (two batches here), each position in exactly one.
      const jobs = await db
        .from('jobs')
        .where('name', 'platform.billing-positions')
        .whereLike('key', `billing-positions:${world.tenant.id}:%`)
        .orderBy('id')
      assert.lengthOf(jobs, 2)
      assert.deepEqual(
        jobs.flatMap((j) => JSON.parse(j.payload).positionIds),
        positions.map((p) => p.id)
      )
    })
    await jobQueue().drained()
    assert.lengthOf(mail().received, 3)
  })
  test('a run whose collection died for good can be started again once silent; a live one cannot', async ({
    assert,
    cleanup,
  }) => {
    const world = await billingWorld()
    // Jobs end while the simulator still answers, even when an assertion below fails.
    cleanup(async () => {
      await jobQueue().drained()
      await world.close()
    })
    const payers: Array<Awaited<ReturnType<typeof world.enrol>>> = []
    for (let i = 0; i < 2; i++) payers.push(await world.enrol(null, '40.00'))
    billingBatch.payersPerTransaction = 1
    billingBatch.setBasedPayersPerTransaction = 1
    const victim = payers[1].payer.id
    billingFaults.beforePayerCommit = (payerUserId) => {
      if (payerUserId === victim) throw new Error('killed')
    }
    const input = { service: 'rette', period: '2026-10', userId: null }
    // A stamp as the application writes it: ISO on PostgreSQL, Lucid's SQL format on SQLite.
    const ago = (ms: number) => {
      const at = DateTime.utc().minus({ milliseconds: ms })
      return db.connection().dialect.name === 'postgres' ? at.toISO()! : at.toFormat('yyyy-MM-dd HH:mm:ss')
    }
    await RequestContext.withTenant(world.tenant.ref, async () => {
      const run = await BillingRun.create({
        service: 'rette',
        period: '2026-10',
        status: 'collecting',
        payers: null,
        charges: 0,
        totalCents: 0,
        dueDate: '2026-12-31',
        notes: null,
        error: null,
        startedByUserId: null,
      })
      // Its collect job died after the first payer's batch: the run says "collecting" and no job is left.
      await assert.rejects(() => collectRun(run.id), /killed/)
      billingFaults.beforePayerCommit = undefined
      await db
        .from('billing_runs')
        .where('id', run.id)
        .update({ updated_at: ago(COLLECT_SILENCE_MS + 60_000) })

      // A position written a minute ago is a sign of life: the run is answered as it is.
      assert.isFalse((await startRun(world.tenant, input)).started)
      await db
        .from('payment_positions')
        .where('run_id', run.id)
        .update({ created_at: ago(COLLECT_SILENCE_MS + 60_000) })
      // Silent for longer than the limit: the operator's start collects again, keyed anew.
      const again = await startRun(world.tenant, input)
      assert.isTrue(again.started)
      assert.equal(again.run.id, run.id)
      // A second press while the new attempt is under way is answered as it is.
      assert.isFalse((await startRun(world.tenant, input)).started)
    })
    await jobQueue().drained()
    await RequestContext.withTenant(world.tenant.ref, async () => {
      const run = await BillingRun.query().firstOrFail()
      assert.equal(run.status, 'collected')
      const positions = await PaymentPosition.query().orderBy('id')
      assert.deepEqual(
        positions.map((p) => p.payerUserId),
        payers.map((p) => p.payer.id)
      )
      assert.lengthOf(await ledgerCharges(world.tenant.id), 2)
    })
  })

  test("a charge already posted under a line's key: the same one is billed once, another amount stops the batch whole", async ({
    assert,
    cleanup,
  }) => {
    const world = await billingWorld()
    cleanup(() => world.close())
    const same = await world.enrol(null, '40.00')
    const other = await world.enrol(null, '25.00')
    // A second child of the first payer, whose line no one has posted yet.
    const second = await world.enrol(same.payer, '12.00')
    const period = '2026-10'
    const key = (enrolmentId: number) => `billing:rette:${period}:${enrolmentId}:fee`
    const charge = (payerUserId: number, enrolmentId: number, amountCents: number) => ({
      key: key(enrolmentId),
      kind: 'charge' as const,
      payerUserId,
      enrolmentId,
      service: 'rette',
      period,
      amountCents,
      description: `Retta ${period}`,
    })
    await RequestContext.withTenant(world.tenant.ref, async () => {
      await db.transaction((trx) => postEntry(trx, charge(same.payer.id, same.enrolment.id, 4000)))
      await db.transaction((trx) => postEntry(trx, charge(other.payer.id, other.enrolment.id, 2600)))
      // Another charge of the same payer, service and period under a key of its own (as a plugin
      // posts one through ctx.ledger.postCharge): the position asks for it beside the run's line.
      await db.transaction((trx) =>
        postEntry(trx, { ...charge(same.payer.id, same.enrolment.id, 500), key: `extra:${same.enrolment.id}` })
      )
      const run = await BillingRun.create({
        service: 'rette',
        period,
        status: 'collecting',
        payers: null,
        charges: 0,
        totalCents: 0,
        dueDate: '2026-12-31',
        notes: null,
        error: null,
        startedByUserId: null,
      })
      // A payer a transaction: the first (same values) is billed with the charge already posted, the
      // second (another amount) is refused whole: no position, no number, no new charge or audit row.
      billingBatch.payersPerTransaction = 1
      billingBatch.setBasedPayersPerTransaction = 1
      await assert.rejects(() => collectRun(run.id), /already posted with another kind, payer or amount/)
      const positions = await PaymentPosition.query()
      assert.deepEqual(
        positions.map((p) => [p.payerUserId, Number(p.amountCents), p.nav]),
        [[same.payer.id, 5700, noticeNumber('01', 1n).nav]]
      )
      const charges = await ledgerCharges(world.tenant.id)
      assert.deepEqual(
        charges.map((c) => [c.entry_key, Number(c.amount_cents)]),
        [
          [key(same.enrolment.id), 4000],
          [key(other.enrolment.id), 2600],
          [`extra:${same.enrolment.id}`, 500],
          [key(second.enrolment.id), 1200],
        ]
      )
      // The position asks for the charges posted before the run and the one the run posted.
      const items = await db.from('position_charges').where('position_id', positions[0].id).orderBy('entry_id')
      assert.deepEqual(
        items.map((i) => Number(i.entry_id)),
        [Number(charges[0].id), Number(charges[2].id), Number(charges[3].id)]
      )
      // On PostgreSQL the charge the run wrote names its position itself; the two posted before it
      // are linked by items. SQLite links all three by items.
      const linked = await db.from('payment_position_items').where('position_id', positions[0].id).orderBy('entry_id')
      const postgres = db.connection().dialect.name === 'postgres'
      assert.deepEqual(
        linked.map((i) => Number(i.entry_id)),
        postgres
          ? [Number(charges[0].id), Number(charges[2].id)]
          : [Number(charges[0].id), Number(charges[2].id), Number(charges[3].id)]
      )
      assert.deepEqual(
        charges.map((c) => (c.position_id === null ? null : Number(c.position_id))),
        [null, null, null, postgres ? positions[0].id : null]
      )
      const audits = await db.from('audit_logs').where('entity', 'ledger_entries').count('* as n').first()
      assert.equal(
        Number(audits.n),
        4,
        'one row per charge posted alone, one for the first batch, none for a charge already posted nor for the refused batch'
      )
    })
    // The billed payer's position job runs against the simulator before the world closes.
    await jobQueue().drained()
  })

  test('who created a charge: one audit row per batch names the run and who started it; the audit viewer and the tenant export find it', async ({
    client,
    assert,
    cleanup,
  }) => {
    const world = await billingWorld()
    cleanup(() => world.close())
    const a = await world.enrol(null, '45.00')
    await world.enrol(a.payer, '30.50')
    await world.enrol(null, '12.00')
    const operator = await makeUser(world.tenant, ['operator'])
    const admin = await makeUser(world.tenant, ['tenant_admin'])
    const base = `/api/v1/t/${world.tenant.slug}`
    const started = await client
      .post(`${base}/billing/runs`)
      .json({ service: 'rette', period: '2026-10' })
      .loginAs(operator)
    started.assertStatus(202)
    await jobQueue().drained()
    const runId = started.body().run.id as number
    const charges = await ledgerCharges(world.tenant.id)
    assert.lengthOf(charges, 3)

    // One row for the batch (not one per charge), with the run, its starter, the count, total and id range.
    const batchRows = await db.from('audit_logs').where('tenant_id', world.tenant.id).where('entity', 'ledger_entries')
    assert.deepEqual(
      batchRows.map((r) => [r.action, r.entity_id]),
      [['create_batch', `run:${runId}`]]
    )
    const after = typeof batchRows[0].after === 'string' ? JSON.parse(batchRows[0].after) : batchRows[0].after
    assert.deepInclude(after, {
      runId,
      startedByUserId: operator.id,
      service: 'rette',
      period: '2026-10',
      charges: 3,
      totalCents: 4500 + 3050 + 1200,
      firstEntryId: Number(charges[0].id),
      lastEntryId: Number(charges[2].id),
    })

    // The audit viewer, asked about one charge, answers the batch row that created it.
    const charge = charges[1]
    const details = typeof charge.details === 'string' ? JSON.parse(charge.details) : charge.details
    assert.equal(details.run, runId, 'the charge carries its run')
    const viewed = await client.get(`${base}/audit?entity=ledger_entries&entity_id=${charge.id}`).loginAs(admin)
    viewed.assertStatus(200)
    const found = viewed.body().entries as Array<{ action: string; entityId: string; after: Record<string, unknown> }>
    assert.deepEqual(
      found.map((e) => [e.action, e.entityId, e.after.startedByUserId]),
      [['create_batch', `run:${runId}`, operator.id]],
      `audit entries for charge ${charge.id}: ${JSON.stringify(found)}`
    )
    // A charge of no run has no batch row to answer.
    const none = await client.get(`${base}/audit?entity=ledger_entries&entity_id=999999999`).loginAs(admin)
    assert.deepEqual(none.body().entries, [])

    // The tenant export holds the same: the charge's run in its details, the batch row covering its id.
    const out = join(PLATFORM_ROOT, 'tmp', `export-billing-${randomUUID()}`)
    cleanup(() => rm(out, { recursive: true, force: true }))
    await RequestContext.asSystem('test', () => exportTenant({ tenant: world.tenant.slug, out }))
    const exported = (table: string) => readFile(join(out, 'csv', `${table}.csv`), 'utf8')
    const entryLine = (await exported('ledger_entries')).split('\n').find((l) => l.startsWith(`${charge.id},`))
    assert.include(entryLine?.replaceAll('""', '"'), `"run":${runId}`, `exported charge: ${entryLine}`)
    const auditLine = (await exported('audit_logs')).split('\n').find((l) => l.includes(`,run:${runId},`))
    const auditText = auditLine?.replaceAll('""', '"') ?? ''
    assert.include(auditText, 'create_batch', `exported batch row: ${auditLine}`)
    assert.include(auditText, `"startedByUserId":${operator.id}`)
    assert.include(auditText, `"firstEntryId":${charges[0].id}`)
    assert.include(auditText, `"lastEntryId":${charges[2].id}`)
  }).timeout(120_000)

  test('who created a position: one audit row per batch names the run and who started it; the audit viewer and the tenant export find it', async ({
    client,
    assert,
    cleanup,
  }) => {
    const world = await billingWorld()
    cleanup(() => world.close())
    const a = await world.enrol(null, '45.00')
    await world.enrol(a.payer, '30.50')
    await world.enrol(null, '12.00')
    await world.enrol(null, '20.00')
    const operator = await makeUser(world.tenant, ['operator'])
    const admin = await makeUser(world.tenant, ['tenant_admin'])
    const base = `/api/v1/t/${world.tenant.slug}`
    const started = await client
      .post(`${base}/billing/runs`)
      .json({ service: 'rette', period: '2026-10' })
      .loginAs(operator)
    started.assertStatus(202)
    await jobQueue().drained()
    const runId = started.body().run.id as number
    const positions = await db
      .from('payment_positions')
      .where('tenant_id', world.tenant.id)
      .where('run_id', runId)
      .orderBy('id')
    assert.lengthOf(positions, 3)

    // One creation row for the batch's positions (not one per position): the run, its starter, count, total, id range.
    const created = await db
      .from('audit_logs')
      .where('tenant_id', world.tenant.id)
      .where('entity', 'payment_positions')
      .whereIn('action', ['create', 'create_batch'])
    assert.deepEqual(
      created.map((r) => [r.action, r.entity_id]),
      [['create_batch', `run:${runId}`]],
      `creation rows of positions: ${JSON.stringify(created.map((r) => [r.action, r.entity_id]))}`
    )
    const after = typeof created[0].after === 'string' ? JSON.parse(created[0].after) : created[0].after
    assert.deepInclude(after, {
      runId,
      startedByUserId: operator.id,
      service: 'rette',
      period: '2026-10',
      positions: 3,
      totalCents: 4500 + 3050 + 1200 + 2000,
      firstPositionId: Number(positions[0].id),
      lastPositionId: Number(positions[2].id),
    })

    // The audit viewer, asked about one position, answers the batch row that created it (and the position's later rows).
    const position = positions[1]
    const viewed = await client.get(`${base}/audit?entity=payment_positions&entity_id=${position.id}`).loginAs(admin)
    viewed.assertStatus(200)
    const found = viewed.body().entries as Array<{ action: string; entityId: string; after: Record<string, unknown> }>
    const batchFound = found.filter((e) => e.action === 'create_batch')
    assert.deepEqual(
      batchFound.map((e) => [e.entityId, e.after.startedByUserId, e.after.positions]),
      [[`run:${runId}`, operator.id, 3]],
      `audit entries for position ${position.id}: ${JSON.stringify(found)}`
    )
    assert.isTrue(
      found.every((e) => e.action === 'create_batch' || e.entityId === String(position.id)),
      `only the position's own rows and its batch row: ${JSON.stringify(found)}`
    )
    // A position of no run has no batch row to answer.
    const none = await client.get(`${base}/audit?entity=payment_positions&entity_id=999999999`).loginAs(admin)
    assert.deepEqual(none.body().entries, [])

    // The tenant export holds the same: the position's run, the batch row covering its id.
    const out = join(PLATFORM_ROOT, 'tmp', `export-billing-${randomUUID()}`)
    cleanup(() => rm(out, { recursive: true, force: true }))
    await RequestContext.asSystem('test', () => exportTenant({ tenant: world.tenant.slug, out }))
    const exported = (table: string) => readFile(join(out, 'csv', `${table}.csv`), 'utf8')
    const [header, ...lines] = (await exported('payment_positions')).split('\n')
    const runColumn = header.split(',').indexOf('run_id')
    const positionLine = lines.find((l) => l.startsWith(`${position.id},`))
    assert.equal(positionLine?.split(',')[runColumn], String(runId), `exported position: ${header} / ${positionLine}`)
    const auditLine = (await exported('audit_logs'))
      .split('\n')
      .find((l) => l.includes(`,run:${runId},`) && l.includes('payment_positions'))
    const auditText = auditLine?.replaceAll('""', '"') ?? ''
    assert.include(auditText, 'create_batch', `exported batch row: ${auditLine}`)
    assert.include(auditText, `"startedByUserId":${operator.id}`)
    assert.include(auditText, `"firstPositionId":${positions[0].id}`)
    assert.include(auditText, `"lastPositionId":${positions[2].id}`)
  }).timeout(120_000)

  test("an item names only its position's tenant: a write with another tenant is refused", async ({
    assert,
    cleanup,
  }) => {
    const world = await billingWorld()
    cleanup(() => world.close())
    const a = await world.enrol(null, '45.00')
    const other = await makeTenant()
    await RequestContext.withTenant(world.tenant.ref, async () => {
      const run = await BillingRun.create({
        service: 'rette',
        period: '2026-10',
        status: 'collecting',
        payers: null,
        charges: 0,
        totalCents: 0,
        dueDate: '2026-12-31',
        notes: null,
        error: null,
        startedByUserId: null,
      })
      await collectRun(run.id)
    })
    const position = await db.from('payment_positions').where('tenant_id', world.tenant.id).firstOrFail()
    // A charge of this tenant not yet in a position.
    const extra = await RequestContext.withTenant(world.tenant.ref, () =>
      db.transaction((trx) =>
        postEntry(trx, {
          key: 'extra-charge',
          kind: 'charge',
          payerUserId: a.payer.id,
          enrolmentId: a.enrolment.id,
          service: 'rette',
          period: '2026-10',
          amountCents: 500,
          description: 'Extra',
        })
      )
    )
    const item = (tenantId: number) => ({ tenant_id: tenantId, position_id: position.id, entry_id: extra.entry.id })
    // In a savepoint of its own: a refused statement must not end the test's transaction on PostgreSQL.
    await assert.rejects(
      () => db.transaction((trx) => trx.insertQuery().table('payment_position_items').insert(item(other.id))),
      /foreign key|FOREIGN KEY/
    )
    await db.transaction((trx) => trx.insertQuery().table('payment_position_items').insert(item(world.tenant.id)))
    const items = await db.from('payment_position_items').where('entry_id', extra.entry.id)
    assert.deepEqual(
      items.map((i) => Number(i.tenant_id)),
      [world.tenant.id]
    )
    // The position's job runs against the simulator before the world closes.
    await jobQueue().drained()
  })
})
