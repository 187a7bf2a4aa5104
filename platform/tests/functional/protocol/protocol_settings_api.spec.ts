import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import Tenant from '#models/tenant'
import { makeTenant, makeUser } from '#tests/helpers/world'
import { DEMO_DOCAREA, demoDocareaUrl, useDemoDocarea } from '#integrations/docarea/docarea_demo'

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
    assert.equal(wrong.body().errors[0].path, '/settings/protocol/passwordEnv')
    assert.include(wrong.body().errors[0].message, 'DOCAREA_PASSWORD_')
    assert.include(wrong.body().errors[0].message, 'variabile')

    const english = await client
      .patch(url)
      .header('accept-language', 'en')
      .json({ settings: { protocol: { ...DOCAREA, password: 'segreta' } } })
      .loginAs(admin)
    english.assertStatus(422)
    assert.equal(english.body().errors[0].path, '/settings/protocol/password')
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

test.group('Demo: the DOCAREA simulator follows its port', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('the demo block follows DOCAREA_SIMULATOR_PORT, turns back to the built-in simulator at 0, and an own block stays', async ({
    assert,
  }) => {
    const tenant = await makeTenant({ slug: DEMO_DOCAREA.tenant })
    const protocol = async () => (await Tenant.findOrFail(tenant.id)).settings.protocol as Record<string, unknown>
    await useDemoDocarea(tenant, 2580)
    assert.equal((await protocol()).url, demoDocareaUrl(2580))
    await useDemoDocarea(tenant, 4580)
    assert.equal((await protocol()).url, demoDocareaUrl(4580), 'a second copy of the demo on another port')
    await useDemoDocarea(tenant, 0)
    assert.deepEqual(await protocol(), { driver: 'simulator' })

    const own = await makeTenant({ slug: `${DEMO_DOCAREA.tenant}-own` })
    own.settings = { protocol: DOCAREA }
    await own.save()
    await useDemoDocarea(own, 2580)
    assert.deepEqual((await Tenant.findOrFail(own.id)).settings.protocol, DOCAREA, 'not the demo tenant')
    tenant.settings = { protocol: DOCAREA }
    await tenant.save()
    await useDemoDocarea(tenant, 2580)
    assert.deepEqual(await protocol(), DOCAREA, 'a protocol chosen by the administrator is left alone')
  })
})
