import { test } from '@japa/runner'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import env from '#start/env'
import ExcelJS from 'exceljs'
import { ApiRequest } from '@japa/api-client'
import { DateTime } from 'luxon'
import { jobQueue } from '#queue/queue_factory'
import ReportRun from '#models/report_run'
import { reportFilesCleanupJob } from '#reports/report_jobs'
import { MAX_PENDING_RUNS } from '#controllers/reports_controller'
import { pluginService } from '#services/tenants/plugin_service'
import { RequestContext } from '#services/infrastructure/request_context'
import type Tenant from '#models/tenant'
import { makeTenant, makeUser, transactionWithJobs } from '#tests/helpers/world'
import Note from '../../fixtures/sample_plugins/sample/models/note.js'

async function withNotes(tenant: Tenant) {
  await RequestContext.withTenant(tenant.ref, () =>
    Note.createMany([
      { title: 'Gita', amount: '12.50', day: '2026-03-01', pinned: true },
      { title: 'Mensa', amount: '1234.05', day: '2026-04-15', pinned: false },
      { title: 'Senza importo', amount: null, day: null, pinned: true },
    ])
  )
}

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

/** The API client leaves unknown binary types unparsed: an xlsx answer is read as its bytes. */
const readBytes: Parameters<typeof ApiRequest.addParser>[1] = (res, done) => {
  // superagent hands the parser the Node response stream.
  const stream = res as unknown as NodeJS.ReadableStream
  const chunks: Buffer[] = []
  stream.on('data', (chunk: Buffer) => chunks.push(chunk))
  stream.on('end', () => done(null, Buffer.concat(chunks)))
  stream.on('error', (error: Error) => done(error, null))
}

async function readXlsx(bytes: Buffer) {
  const workbook = new ExcelJS.Workbook()
  await workbook.xlsx.load(bytes as unknown as ArrayBuffer)
  return workbook.worksheets[0]
}

