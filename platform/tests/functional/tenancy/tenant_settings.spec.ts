import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import Tenant from '#models/tenant'
import { RequestContext } from '#services/infrastructure/request_context'
import { pluginService } from '#services/tenants/plugin_service'
import { DEMO_IDENTITY, DEMO_LOGO_URL, DEMO_TENANTS, seedDemo } from '#services/content/demo_seeder'
import { makeTenant, makeUser } from '#tests/helpers/world'

const DOCAREA = {
  driver: 'docarea',
  url: 'https://protocollo.comune.example/JProtocolloDocArea/services/DOCAREAProtoSoap',
  codEnte: 'C_G535',
  username: 'sportello',
  passwordEnv: 'DOCAREA_PASSWORD_PROVA',
}

const IDENTITY = {
  logo_url: '/static/demo/logo-ente-demo.svg',
  privacy_url: 'https://www.comune.example.it/privacy',
  accessibility_url: 'https://www.comune.example.it/accessibilita',
  contacts: { email: 'scuola@comune.example.it', phone: '+39 0523 000000', pec: 'protocollo@pec.comune.example.it' },
}

async function adminOf() {
  const tenant = await makeTenant()
  // The windows name forms: the tenant needs them.
  await RequestContext.withTenant(tenant.ref, async () => {
    await pluginService.enable(tenant, 'refezione')
    await pluginService.enable(tenant, 'trasporto')
    await pluginService.enable(tenant, 'nidi')
  })
  const admin = await makeUser(tenant, ['tenant_admin'])
  return { tenant, admin, url: `/api/v1/t/${tenant.slug}` }
}

async function stored(tenant: Tenant) {
  return (await Tenant.findOrFail(tenant.id)).settings
}

