import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import Tenant from '#models/tenant'
import { makeTenant, makeUser } from '#tests/helpers/world'

const PAGOPA = {
  segregationCode: '01',
  fiscalCode: '00229080338',
  iban: 'IT60X0542811101000000123456',
  baseUrl: 'https://api.platform.pagopa.it',
  subscriptionKeyEnv: 'PAGOPA_KEY_PROVA',
}

test.group('Tenant settings: the pagopa and notices blocks through the API', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('a reserved segregation code or a stored key is refused with a 422 naming the field', async ({
    client,
    assert,
  }) => {
    const tenant = await makeTenant()
    const admin = await makeUser(tenant, ['tenant_admin'])
    const url = `/api/v1/t/${tenant.slug}`
    const reserved = await client
      .patch(url)
      .json({ settings: { pagopa: { ...PAGOPA, segregationCode: '47' } } })
      .loginAs(admin)
    reserved.assertStatus(422)
    assert.equal(reserved.body().errors[0].path, '/settings/pagopa/segregationCode')
    assert.include(reserved.body().errors[0].message, 'riservato ai servizi nazionali')

    const key = await client
      .patch(url)
      .header('accept-language', 'en')
      .json({ settings: { notices: { io: { url: 'https://api.io.pagopa.it', keyEnv: 'IO_KEY_X', key: 'segreta' } } } })
      .loginAs(admin)
    key.assertStatus(422)
    assert.equal(key.body().errors[0].path, '/settings/notices/io/key')
    assert.include(key.body().errors[0].message, 'environment variable')

    const right = await client
      .patch(url)
      .json({
        settings: {
          pagopa: PAGOPA,
          notices: { sms: { url: 'http://127.0.0.1:1', keyEnv: 'SMS_KEY_X', sender: 'Comune' } },
        },
      })
      .loginAs(admin)
    right.assertStatus(200)
    const saved = await Tenant.findOrFail(tenant.id)
    assert.deepEqual(saved.settings.pagopa, PAGOPA)
  })
})
