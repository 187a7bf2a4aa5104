import { test } from '@japa/runner'
import {
  parsePagopaSettings,
  PagopaSettingsError,
  validIban,
  validNumericFiscalCode,
} from '#integrations/pagopa/pagopa_settings'
import { NoticeSettingsError, parseNoticeSettings } from '#integrations/notices/notice_settings'

const PAGOPA = {
  segregationCode: '01',
  fiscalCode: '00229080338',
  cbill: 'ab12c',
  iban: 'IT60 X054 2811 1010 0000 0123 456',
  postalAccount: '1234567890',
  baseUrl: 'https://api.platform.pagopa.it/',
  subscriptionKeyEnv: 'PAGOPA_KEY_PIACENZA',
}

function fieldOf(fn: () => unknown) {
  try {
    fn()
  } catch (error) {
    if (error instanceof PagopaSettingsError || error instanceof NoticeSettingsError) return error.field
    throw error
  }
  return null
}

test.group('Tenant settings: pagopa', () => {
  test('a complete block, with pagoPA’s paths under the base URL', ({ assert }) => {
    assert.isNull(parsePagopaSettings(undefined))
    assert.deepEqual(parsePagopaSettings(PAGOPA), {
      segregationCode: '01',
      fiscalCode: '00229080338',
      cbill: 'AB12C',
      iban: 'IT60X0542811101000000123456',
      postalAccount: '001234567890',
      sector: null,
      info: null,
      gpdUrl: 'https://api.platform.pagopa.it/gpd/debt-positions-service/v1',
      receiptsUrl: 'https://api.platform.pagopa.it/gpd/payments-receipts-service/v1',
      fdrUrl: 'https://api.platform.pagopa.it/fdr-org/service/v1',
      subscriptionKeyEnv: 'PAGOPA_KEY_PIACENZA',
      receiptsKeyEnv: 'PAGOPA_KEY_PIACENZA',
      fdrKeyEnv: 'PAGOPA_KEY_PIACENZA',
      timeoutMs: 10000,
      checkoutUrl: 'https://checkout.pagopa.it/',
    })
    assert.equal(
      parsePagopaSettings({ ...PAGOPA, checkoutUrl: 'http://127.0.0.1:9/pay/{nav}' })!.checkoutUrl,
      'http://127.0.0.1:9/pay/{nav}'
    )
    assert.throws(() => parsePagopaSettings({ ...PAGOPA, checkoutUrl: 'ftp://x' }), /checkoutUrl/)
    const own = parsePagopaSettings({ ...PAGOPA, fdrUrl: 'http://127.0.0.1:9/fdr', fdrKeyEnv: 'PAGOPA_KEY_FDR' })!
    assert.equal(own.fdrUrl, 'http://127.0.0.1:9/fdr')
    assert.equal(own.fdrKeyEnv, 'PAGOPA_KEY_FDR')
  })

  test('every mistake names its field', ({ assert }) => {
    assert.equal(
      fieldOf(() => parsePagopaSettings({ ...PAGOPA, segregationCode: '99' })),
      'segregationCode'
    )
    assert.equal(
      fieldOf(() => parsePagopaSettings({ ...PAGOPA, segregationCode: 1 })),
      'segregationCode'
    )
    assert.equal(
      fieldOf(() => parsePagopaSettings({ ...PAGOPA, fiscalCode: '00229080339' })),
      'fiscalCode'
    )
    assert.equal(
      fieldOf(() => parsePagopaSettings({ ...PAGOPA, cbill: 'ABCDEF' })),
      'cbill'
    )
    assert.equal(
      fieldOf(() => parsePagopaSettings({ ...PAGOPA, iban: 'IT60X0542811101000000123457' })),
      'iban'
    )
    assert.equal(
      fieldOf(() => parsePagopaSettings({ ...PAGOPA, postalAccount: '1234567890123' })),
      'postalAccount'
    )
    assert.equal(
      fieldOf(() => parsePagopaSettings({ ...PAGOPA, baseUrl: 'ftp://x' })),
      'baseUrl'
    )
    assert.equal(
      fieldOf(() => parsePagopaSettings({ ...PAGOPA, subscriptionKeyEnv: 'APP_KEY' })),
      'subscriptionKeyEnv'
    )
    assert.equal(
      fieldOf(() => parsePagopaSettings({ ...PAGOPA, subscriptionKey: 'segreta' })),
      'subscriptionKey'
    )
    assert.equal(
      fieldOf(() => parsePagopaSettings({ ...PAGOPA, timeoutMs: 10 })),
      'timeoutMs'
    )
    assert.equal(
      fieldOf(() => parsePagopaSettings({ ...PAGOPA, colour: 'blu' })),
      'colour'
    )
    assert.equal(
      fieldOf(() => parsePagopaSettings('01')),
      ''
    )
  })

  test('check digits of fiscal codes and IBANs', ({ assert }) => {
    assert.isTrue(validNumericFiscalCode('00229080338'))
    assert.isTrue(validNumericFiscalCode('00196350904'))
    assert.isFalse(validNumericFiscalCode('00229080330'))
    assert.isTrue(validIban('IT60X0542811101000000123456'))
    assert.isTrue(validIban('DE89370400440532013000'))
    assert.isFalse(validIban('IT60X054281110100000012345'))
  })
})

test.group('Tenant settings: notices', () => {
  test('every part is optional; the configured ones are read', ({ assert }) => {
    assert.deepEqual(parseNoticeSettings(undefined), {
      email: { from: null },
      sms: null,
      io: null,
      post: { enabled: false },
    })
    assert.deepEqual(
      parseNoticeSettings({
        email: { from: 'Comune di Piacenza <noreply@comune.piacenza.it>' },
        sms: { url: 'http://127.0.0.1:2591/', keyEnv: 'SMS_KEY_PIACENZA', sender: 'ComunePC' },
        io: { url: 'https://api.io.pagopa.it', keyEnv: 'IO_KEY_PIACENZA' },
        post: {},
      }),
      {
        email: { from: 'Comune di Piacenza <noreply@comune.piacenza.it>' },
        sms: { url: 'http://127.0.0.1:2591', keyEnv: 'SMS_KEY_PIACENZA', sender: 'ComunePC' },
        io: { url: 'https://api.io.pagopa.it', keyEnv: 'IO_KEY_PIACENZA' },
        post: { enabled: true },
      }
    )
  })

  test('every mistake names its field', ({ assert }) => {
    const sms = { url: 'http://127.0.0.1:2591', keyEnv: 'SMS_KEY_PIACENZA', sender: 'ComunePC' }
    assert.equal(
      fieldOf(() => parseNoticeSettings({ sms: { ...sms, sender: 'Comune di Piacenza' } })),
      'sms.sender'
    )
    assert.equal(
      fieldOf(() => parseNoticeSettings({ sms: { ...sms, keyEnv: 'IO_KEY_X' } })),
      'sms.keyEnv'
    )
    assert.equal(
      fieldOf(() => parseNoticeSettings({ sms: { ...sms, key: 'segreta' } })),
      'sms.key'
    )
    assert.equal(
      fieldOf(() => parseNoticeSettings({ io: { url: 'nope', keyEnv: 'IO_KEY_X' } })),
      'io.url'
    )
    assert.equal(
      fieldOf(() => parseNoticeSettings({ email: { from: 'not an address' } })),
      'email.from'
    )
    assert.equal(
      fieldOf(() => parseNoticeSettings({ fax: {} })),
      'fax'
    )
    assert.equal(
      fieldOf(() => parseNoticeSettings({ post: { enabled: 'si' } })),
      'post.enabled'
    )
  })
})