test.group('Tenant settings: a partial update changes only what it names', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('one form’s enrolment window leaves the other forms’ windows as they were', async ({ client, assert }) => {
    const { tenant, admin, url } = await adminOf()
    const all = {
      'refezione.iscrizione': { opens: '2026-03-01', closes: '2026-06-30' },
      'trasporto.iscrizione': { opens: '2026-03-01', closes: '2026-06-30' },
      'nidi.iscrizione': { opens: '2026-01-10', closes: '2026-02-28' },
    }
    ;(
      await client
        .patch(url)
        .json({ settings: { enrolment: all } })
        .loginAs(admin)
    ).assertStatus(200)

    const one = await client
      .patch(url)
      .json({ settings: { enrolment: { 'refezione.iscrizione': { closes: '2026-07-15' } } } })
      .loginAs(admin)
    one.assertStatus(200)
    assert.deepEqual((await stored(tenant)).enrolment, {
      ...all,
      'refezione.iscrizione': { opens: '2026-03-01', closes: '2026-07-15' },
    })
    assert.deepEqual(one.body().tenant.settings.enrolment['nidi.iscrizione'], all['nidi.iscrizione'])

    // null deletes: one date, then one form's window; the rest stays.
    await client
      .patch(url)
      .json({ settings: { enrolment: { 'trasporto.iscrizione': { opens: null } } } })
      .loginAs(admin)
    await client
      .patch(url)
      .json({ settings: { enrolment: { 'nidi.iscrizione': null } } })
      .loginAs(admin)
    assert.deepEqual((await stored(tenant)).enrolment, {
      'refezione.iscrizione': { opens: '2026-03-01', closes: '2026-07-15' },
      'trasporto.iscrizione': { closes: '2026-06-30' },
    })
  })

  test('the merged window is what is checked: an opening after the stored closing is refused', async ({
    client,
    assert,
  }) => {
    const { tenant, admin, url } = await adminOf()
    const window = { 'refezione.iscrizione': { opens: '2026-03-01', closes: '2026-06-30' } }
    await client
      .patch(url)
      .json({ settings: { enrolment: window } })
      .loginAs(admin)
    const late = await client
      .patch(url)
      .json({ settings: { enrolment: { 'refezione.iscrizione': { opens: '2026-07-01' } } } })
      .loginAs(admin)
    late.assertStatus(422)
    assert.equal(late.body().errors[0].field, 'settings.enrolment.refezione.iscrizione.opens')
    assert.deepEqual((await stored(tenant)).enrolment, window)
  })

  test('protocol, attachments and identity: one field changes, the others and the other blocks stay', async ({
    client,
    assert,
  }) => {
    const { tenant, admin, url } = await adminOf()
    const windows = { 'refezione.iscrizione': { opens: '2026-03-01', closes: '2026-06-30' } }
    const first = await client
      .patch(url)
      .json({
        settings: {
          protocol: DOCAREA,
          enrolment: windows,
          attachments: { unreferenced_days: 30, stale_draft_days: 180 },
          identity: IDENTITY,
        },
      })
      .loginAs(admin)
    first.assertStatus(200)

    const cases: Array<{ block: string; patch: Record<string, unknown>; expected: unknown }> = [
      { block: 'protocol', patch: { timeoutMs: 60000 }, expected: { ...DOCAREA, timeoutMs: 60000 } },
      { block: 'protocol', patch: { timeoutMs: null }, expected: DOCAREA },
      {
        block: 'attachments',
        patch: { stale_draft_days: 90 },
        expected: { unreferenced_days: 30, stale_draft_days: 90 },
      },
      { block: 'attachments', patch: { unreferenced_days: null }, expected: { stale_draft_days: 90 } },
      {
        block: 'identity',
        patch: { contacts: { phone: '+39 0523 111111' } },
        expected: { ...IDENTITY, contacts: { ...IDENTITY.contacts, phone: '+39 0523 111111' } },
      },
      {
        block: 'identity',
        patch: { privacy_url: null, contacts: { pec: null } },
        expected: {
          logo_url: IDENTITY.logo_url,
          accessibility_url: IDENTITY.accessibility_url,
          contacts: { email: IDENTITY.contacts.email, phone: '+39 0523 111111' },
        },
      },
    ]
    for (const { block, patch, expected } of cases) {
      const before = await stored(tenant)
      const response = await client
        .patch(url)
        .json({ settings: { [block]: patch } })
        .loginAs(admin)
      response.assertStatus(200)
      const after = await stored(tenant)
      assert.deepEqual(after[block], expected, `${block} after ${JSON.stringify(patch)}`)
      for (const other of Object.keys(before).filter((k) => k !== block)) {
        assert.deepEqual(after[other], before[other], `${other} must not change when ${block} is patched`)
      }
    }

    // null removes a whole block, and only that one.
    const removed = await client
      .patch(url)
      .json({ settings: { attachments: null } })
      .loginAs(admin)
    removed.assertStatus(200)
    const final = await stored(tenant)
    assert.notProperty(final, 'attachments')
    assert.deepEqual(final.enrolment, windows)
    assert.deepEqual(final.protocol, DOCAREA)
  })

  test('settings nested deeper than settings go are refused, not recursed into', async ({ client, assert }) => {
    const { tenant, admin, url } = await adminOf()
    let deep: Record<string, unknown> = { end: true }
    // (Far deeper bodies are refused by the body parser before they reach the settings.)
    for (let i = 0; i < 20; i++) deep = { d: deep }
    const response = await client
      .patch(url)
      .json({ settings: { notes: deep } })
      .loginAs(admin)
    response.assertStatus(422)
    assert.match(response.body().errors[0].field, /^settings\.notes/)
    assert.notProperty(await stored(tenant), 'notes')
  })
})

