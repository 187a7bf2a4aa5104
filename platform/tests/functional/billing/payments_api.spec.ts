import { test } from '@japa/runner'
import ExcelJS from 'exceljs'
import { ApiRequest } from '@japa/api-client'
import { jobQueue } from '#queue/queue_factory'
import { RequestContext } from '#services/infrastructure/request_context'
import { startRun } from '#services/billing/billing_run'
import { formatNoticeNumber } from '#integrations/pagopa/notice_number'
import { billingWorld } from '#tests/helpers/billing'
import { captureMailEachTest } from '#tests/helpers/smtp'
import { pdfTextLines } from '#tests/helpers/pdf_text'
import { makeUser, transactionWithJobs } from '#tests/helpers/world'

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

/** The API client leaves unknown binary types unparsed: an xlsx answer is read as its bytes. */
const readBytes: Parameters<typeof ApiRequest.addParser>[1] = (res, done) => {
  const stream = res as unknown as NodeJS.ReadableStream
  const chunks: Buffer[] = []
  stream.on('data', (chunk: Buffer) => chunks.push(chunk))
  stream.on('end', () => done(null, Buffer.concat(chunks)))
  stream.on('error', (error: Error) => done(error, null))
}

test.group('Billing: what families and the office read', (group) => {
  group.each.setup(() => transactionWithJobs())
  group.setup(() => {
    ApiRequest.addParser(XLSX, readBytes)
    return () => ApiRequest.removeParser(XLSX)
  })
  captureMailEachTest(group)

  test('a family lists its positions and downloads its notice; the office filters, exports and reads a ledger', async ({
    client,
    assert,
    cleanup,
  }) => {
    const world = await billingWorld()
    cleanup(() => world.close())
    const mine = await world.enrol(null, '45.00')
    const theirs = await world.enrol(null, '30.00')
    await RequestContext.withTenant(world.tenant.ref, () =>
      startRun(world.tenant, { service: 'rette', period: '2026-10', userId: null })
    )
    await jobQueue().drained()
    const base = `/api/v1/t/${world.tenant.slug}`

    const listed = await client.get(`${base}/payments/positions`).loginAs(mine.payer)
    listed.assertStatus(200)
    const [position] = listed.body().positions
    assert.lengthOf(listed.body().positions, 1)
    assert.include(position, { status: 'published', amount: '45.00', service_name: 'Retta mensile', period: '2026-10' })
    assert.equal(position.notice_code, formatNoticeNumber(position.nav))
    assert.equal(listed.body().balance.balanceCents, 4500)

    const pdf = await client.get(position.notice_url).loginAs(mine.payer)
    pdf.assertStatus(200)
    assert.equal(pdf.header('content-type'), 'application/pdf')
    const lines = await pdfTextLines(new Uint8Array(Buffer.from(pdf.body() as ArrayBuffer)))
    assert.include(lines, formatNoticeNumber(position.nav))
    // Someone else's notice is not there for them.
    const foreign = await client.get(position.notice_url).loginAs(theirs.payer)
    foreign.assertStatus(404)
    // The office lists are the office's.
    const forbidden = await client.get(`${base}/billing/positions`).loginAs(mine.payer)
    forbidden.assertStatus(403)

    const operator = await makeUser(world.tenant, ['operator'])
    const filtered = await client.get(`${base}/billing/positions?payer=${theirs.payer.id}`).loginAs(operator)
    filtered.assertStatus(200)
    assert.deepEqual(
      filtered.body().positions.map((p: { amount: string }) => p.amount),
      ['30.00']
    )
    const wrong = await client.get(`${base}/billing/positions?status=lost`).loginAs(operator)
    wrong.assertStatus(422)
    assert.equal(wrong.body().errors[0].path, '/status')
    const runs = await client.get(`${base}/billing/runs`).loginAs(operator)
    assert.equal(runs.body().runs[0].positions.total, 2)

    const csv = await client.get(`${base}/billing/positions/export?format=csv&service=rette`).loginAs(operator)
    csv.assertStatus(200)
    const text = csv.text()
    assert.include(text, formatNoticeNumber(position.nav))
    assert.include(text, '45,00')
    assert.lengthOf(text.trim().split('\r\n'), 3)

    const xlsx = await client.get(`${base}/billing/positions/export?format=xlsx`).loginAs(operator)
    xlsx.assertStatus(200)
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.load(xlsx.body() as unknown as ArrayBuffer)
    const sheet = workbook.worksheets[0]
    assert.equal(sheet.rowCount, 3)
    assert.equal(sheet.getRow(1).getCell(1).value, 'Periodo')

    const ledger = await client.get(`${base}/billing/payers/${mine.payer.id}/ledger`).loginAs(operator)
    ledger.assertStatus(200)
    assert.equal(ledger.body().balance.balanceCents, 4500)
    assert.deepEqual(
      ledger.body().entries.map((e: { kind: string; amount_cents: number }) => [e.kind, e.amount_cents]),
      [['charge', 4500]]
    )
  })
})
