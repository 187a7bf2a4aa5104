import { test } from '@japa/runner'
import {
  FixedWidthError,
  SPORTELLO_RUOLO_V1,
  checkLayout,
  parseLine,
  writeLine,
  writeRecordFile,
  type RecordLayout,
} from '#services/billing/fixed_width'

test.group('Fixed-width records (the coercive-collection layout)', () => {
  test('the default layout fills every line exactly: 250 characters per record type', ({ assert }) => {
    checkLayout(SPORTELLO_RUOLO_V1)
    for (const kind of ['header', 'detail', 'trailer'] as const) {
      assert.equal(
        SPORTELLO_RUOLO_V1[kind].reduce((sum, f) => sum + f.length, 0),
        250
      )
      assert.equal(SPORTELLO_RUOLO_V1[kind][0].name, 'record_type')
    }
  })

  test('each field at its offset: alpha upper case ASCII padded right, numbers zero-padded left', ({ assert }) => {
    const line = writeLine(SPORTELLO_RUOLO_V1.detail, {
      sequence: 12,
      debtor_fiscal_code: 'rssmra85t10a562s',
      debtor_name: 'Niccolò D’Amà Ñuñez',
      injunction_number: '2026/000003',
      protocol: '2026/0000042',
      protocol_date: '20261201',
      service: 'Refezione scolastica',
      period_from: '202609',
      period_to: '202611',
      notices: 3,
      amount_cents: 12345,
      debtor_address: 'Via Giuseppe Garibaldi 12',
      debtor_postal_code: '29121',
      debtor_municipality: 'Piacenza',
      debtor_province: 'PC',
    })
    assert.lengthOf(line, 250)
    assert.equal(line.slice(0, 1), '1')
    assert.equal(line.slice(1, 8), '0000012')
    assert.equal(line.slice(8, 24), 'RSSMRA85T10A562S')
    assert.equal(line.slice(24, 84), 'NICCOLO D AMA NUNEZ'.padEnd(60))
    assert.equal(line.slice(84, 95), '2026/000003')
    assert.equal(line.slice(95, 115), '2026/0000042'.padEnd(20))
    assert.equal(line.slice(115, 123), '20261201')
    assert.equal(line.slice(123, 143), 'REFEZIONE SCOLASTICA')
    assert.equal(line.slice(143, 149), '202609')
    assert.equal(line.slice(149, 155), '202611')
    assert.equal(line.slice(155, 158), '003')
    assert.equal(line.slice(158, 171), '0000000012345')
    assert.equal(line.slice(171, 211), 'VIA GIUSEPPE GARIBALDI 12'.padEnd(40))
    assert.equal(line.slice(211, 216), '29121')
    assert.equal(line.slice(216, 246), 'PIACENZA'.padEnd(30))
    assert.equal(line.slice(246, 248), 'PC')
    assert.equal(line.slice(248), '  ')
    assert.deepInclude(parseLine(SPORTELLO_RUOLO_V1.detail, line), {
      debtor_name: 'NICCOLO D AMA NUNEZ',
      amount_cents: '0000000012345',
      filler: '',
    })
  })

  test('a long name is cut at its length; an amount that does not fit, or is not a number, is refused', ({
    assert,
  }) => {
    const line = writeLine(SPORTELLO_RUOLO_V1.detail, { debtor_name: 'X'.repeat(90) })
    assert.lengthOf(line, 250)
    assert.equal(parseLine(SPORTELLO_RUOLO_V1.detail, line).debtor_name, 'X'.repeat(60))
    assert.throws(() => writeLine(SPORTELLO_RUOLO_V1.detail, { amount_cents: 10 ** 13 }), FixedWidthError)
    assert.throws(() => writeLine(SPORTELLO_RUOLO_V1.detail, { amount_cents: '12.50' }), FixedWidthError)
    assert.throws(() => writeLine(SPORTELLO_RUOLO_V1.detail, { amount_cents: -5 }), FixedWidthError)
  })

  test('a file: header, details, trailer, CR LF after each line; a layout that does not add up is refused', ({
    assert,
  }) => {
    const file = writeRecordFile(
      SPORTELLO_RUOLO_V1,
      { ente_fiscal_code: '00229080338', ente_name: 'Comune di Piacenza', supply_number: 1, supply_date: '20261201' },
      [{ sequence: 1, amount_cents: 100 }],
      { details: 1, total_cents: 100 }
    )
    const lines = file.split('\r\n')
    assert.deepEqual(
      lines.map((l) => l.length),
      [250, 250, 250, 0]
    )
    assert.deepEqual(
      lines.slice(0, 3).map((l) => l[0]),
      ['0', '1', '9']
    )
    const broken: RecordLayout = { ...SPORTELLO_RUOLO_V1, trailer: SPORTELLO_RUOLO_V1.trailer.slice(0, 3) }
    assert.throws(() => checkLayout(broken), FixedWidthError)
  })
})