test.group('Tenant settings: identity', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('an identity block is checked like the others, field by field, in the reader’s language', async ({
    client,
    assert,
  }) => {
    const { tenant, admin, url } = await adminOf()
    const wrong: Array<[Record<string, unknown>, string]> = [
      [{ logo_url: 'http://www.comune.example.it/logo.png' }, 'settings.identity.logo_url'],
      [{ logo_url: 'javascript:alert(1)' }, 'settings.identity.logo_url'],
      [{ logo_url: '//evil.example/logo.svg' }, 'settings.identity.logo_url'],
      [{ logo_url: '/static/../../.env' }, 'settings.identity.logo_url'],
      [{ privacy_url: 'ftp://comune.example.it/privacy' }, 'settings.identity.privacy_url'],
      [{ accessibility_url: 42 }, 'settings.identity.accessibility_url'],
      [{ contacts: { email: 'non-una-mail' } }, 'settings.identity.contacts.email'],
      [{ contacts: { pec: 'pec@' } }, 'settings.identity.contacts.pec'],
      [{ contacts: { phone: 'chiamare' } }, 'settings.identity.contacts.phone'],
      [{ contacts: { address: '' } }, 'settings.identity.contacts.address'],
      [{ contacts: { fax: '0523 1' } }, 'settings.identity.contacts.fax'],
      [{ colour: 'blue' }, 'settings.identity.colour'],
      [{ contacts: 'scuola@comune.example.it' }, 'settings.identity.contacts'],
    ]
    for (const [identity, field] of wrong) {
      const response = await client.patch(url).json({ settings: { identity } }).loginAs(admin)
      response.assertStatus(422)
      assert.equal(response.body().errors[0].field, field, JSON.stringify(identity))
    }
    const english = await client
      .patch(url)
      .header('accept-language', 'en')
      .json({ settings: { identity: { logo_url: 'http://x.example/logo.png' } } })
      .loginAs(admin)
    assert.include(english.body().errors[0].message, 'https address')
    assert.notProperty(await stored(tenant), 'identity')

    const right = await client
      .patch(url)
      .json({ settings: { identity: IDENTITY } })
      .loginAs(admin)
    right.assertStatus(200)
    assert.deepEqual((await stored(tenant)).identity, IDENTITY)
  })

  test('every member reads the identity; only administrators read the rest of the settings', async ({
    client,
    assert,
  }) => {
    const { admin, url } = await adminOf()
    await client
      .patch(url)
      .json({ settings: { identity: IDENTITY, protocol: DOCAREA } })
      .loginAs(admin)
    const tenant = await Tenant.findByOrFail('slug', url.split('/').pop()!)
    const citizen = await makeUser(tenant, ['citizen'])
    const seen = await client.get(url).loginAs(citizen)
    seen.assertStatus(200)
    assert.deepEqual(seen.body().tenant.settings, { identity: IDENTITY })
    const adminView = await client.get(url).loginAs(admin)
    assert.deepEqual(adminView.body().tenant.settings.protocol, DOCAREA)
    assert.deepEqual(adminView.body().tenant.settings.identity, IDENTITY)
  })

  test('the demo tenants have a demo identity whose logo this server serves', async ({ assert }) => {
    await seedDemo()
    for (const spec of DEMO_TENANTS) {
      const tenant = await Tenant.findByOrFail('slug', spec.slug)
      assert.deepEqual(tenant.settings.identity, DEMO_IDENTITY[spec.slug])
      const identity = tenant.settings.identity as typeof IDENTITY & { contacts: { address: string } }
      assert.include(identity.contacts.address, 'dati dimostrativi')
    }
    const host = process.env.HOST === '0.0.0.0' ? '127.0.0.1' : process.env.HOST
    const logo = await fetch(`http://${host}:${process.env.PORT}${DEMO_LOGO_URL}`)
    assert.equal(logo.status, 200)
    assert.equal(logo.headers.get('content-type'), 'image/svg+xml')
    assert.include(await logo.text(), '<svg')
    assert.include(logo.headers.get('content-security-policy'), "default-src 'none'")

    // An administrator's own identity survives the next seeding.
    const piacenza = await Tenant.findByOrFail('slug', 'piacenza')
    piacenza.settings = { ...piacenza.settings, identity: { logo_url: '/static/demo/altro.svg' } }
    await piacenza.save()
    await seedDemo()
    assert.deepEqual((await Tenant.findByOrFail('slug', 'piacenza')).settings.identity, {
      logo_url: '/static/demo/altro.svg',
    })
  })

  test('static files cannot be read outside their folder', async ({ client }) => {
    for (const path of ['/static/../.env', '/static/%2e%2e/.env', '/static/demo/../../package.json', '/static/x.exe']) {
      const response = await client.get(path)
      response.assertStatus(404)
    }
  })
})
