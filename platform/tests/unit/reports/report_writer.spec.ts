import { test } from '@japa/runner'
import { Writable, PassThrough } from 'node:stream'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import ExcelJS from 'exceljs'
import { ReportOutputClosedError, ReportValueError, writeCsv, writeXlsx } from '#reports/report_writer'
import type { ReportColumn, ReportValue } from '#sdk/types'

const COLUMNS: ReportColumn[] = [
  { key: 'n', label: { it: 'Numero', en: 'Number' }, type: 'integer' },
  { key: 'name', label: { it: 'Nome', en: 'Name' }, type: 'text' },
  { key: 'fee', label: { it: 'Retta', en: 'Fee' }, type: 'money' },
  { key: 'ratio', label: { it: 'Quota', en: 'Share' }, type: 'decimal' },
  { key: 'day', label: { it: 'Data', en: 'Date' }, type: 'date' },
  { key: 'paid', label: { it: 'Pagato', en: 'Paid' }, type: 'boolean' },
]

async function* rowsOf(rows: Array<Record<string, ReportValue>>) {
  yield* rows
}

async function* generated(count: number) {
  for (let n = 1; n <= count; n++) {
    yield {
      n,
      name: `Bambino numero ${n} della scuola primaria`,
      fee: `${n % 1000}.${String(n % 100).padStart(2, '0')}`,
      ratio: n / 7,
      day: `2026-${String((n % 12) + 1).padStart(2, '0')}-15`,
      paid: n % 3 === 0,
    }
  }
}

function collect() {
  const chunks: Buffer[] = []
  const output = new PassThrough()
  output.on('data', (c: Buffer) => chunks.push(c))
  return { output, bytes: () => Buffer.concat(chunks) }
}

/** A sink that keeps nothing: what the writer holds is all the memory the report takes. */
function discard() {
  let size = 0
  const output = new Writable({
    write(chunk: Buffer, _enc, done) {
      size += chunk.length
      setImmediate(done)
    },
  })
  return { output, size: () => size }
}

function gc(): () => void {
  setFlagsFromString('--expose-gc')
  return runInNewContext('gc') as () => void
}