test.group('SDK: reports', (group) => {
  group.each.setup(() => transactionWithJobs())
  group.setup(() => {
    ApiRequest.addParser(XLSX, readBytes)
    return () => ApiRequest.removeParser(XLSX)
  })

  async function world() {
    const tenant = await makeTenant()
    await pluginService.enable(tenant, 'sample')
    const operator = await makeUser(tenant, ['operator'])
    return { tenant, operator, base: `/api/v1/t/${tenant.slug}/reports` }
  }

  test('the list names the reports of the enabled plugins that the reader may run, in their language', async ({
    client,
    assert,
  }) => {
    const { tenant, operator, base } = await world()
    const admin = await makeUser(tenant, ['tenant_admin'])
    const citizen = await makeUser(tenant, ['citizen'])
    const forOperator = await client.get(base).header('accept-language', 'en').loginAs(operator)
    forOperator.assertStatus(200)
    assert.deepEqual(
      forOperator.body().reports.map((r: { id: string; title: string }) => [r.id, r.title]),
      [
        ['sample.notes', 'Notes'],
        ['sample.numbers', 'Numbers'],
      ]
    )
    assert.deepEqual(forOperator.body().reports[0].columns[2], { key: 'amount', label: 'Amount', type: 'money' })
    // The service that declares them (the plugin's name) and a description when the report has one.
    assert.deepEqual(
      forOperator
        .body()
        .reports.map((r: { service: string; description: string | null }) => [r.service, r.description]),
      [
        ['Sample service', 'The notes, with amount and day.'],
        ['Sample service', null],
      ]
    )
    const forAdmin = await client.get(base).loginAs(admin)
    assert.deepEqual(
      forAdmin.body().reports.map((r: { id: string }) => r.id),
      ['sample.notes']
    )
    assert.deepEqual((await client.get(base).loginAs(citizen)).body().reports, [])
    const elsewhere = await makeTenant()
    const stranger = await makeUser(elsewhere, ['operator'])
    assert.deepEqual((await client.get(`/api/v1/t/${elsewhere.slug}/reports`).loginAs(stranger)).body().reports, [])
  })

  test('xlsx export: the plugin rows as typed cells, the header in the reader language', async ({ client, assert }) => {
    const { tenant, operator, base } = await world()
    await withNotes(tenant)
    const response = await client
      .get(`${base}/sample.notes/export?format=xlsx`)
      .header('accept-language', 'it')
      .loginAs(operator)
    response.assertStatus(200)
    assert.match(response.header('content-type') ?? '', /spreadsheetml/)
    assert.match(
      response.header('content-disposition') ?? '',
      /attachment; filename="sample\.notes-\d{4}-\d{2}-\d{2}\.xlsx"/
    )
    const sheet = await readXlsx(response.body() as Buffer)
    assert.deepEqual(sheet.getRow(1).values, [undefined, 'Numero', 'Titolo', 'Importo', 'Giorno', 'In evidenza'])
    assert.equal(sheet.actualRowCount, 4)
    const mensa = sheet.getRow(3)
    assert.equal(mensa.getCell(1).type, ExcelJS.ValueType.Number)
    assert.equal(mensa.getCell(2).value, 'Mensa')
    assert.strictEqual(mensa.getCell(3).value, 1234.05)
    assert.match(mensa.getCell(3).numFmt, /0\.00/)
    assert.equal(mensa.getCell(4).type, ExcelJS.ValueType.Date)
    assert.equal((mensa.getCell(4).value as Date).toISOString().slice(0, 10), '2026-04-15')
    assert.strictEqual(mensa.getCell(5).value, false)
  })

  test('CSV export with parameters; bad parameters, wrong roles and disabled plugins are refused', async ({
    client,
    assert,
  }) => {
    const { tenant, operator, base } = await world()
    await withNotes(tenant)
    const csv = await client.get(`${base}/sample.notes/export?format=csv&pinned=true`).loginAs(operator)
    csv.assertStatus(200)
    assert.match(csv.header('content-type') ?? '', /^text\/csv; charset=utf-8/)
    const lines = csv
      .text()
      .replace(/^\uFEFF/, '')
      .split('\r\n')
    assert.equal(lines[0], 'Numero;Titolo;Importo;Giorno;In evidenza')
    assert.deepEqual(
      lines.slice(1, -1).map((l) => l.split(';').slice(1)),
      [
        ['Gita', '12,50', '2026-03-01', 'Sì'],
        ['Senza importo', '', '', 'Sì'],
      ]
    )

    const badParam = await client.get(`${base}/sample.notes/export?pinned=forse`).loginAs(operator)
    badParam.assertStatus(422)
    assert.equal(badParam.body().errors[0].path, '/pinned')
    const unknownParam = await client.get(`${base}/sample.notes/export?colour=red`).loginAs(operator)
    unknownParam.assertStatus(422)
    assert.equal(unknownParam.body().errors[0].path, '/colour')
    const badFormat = await client.get(`${base}/sample.notes/export?format=pdf`).loginAs(operator)
    badFormat.assertStatus(422)
    assert.equal(badFormat.body().errors[0].path, '/format')

    const admin = await makeUser(tenant, ['tenant_admin'])
    ;(await client.get(`${base}/sample.numbers/export`).loginAs(admin)).assertStatus(403)
    ;(await client.get(`${base}/sample.nope/export`).loginAs(operator)).assertStatus(404)
    await pluginService.disable(tenant, 'sample')
    ;(await client.get(`${base}/sample.notes/export`).loginAs(operator)).assertStatus(404)
  })

  test("a report's own check refuses parameters before any row is made, for exports and runs alike", async ({
    client,
    assert,
  }) => {
    const { operator, base } = await world()
    const exported = await client.get(`${base}/sample.numbers/export?format=csv&rows=13`).loginAs(operator)
    exported.assertStatus(422)
    assert.deepEqual(exported.body().errors, [{ path: '/rows', rule: 'unlucky', message: 'not 13' }])
    const run = await client
      .post(`${base}/sample.numbers/runs`)
      .json({ format: 'csv', params: { rows: 13 } })
      .loginAs(operator)
    run.assertStatus(422)
    assert.deepEqual(run.body().errors, [{ path: '/params/rows', rule: 'unlucky', message: 'not 13' }])
    ;(await client.get(`${base}/sample.numbers/export?format=csv&rows=12`).loginAs(operator)).assertStatus(200)
  })

  test('a long report runs as a job: progress, then a download link, for its requester only', async ({
    client,
    assert,
    cleanup,
  }) => {
    const { tenant, operator, base } = await world()
    // Written where every process finds it: the file store (STORAGE_PATH), not the process's own folders.
    const store = await mkdtemp(join(tmpdir(), 'store-'))
    const previous = env.get('STORAGE_PATH')
    env.set('STORAGE_PATH', store)
    cleanup(async () => {
      env.set('STORAGE_PATH', previous)
      await rm(store, { recursive: true, force: true })
    })
    const started = await client
      .post(`${base}/sample.numbers/runs`)
      .json({ format: 'xlsx', params: { rows: 2500 } })
      .loginAs(operator)
    started.assertStatus(202)
    const run = started.body().run
    assert.deepInclude(run, { report: 'sample.numbers', format: 'xlsx', status: 'queued', done: 0, download: null })

    await jobQueue().drained()
    const status = await client.get(`${base}/sample.numbers/runs/${run.id}`).loginAs(operator)
    status.assertStatus(200)
    assert.deepInclude(status.body().run, { status: 'done', done: 2500, total: 2500, error: null })
    const link = status.body().run.download as string
    assert.equal(link, `/api/v1/t/${tenant.slug}/reports/sample.numbers/runs/${run.id}/file`)
    const expires = DateTime.fromISO(status.body().run.expiresAt)
    assert.isTrue(expires > DateTime.now().plus({ hours: 23 }))

    const stored = await RequestContext.withTenant(tenant.ref, () => ReportRun.findOrFail(run.id))
    assert.equal(stored.filePath, join(store, 'reports', String(tenant.id), `${run.id}.xlsx`))
    const file = await client.get(link).loginAs(operator)
    file.assertStatus(200)
    const sheet = await readXlsx(file.body() as Buffer)
    assert.equal(sheet.actualRowCount, 2501)
    assert.strictEqual(sheet.getRow(2501).getCell(1).value, 2500)

    const colleague = await makeUser(tenant, ['operator'])
    ;(await client.get(`${base}/sample.numbers/runs/${run.id}`).loginAs(colleague)).assertStatus(404)
    ;(await client.get(link).loginAs(colleague)).assertStatus(404)

    const refused = await client
      .post(`${base}/sample.numbers/runs`)
      .json({ format: 'csv', params: { rows: -1 } })
      .loginAs(operator)
    refused.assertStatus(422)
    assert.equal(refused.body().errors[0].path, '/params/rows')
  })

  test('one person may have only a few runs waiting at once', async ({ client, assert }) => {
    const { tenant, operator, base } = await world()
    await RequestContext.withTenant(tenant.ref, async () => {
      for (let i = 0; i < MAX_PENDING_RUNS; i++) {
        await ReportRun.create({
          reportId: 'sample.numbers',
          format: 'csv',
          params: { rows: 1 },
          lang: 'it',
          status: 'queued',
          done: 0,
          total: null,
          filePath: null,
          fileSize: null,
          error: null,
          requestedByUserId: operator.id,
          finishedAt: null,
          expiresAt: null,
        })
      }
    })
    const refused = await client.post(`${base}/sample.numbers/runs`).json({ format: 'csv' }).loginAs(operator)
    refused.assertStatus(429)
    assert.equal(refused.body().errors[0].rule, 'pending_runs')
    const colleague = await makeUser(tenant, ['operator'])
    const other = await client.post(`${base}/sample.numbers/runs`).json({ format: 'csv' }).loginAs(colleague)
    other.assertStatus(202)
  })

  test('a finished file is kept for its retention, then deleted and the run marked expired', async ({
    client,
    assert,
  }) => {
    const { tenant, operator, base } = await world()
    const started = await client
      .post(`${base}/sample.numbers/runs`)
      .json({ format: 'csv', params: { rows: 3 } })
      .loginAs(operator)
    await jobQueue().drained()
    const id = started.body().run.id as number
    const run = await RequestContext.withTenant(tenant.ref, () => ReportRun.findOrFail(id))
    assert.isTrue(existsSync(run.filePath!))
    await reportFilesCleanupJob.handle({}, { name: 'cleanup', id: 'c1', runId: 'c1-run', attempt: 1, log: () => {} })
    assert.isTrue(existsSync(run.filePath!), 'a file within its retention stays')

    await RequestContext.withTenant(tenant.ref, async () => {
      run.expiresAt = DateTime.now().minus({ minutes: 1 })
      await run.save()
    })
    await reportFilesCleanupJob.handle({}, { name: 'cleanup', id: 'c2', runId: 'c2-run', attempt: 1, log: () => {} })
    assert.isFalse(existsSync(run.filePath!))
    const gone = await client.get(`${base}/sample.numbers/runs/${id}/file`).loginAs(operator)
    gone.assertStatus(410)
    const status = await client.get(`${base}/sample.numbers/runs/${id}`).loginAs(operator)
    assert.equal(status.body().run.status, 'expired')
  })
})
