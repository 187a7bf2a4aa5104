import { test } from '@japa/runner'
import ExcelJS from 'exceljs'
import { ApiRequest } from '@japa/api-client'
import { kit, SCHOOLS, canteenTenant } from './world.js'

type Tenant = Awaited<ReturnType<typeof kit.tenant>>

/** The API client leaves unknown binary types unparsed: an xlsx answer is read as its bytes. */
const readBytes: Parameters<typeof ApiRequest.addParser>[1] = (res, done) => {
  const stream = res as unknown as NodeJS.ReadableStream
  const chunks: Buffer[] = []
  stream.on('data', (chunk: Buffer) => chunks.push(chunk))
  stream.on('end', () => done(null, Buffer.concat(chunks)))
  stream.on('error', (error: Error) => done(error, null))
}
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

/** A child enrolled with the fee the rule set gave (its outputs as the canteen's rule set names them). */
async function enrolled(
  tenant: Tenant,
  parentId: number,
  child: { first: string; last: string; school: string; section: string; classYear?: string; birth?: string },
  result: Record<string, string | number | boolean | null> | null,
  schoolYear = '2026/2027'
) {
  return kit.enrolment(tenant, 'refezione', {
    schoolYear,
    applicantUserId: parentId,
    child: { firstName: child.first, lastName: child.last, birthDate: child.birth ?? '2019-05-04' },
    schoolId: child.school,
    section: child.section,
    details: { school_order: 'primaria', ...(child.classYear ? { class_year: child.classYear } : {}) },
    ...(result
      ? {
          tariff: {
            evaluation: { ruleset: 'refezione.tariffa', version: 1, at: '2026-09-01', result, trace: [] },
            facts: {},
          },
        }
      : {}),
  })
}

test.group('Refezione: the register reports of Allegato A', (group) => {
  group.setup(() => {
    ApiRequest.addParser(XLSX, readBytes)
    return () => ApiRequest.removeParser(XLSX)
  })
  group.each.setup(() => kit.isolate())

  test('by school, by fee band, non-residents and exempt: in CSV and in a spreadsheet that reads back typed', async ({
    client,
    assert,
  }) => {
    const { tenant, operator } = await canteenTenant()
    const parent = await kit.member(tenant, ['citizen'])
    const cook = await kit.member(tenant, ['kitchen'])
    const band = (b: string) => ({ amount: '4.10', regime: 'tariffa_isee', band: b, exempt: false })
    await enrolled(
      tenant,
      parent.id,
      { first: 'Bruno', last: 'Verdi', school: 'alberoni', section: 'B', classYear: '2' },
      band('intera')
    )
    await enrolled(
      tenant,
      parent.id,
      { first: 'Anna', last: 'Verdi', school: 'alberoni', section: 'A', classYear: '1' },
      band('ridotta')
    )
    await enrolled(
      tenant,
      parent.id,
      { first: 'Carla', last: 'Bianchi', school: 'alberoni', section: 'A', classYear: '1' },
      {
        amount: '6.20',
        regime: 'non_residente',
        band: null,
        exempt: false,
      }
    )
    await enrolled(
      tenant,
      parent.id,
      { first: 'Dario', last: 'Neri', school: 'besurica', section: 'A', birth: '2021-02-03' },
      {
        amount: '0.00',
        regime: 'esente',
        band: null,
        exempt: true,
      }
    )
    await enrolled(tenant, parent.id, { first: 'Elena', last: 'Gialli', school: 'besurica', section: 'A' }, null)
    // Another school year: in none of this year's reports.
    await enrolled(
      tenant,
      parent.id,
      { first: 'Franco', last: 'Rossi', school: 'alberoni', section: 'A' },
      band('intera'),
      '2025/2026'
    )

    const base = `/api/v1/t/${tenant.slug}/reports/refezione`
    const csv = async (id: string, qs: string) => {
      const response = await client.get(`${base}.${id}/export?format=csv&${qs}`).loginAs(operator)
      response.assertStatus(200)
      return response
        .text()
        .replace(/^\uFEFF/, '')
        .trim()
        .split('\r\n')
    }
    const year = 'school_year=2026/2027'
    assert.deepEqual(await csv('iscritti-per-scuola', year), [
      'Scuola;Classe;Sezione;Cognome;Nome;Codice fiscale;Data di nascita',
      `${SCHOOLS[1].name};;A;Gialli;Elena;;2019-05-04`,
      `${SCHOOLS[1].name};;A;Neri;Dario;;2021-02-03`,
      `${SCHOOLS[0].name};1;A;Bianchi;Carla;;2019-05-04`,
      `${SCHOOLS[0].name};1;A;Verdi;Anna;;2019-05-04`,
      `${SCHOOLS[0].name};2;B;Verdi;Bruno;;2019-05-04`,
    ])
    assert.lengthOf(await csv('iscritti-per-scuola', `${year}&school_code=besurica`), 3)
    assert.deepEqual(await csv('iscritti-per-fascia', year), [
      'Fascia;Iscritti',
      'Tariffa intera;1',
      'Tariffa ridotta;1',
      'Non residenti (tariffa unica);1',
      'Esenti;1',
      'Tariffa non calcolata;1',
    ])
    assert.deepEqual(await csv('non-residenti', year), [
      'Scuola;Sezione;Cognome;Nome;Codice fiscale;Data di nascita;Tariffa',
      `${SCHOOLS[0].name};A;Bianchi;Carla;;2019-05-04;6,20`,
    ])
    assert.deepEqual(await csv('esenti', year), [
      'Scuola;Sezione;Cognome;Nome;Codice fiscale;Data di nascita',
      `${SCHOOLS[1].name};A;Neri;Dario;;2021-02-03`,
    ])

    // The parameters are checked, and the kitchen reads none of these lists.
    ;(await client.get(`${base}.esenti/export?format=csv&school_year=2026`).loginAs(operator)).assertStatus(422)
    ;(await client.get(`${base}.esenti/export?format=csv&${year}`).loginAs(cook)).assertStatus(403)

    // The spreadsheet: headers in the reader's language, frozen header row, dates as dates, fees as numbers.
    const xlsx = await client
      .get(`${base}.non-residenti/export?format=xlsx&${year}`)
      .header('accept-language', 'en')
      .loginAs(operator)
    xlsx.assertStatus(200)
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.load(xlsx.body() as unknown as ArrayBuffer)
    const sheet = workbook.worksheets[0]
    assert.deepEqual((sheet.getRow(1).values as unknown[]).slice(1), [
      'School',
      'Section',
      'Last name',
      'First name',
      'Codice fiscale',
      'Birth date',
      'Fee',
    ])
    assert.equal(sheet.views[0]?.state, 'frozen')
    const row = sheet.getRow(2)
    assert.equal(row.getCell(4).value, 'Carla')
    assert.equal(row.getCell(6).type, ExcelJS.ValueType.Date)
    assert.equal((row.getCell(6).value as Date).toISOString().slice(0, 10), '2019-05-04')
    assert.strictEqual(row.getCell(7).value, 6.2)
    assert.match(row.getCell(7).numFmt, /0\.00/)
    const bands = await client.get(`${base}.iscritti-per-fascia/export?format=xlsx&${year}`).loginAs(operator)
    const bandBook = new ExcelJS.Workbook()
    await bandBook.xlsx.load(bands.body() as unknown as ArrayBuffer)
    assert.equal(bandBook.worksheets[0].getRow(2).getCell(1).value, 'Tariffa intera')
    assert.strictEqual(bandBook.worksheets[0].getRow(2).getCell(2).value, 1)
  })
})
