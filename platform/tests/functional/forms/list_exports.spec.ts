import { test } from '@japa/runner'
import ExcelJS from 'exceljs'
import { ApiRequest } from '@japa/api-client'
import { jobQueue } from '#queue/queue_factory'
import { makeUser } from '#tests/helpers/world'
import { FORM, forChild, refezioneTenant } from './world.js'
import { transactionWithJobs } from '../../helpers/world.js'

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

/** The API client leaves unknown binary types unparsed: an xlsx answer is read as its bytes. */
const readBytes: Parameters<typeof ApiRequest.addParser>[1] = (res, done) => {
  const stream = res as unknown as NodeJS.ReadableStream
  const chunks: Buffer[] = []
  stream.on('data', (chunk: Buffer) => chunks.push(chunk))
  stream.on('end', () => done(null, Buffer.concat(chunks)))
  stream.on('error', (error: Error) => done(error, null))
}

async function sheetOf(bytes: Buffer) {
  const workbook = new ExcelJS.Workbook()
  await workbook.xlsx.load(bytes as unknown as ArrayBuffer)
  return workbook.worksheets[0]
}

test.group('Back office: the inbox and the register leave as spreadsheets', (group) => {
  group.each.setup(() => transactionWithJobs())
  group.setup(() => {
    ApiRequest.addParser(XLSX, readBytes)
    return () => ApiRequest.removeParser(XLSX)
  })

  test('the inbox as xlsx and CSV: typed cells, the header in the reader language, the filters applied', async ({
    client,
    assert,
  }) => {
    const { citizen, operator, base, sample } = await refezioneTenant()
    const ids: number[] = []
    for (let n = 0; n < 3; n++) {
      const sent = await client
        .post(`${base}/forms/${FORM}/submit`)
        .json({ data: forChild(sample, n) })
        .loginAs(citizen)
      sent.assertStatus(201)
      ids.push(sent.body().submission.id)
    }
    await jobQueue().drained()
    const xlsx = await client.get(`${base}/inbox/export`).qs({ format: 'xlsx', sort: 'oldest' }).loginAs(operator)
    xlsx.assertStatus(200)
    assert.match(xlsx.header('content-disposition') ?? '', /^attachment; filename="domande-\d{4}-\d{2}-\d{2}\.xlsx"$/)
    const sheet = await sheetOf(xlsx.body() as Buffer)
    assert.deepEqual((sheet.getRow(1).values as unknown[]).slice(1, 4), ['Numero', 'Stato', 'Modulo'])
    assert.deepInclude(sheet.views[0], { state: 'frozen', ySplit: 1 })
    assert.equal(sheet.rowCount, 4)
    const first = sheet.getRow(2)
    assert.strictEqual(first.getCell(1).value, ids[0])
    assert.equal(first.getCell(2).value, 'Protocollata')
    assert.equal(first.getCell(4).value, 'Mario Rossi')
    assert.equal(first.getCell(8).type, ExcelJS.ValueType.Date)
    assert.equal(first.getCell(8).numFmt, 'dd/mm/yyyy')

    const csv = await client
      .get(`${base}/inbox/export`)
      .qs({ format: 'csv', q: (forChild(sample, 1).student as { fiscal_code: string }).fiscal_code })
      .header('accept-language', 'en')
      .loginAs(operator)
    csv.assertStatus(200)
    const lines = csv
      .text()
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n')
    assert.lengthOf(lines, 2)
    assert.match(lines[0], /^Number;Status;Form;Applicant/)
    assert.match(lines[1], new RegExp(`^${ids[1]};Registered`))

    const bad = await client.get(`${base}/inbox/export`).qs({ format: 'pdf' }).loginAs(operator)
    bad.assertStatus(422)
    ;(await client.get(`${base}/inbox/export`).loginAs(citizen)).assertStatus(403)
  })

  test('the register as xlsx: fees as numbers with two decimals, the one set by hand and the one charged', async ({
    client,
    assert,
  }) => {
    const { tenant, citizen, operator, base, sample } = await refezioneTenant()
    const sent = await client.post(`${base}/forms/${FORM}/submit`).json({ data: sample }).loginAs(citizen)
    await jobQueue().drained()
    const sid = sent.body().submission.id
    ;(
      await client.post(`${base}/submissions/${sid}/status`).json({ status: 'accepted' }).loginAs(operator)
    ).assertStatus(200)
    const list = await client.get(`${base}/enrolments`).loginAs(operator)
    const enrolment = list.body().enrolments[0]
    ;(
      await client
        .put(`${base}/enrolments/${enrolment.id}/fee`)
        .json({ amount: '2', reason: 'Delibera 3/2026' })
        .loginAs(operator)
    ).assertStatus(200)

    const xlsx = await client.get(`${base}/enrolments/export`).qs({ service: 'refezione' }).loginAs(operator)
    xlsx.assertStatus(200)
    const sheet = await sheetOf(xlsx.body() as Buffer)
    const header = (sheet.getRow(1).values as unknown[]).slice(1)
    assert.includeMembers(header, ['Bambino', 'Tariffa calcolata', 'Tariffa impostata a mano', 'Tariffa applicata'])
    const row = sheet.getRow(2)
    const cell = (label: string) => row.getCell(header.indexOf(label) + 1)
    assert.equal(cell('Bambino').value, 'Giulia Rossi')
    assert.equal(cell('Data di nascita').type, ExcelJS.ValueType.Date)
    assert.strictEqual(cell('Tariffa calcolata').value, Number(enrolment.tariff.amount))
    assert.strictEqual(cell('Tariffa impostata a mano').value, 2)
    assert.strictEqual(cell('Tariffa applicata').value, 2)
    assert.match(cell('Tariffa applicata').numFmt, /0\.00/)

    const kitchen = await makeUser(tenant, ['kitchen'])
    ;(await client.get(`${base}/enrolments/export`).loginAs(kitchen)).assertStatus(403)
    ;(await client.get(`${base}/enrolments/export`).loginAs(citizen)).assertStatus(403)
  })
})
