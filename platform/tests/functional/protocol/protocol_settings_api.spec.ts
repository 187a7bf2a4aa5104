import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import Tenant from '#models/tenant'
import { makeTenant, makeUser } from '#tests/helpers/world'

const DOCAREA = {
  driver: 'docarea',
  url: 'https://protocollo.comune.example/JProtocolloDocArea/services/DOCAREAProtoSoap',
  codEnte: 'C_G535',
  username: 'sportello',
  passwordEnv: 'DOCAREA_PASSWORD_PROVA',
}

test.group('Tenant settings: the protocol block', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('a tenant admin chooses DOCAREA; a wrong block is refused naming the field', async ({ client, assert }) => {
    const tenant = await makeTenant()
    const admin = await makeUser(tenant, ['tenant_admin'])
    const url = `/api/v1/t/${tenant.slug}`

    const wrong = await client
      .patch(url)
      .json({ settings: { protocol: { ...DOCAREA, passwordEnv: 'APP_KEY' } } })
      .loginAs(admin)
    wrong.assertStatus(422)
    assert.equal(wrong.body().errors[0].field, 'settings.protocol.passwordEnv')
    assert.include(wrong.body().errors[0].message, 'DOCAREA_PASSWORD_')
    assert.include(wrong.body().errors[0].message, 'variabile')

    const english = await client
      .patch(url)
      .header('accept-language', 'en')
      .json({ settings: { protocol: { ...DOCAREA, password: 'segreta' } } })
      .loginAs(admin)
    english.assertStatus(422)
    assert.equal(english.body().errors[0].field, 'settings.protocol.password')
    assert.include(english.body().errors[0].message, 'environment variable')

    const refused = await Tenant.findOrFail(tenant.id)
    assert.isUndefined(refused.settings.protocol)

    const right = await client
      .patch(url)
      .json({ settings: { protocol: DOCAREA } })
      .loginAs(admin)
    right.assertStatus(200)
    const saved = await Tenant.findOrFail(tenant.id)
    assert.deepEqual(saved.settings.protocol, DOCAREA)
  })
})
