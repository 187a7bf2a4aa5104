import { test } from '@japa/runner'
import { parseProtocolSettings, ProtocolSettingsError } from '#integrations/protocol_settings'

const DOCAREA = {
  driver: 'docarea',
  url: 'https://protocollo.comune.example/JProtocolloDocArea/services/DOCAREAProtoSoap',
  codEnte: 'C_G535',
  username: 'sportello',
  passwordEnv: 'DOCAREA_PASSWORD_PIACENZA',
}

function fieldOf(fn: () => unknown) {
  try {
    fn()
  } catch (error) {
    if (error instanceof ProtocolSettingsError) return error.at.join('.')
    throw error
  }
  return null
}

test.group('Tenant protocol settings', () => {
  test('no block, or the simulator, means the local simulator', ({ assert }) => {
    assert.deepEqual(parseProtocolSettings(undefined), { driver: 'simulator' })
    assert.deepEqual(parseProtocolSettings({ driver: 'simulator' }), { driver: 'simulator' })
  })

  test('a DOCAREA block gets its defaults', ({ assert }) => {
    assert.deepEqual(parseProtocolSettings(DOCAREA), {
      ...DOCAREA,
      driver: 'docarea',
      codAoo: null,
      attachments: 'swa',
      timeoutMs: 30000,
    })
    const mtom = parseProtocolSettings({ ...DOCAREA, attachments: 'mtom', codAoo: 'AOO1', timeoutMs: 5000 })
    assert.deepInclude(mtom, { attachments: 'mtom', codAoo: 'AOO1', timeoutMs: 5000 })
  })

  test('every mistake names its field, in Italian and English', ({ assert }) => {
    assert.equal(
      fieldOf(() => parseProtocolSettings({ driver: 'pec' })),
      'driver'
    )
    assert.equal(
      fieldOf(() => parseProtocolSettings({ ...DOCAREA, url: 'ftp://x' })),
      'url'
    )
    assert.equal(
      fieldOf(() => parseProtocolSettings({ ...DOCAREA, codEnte: '' })),
      'codEnte'
    )
    assert.equal(
      fieldOf(() => parseProtocolSettings({ ...DOCAREA, username: undefined })),
      'username'
    )
    assert.equal(
      fieldOf(() => parseProtocolSettings({ ...DOCAREA, attachments: 'base64' })),
      'attachments'
    )
    assert.equal(
      fieldOf(() => parseProtocolSettings({ ...DOCAREA, timeoutMs: 10 })),
      'timeoutMs'
    )
    assert.equal(
      fieldOf(() => parseProtocolSettings('docarea')),
      ''
    )
    const error = (() => {
      try {
        parseProtocolSettings({ ...DOCAREA, url: 'nope' })
      } catch (e) {
        return e as ProtocolSettingsError
      }
    })()!
    assert.include(error.message, '/settings/protocol/url')
    assert.include(error.messages.it, 'indirizzo')
    assert.include(error.messages.en, 'URL')
  })

  test('the password never sits in the settings, and only DOCAREA_PASSWORD_* variables are read', ({ assert }) => {
    assert.equal(
      fieldOf(() => parseProtocolSettings({ ...DOCAREA, password: 'segreta' })),
      'password'
    )
    for (const name of ['APP_KEY', 'DATA_ENCRYPTION_KEYS', 'PG_PASSWORD', 'DOCAREA_PASSWORD_', 'docarea_password_x']) {
      assert.equal(
        fieldOf(() => parseProtocolSettings({ ...DOCAREA, passwordEnv: name })),
        'passwordEnv',
        name
      )
    }
  })
})