test.group('Reports: the xlsx and CSV writers', () => {
  test('xlsx: typed cells read back by exceljs — numbers, amounts with two decimals, dates as dates, booleans', async ({
    assert,
  }) => {
    const { output, bytes } = collect()
    const count = await writeXlsx(
      rowsOf([
        { n: 1, name: 'Anna', fee: '3.43', ratio: 0.125, day: '2026-09-01', paid: true },
        { n: '2', name: '=HYPERLINK("x")', fee: 12, ratio: '1.005', day: new Date(2026, 0, 31), paid: false },
        { n: 3, name: null, fee: null, ratio: null, day: null, paid: null },
      ]),
      output,
      { title: 'Iscritti: refezione/2026', columns: COLUMNS, lang: 'en' }
    )
    assert.equal(count, 3)
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.load(bytes() as unknown as ArrayBuffer)
    const sheet = workbook.worksheets[0]
    assert.equal(sheet.name, 'Iscritti  refezione 2026')
    assert.deepEqual(sheet.getRow(1).values, [undefined, 'Number', 'Name', 'Fee', 'Share', 'Date', 'Paid'])
    assert.isTrue(sheet.getRow(1).getCell(1).font?.bold)
    assert.deepInclude(sheet.views[0], { state: 'frozen', ySplit: 1 })
    assert.deepEqual(sheet.autoFilter, 'A1:F1' as never)

    const first = sheet.getRow(2)
    assert.equal(first.getCell(1).type, ExcelJS.ValueType.Number)
    assert.strictEqual(first.getCell(1).value, 1)
    assert.equal(first.getCell(2).type, ExcelJS.ValueType.String)
    assert.equal(first.getCell(3).type, ExcelJS.ValueType.Number)
    assert.strictEqual(first.getCell(3).value, 3.43)
    assert.match(first.getCell(3).numFmt, /#,##0\.00/)
    assert.strictEqual(first.getCell(4).value, 0.13)
    assert.equal(first.getCell(4).numFmt, '#,##0.00')
    assert.equal(first.getCell(5).type, ExcelJS.ValueType.Date)
    assert.equal((first.getCell(5).value as Date).toISOString(), '2026-09-01T00:00:00.000Z')
    assert.equal(first.getCell(5).numFmt, 'dd/mm/yyyy')
    assert.equal(first.getCell(6).type, ExcelJS.ValueType.Boolean)
    assert.strictEqual(first.getCell(6).value, true)

    const second = sheet.getRow(3)
    assert.strictEqual(second.getCell(1).value, 2)
    // A text that looks like a formula stays a text.
    assert.equal(second.getCell(2).type, ExcelJS.ValueType.String)
    assert.strictEqual(second.getCell(3).value, 12)
    assert.strictEqual(second.getCell(4).value, 1.01)
    assert.equal((second.getCell(5).value as Date).toISOString(), '2026-01-31T00:00:00.000Z')
    assert.equal(sheet.getRow(4).getCell(2).type, ExcelJS.ValueType.Null)
  })

  test('CSV: BOM, semicolons, decimal comma, ISO dates, Sì/No, quotes where needed, no formulas', async ({
    assert,
  }) => {
    const { output, bytes } = collect()
    await writeCsv(
      rowsOf([
        { n: 1, name: 'Rossi; Anna "Annina"', fee: '1234.5', ratio: 2, day: '2026-09-01', paid: true },
        { n: 2, name: '=1+1', fee: 0, ratio: null, day: null, paid: false },
      ]),
      output,
      { title: 'x', columns: COLUMNS, lang: 'it' }
    )
    const text = bytes().toString('utf8')
    assert.isTrue(text.startsWith('\uFEFF'))
    assert.deepEqual(text.slice(1).split('\r\n'), [
      'Numero;Nome;Retta;Quota;Data;Pagato',
      '1;"Rossi; Anna ""Annina""";1234,50;2,00;2026-09-01;Sì',
      "2;'=1+1;0,00;;;No",
      '',
    ])
  })

  test('a value its column cannot hold fails the report, naming the row and the column', async ({ assert }) => {
    for (const row of [{ n: 1.5 }, { fee: '12,50' }, { day: '2026-02-30' }, { paid: 'yes' }]) {
      await assert.rejects(
        () => writeCsv(rowsOf([row]), new PassThrough(), { title: 'x', columns: COLUMNS, lang: 'it' }),
        ReportValueError
      )
    }
  })

  test('progress is told every so many rows and at the end', async ({ assert }) => {
    const told: number[] = []
    const sink = discard()
    await writeXlsx(generated(2500), sink.output, {
      title: 'x',
      columns: COLUMNS,
      lang: 'it',
      progressEvery: 1000,
      onProgress: (done) => void told.push(done),
    })
    assert.deepEqual(told, [1000, 2000, 2500])
  })

  test('a reader who goes away stops the rows: the writer fails instead of waiting for ever', async ({ assert }) => {
    for (const write of [writeXlsx, writeCsv]) {
      let produced = 0
      async function* counted() {
        for await (const row of generated(100_000)) {
          produced++
          yield row
        }
      }
      // A reader that takes one chunk, then never another, then hangs up.
      const stalled = new Writable({ highWaterMark: 1024, write: () => {} })
      setTimeout(() => stalled.destroy(), 200)
      await assert.rejects(
        () => write(counted(), stalled, { title: 'x', columns: COLUMNS, lang: 'it' }),
        ReportOutputClosedError
      )
      assert.isBelow(produced, 100_000)
    }
  })

  test('100,000 rows stream through with bounded memory', async ({ assert }) => {
    const collectGarbage = gc()
    collectGarbage()
    const before = process.memoryUsage().heapUsed
    let peak = 0
    const sink = discard()
    const count = await writeXlsx(generated(100_000), sink.output, {
      title: 'Grande',
      columns: COLUMNS,
      lang: 'it',
      progressEvery: 5000,
      onProgress: () => {
        collectGarbage()
        peak = Math.max(peak, process.memoryUsage().heapUsed - before)
      },
    })
    assert.equal(count, 100_000)
    assert.isAbove(sink.size(), 1_000_000)
    // Holding the rows would take hundreds of megabytes (exceljs keeps ~1 KB per cell in memory);
    // streaming keeps the growth to the buffers of a few batches.
    assert.isBelow(peak, 48 * 1024 * 1024, `heap grew by ${Math.round(peak / 1024 / 1024)} MB`)
  }).timeout(180000)
})
