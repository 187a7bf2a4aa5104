import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import { Client, Change, Attribute } from 'ldapts'
import Tenant from '#models/tenant'
import User from '#models/user'
import Membership from '#models/membership'
import { RequestContext } from '#services/infrastructure/request_context'
import { makeTenant, makeUser } from '#tests/helpers/world'
import db from '@adonisjs/lucid/services/db'
import { jobQueue } from '#queue/queue_factory'
import { directorySyncJob, syncDirectory } from '#services/infrastructure/directory_sync'

/**
 * Staff login from a tenant's directory. The settings and the refusals that need no directory run
 * everywhere; the logins run against the OpenLDAP server `npm run test:full` starts
 * (scripts/ldap-test-server.sh, entries in tests/fixtures/ldap/directory.ldif), named by LDAP_TEST_URL.
 */
const LOGIN = '/api/v1/auth/login'
const BASE = 'dc=sportello,dc=test'
const PEOPLE = `ou=persone,${BASE}`
const OPERATORS = `cn=operatori,ou=gruppi,${BASE}`
const ADMINS = `cn=amministratori,ou=gruppi,${BASE}`
const PASSWORD = 'Directory.2026'

function directory(url: string) {
  return {
    url,
    baseDn: BASE,
    bindDn: `cn=sportello,ou=servizi,${BASE}`,
    bindPasswordEnv: 'LDAP_PASSWORD_TEST',
    userFilter: '(&(objectClass=inetOrgPerson)(uid={username}))',
    disabledFilter: '(employeeType=disabled)',
    groupRoles: { [OPERATORS]: ['operator'], [ADMINS.toUpperCase()]: ['tenant_admin', 'designer'] },
  }
}

async function tenantWithDirectory(url: string) {
  const tenant = await makeTenant()
  tenant.settings = { directory: directory(url) }
  await RequestContext.asSystem('test', () => tenant.save())
  return tenant
}

async function membershipOf(tenant: Tenant, email: string) {
  const user = await User.findBy('email', email)
  if (!user) return null
  return RequestContext.withTenant(tenant.ref, () => Membership.query().where('user_id', user.id).first())
}

test.group('Directory login: settings and refusals without a directory', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('the directory block is checked field by field, and its password never goes in the settings', async ({
    client,
    assert,
  }) => {
    const tenant = await makeTenant()
    const admin = await makeUser(tenant, ['tenant_admin'])
    const url = `/api/v1/t/${tenant.slug}`
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...directory('http://ldap.example'), bindDn: undefined }, '/settings/directory/url'],
      [{ ...directory('ldaps://ldap.example'), bindPasswordEnv: 'SECRET' }, '/settings/directory/bindPasswordEnv'],
      [{ ...directory('ldaps://ldap.example'), password: 'x' }, '/settings/directory/password'],
      [{ ...directory('ldaps://ldap.example'), userFilter: '(uid=mrossi)' }, '/settings/directory/userFilter'],
      [{ ...directory('ldaps://ldap.example'), groupRoles: { [OPERATORS]: ['citizen'] } }, ''],
    ]
    for (const [block, field] of cases) {
      const response = await client
        .patch(url)
        .json({ settings: { directory: block } })
        .loginAs(admin)
      response.assertStatus(422)
      const path = response.body().errors[0].path as string
      if (field) assert.equal(path, field)
      else assert.match(path, /^\/settings\/directory\/groupRoles\//)
    }
    const ok = await client
      .patch(url)
      .json({ settings: { directory: directory('ldaps://ldap.example:636') } })
      .loginAs(admin)
    ok.assertStatus(200)
    // Group DNs are kept as directories compare them: case and spaces do not matter.
    assert.deepEqual(Object.keys((await Tenant.findOrFail(tenant.id)).settings.directory as object), [
      'url',
      'baseDn',
      'bindDn',
      'bindPasswordEnv',
      'userFilter',
      'disabledFilter',
      'groupRoles',
    ])
  })

  test('a tenant without a directory says so; a directory that does not answer is a 503, not a wrong password', async ({
    client,
    assert,
  }) => {
    const plain = await makeTenant()
    const none = await client
      .post(LOGIN)
      .json({ provider: 'ldap', tenant: plain.slug, username: 'mrossi', password: PASSWORD })
    none.assertStatus(404)

    // Port 1 on loopback: nothing listens there.
    const down = await tenantWithDirectory('ldap://127.0.0.1:1')
    const response = await client
      .post(LOGIN)
      .json({ provider: 'ldap', tenant: down.slug, username: 'mrossi', password: PASSWORD })
    response.assertStatus(503)
    assert.equal(response.body().errors[0].rule, 'directory')

    const invalid = await client.post(LOGIN).json({ provider: 'ldap', tenant: down.slug, username: 'mrossi' })
    invalid.assertStatus(422)

    // The periodic sync with a directory that does not answer concludes nothing: access stays.
    const staff = await makeUser(down, ['operator'])
    staff.merge({ directoryTenantId: down.id, directoryLogin: 'mrossi', password: null })
    await RequestContext.asSystem('test', () => staff.save())
    await assert.rejects(() => syncDirectory(down))
    assert.deepEqual((await membershipOf(down, staff.email))!.roles, ['operator'])

    // The login page lists the bodies with a directory, and nothing of the directory itself.
    const listed = await client.get('/api/v1/auth/directories')
    listed.assertStatus(200)
    const slugs = listed.body().directories.map((d: { slug: string }) => d.slug)
    assert.include(slugs, down.slug)
    assert.notInclude(slugs, plain.slug)
    assert.notInclude(JSON.stringify(listed.body()), '127.0.0.1')
  })
})

const LDAP_URL = process.env.LDAP_TEST_URL
if (LDAP_URL) {
  let counter = 0

  /** The directory as its administrator, to change people and groups the way a comune's IT would. */
  async function asDirectoryAdmin<T>(fn: (ldap: Client) => Promise<T>) {
    const ldap = new Client({ url: LDAP_URL! })
    await ldap.bind(`cn=admin,${BASE}`, 'ldap-test-admin')
    try {
      return await fn(ldap)
    } finally {
      await ldap.unbind()
    }
  }

  async function newPerson(groups: string[]) {
    counter++
    const uid = `prova${process.pid}x${counter}`
    const dn = `uid=${uid},${PEOPLE}`
    const email = `${uid}@comune.test`
    await asDirectoryAdmin(async (ldap) => {
      await ldap.add(dn, {
        objectClass: 'inetOrgPerson',
        uid,
        cn: `Prova ${counter}`,
        sn: 'Prova',
        mail: email,
        userPassword: PASSWORD,
      })
      for (const group of groups)
        await ldap.modify(
          group,
          new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [dn] }) })
        )
    })
    return { uid, dn, email }
  }

  async function removePerson(dn: string) {
    await asDirectoryAdmin(async (ldap) => {
      for (const group of [OPERATORS, ADMINS]) {
        await ldap
          .modify(
            group,
            new Change({ operation: 'delete', modification: new Attribute({ type: 'member', values: [dn] }) })
          )
          .catch(() => {})
      }
      await ldap.del(dn).catch(() => {})
    })
  }

  test.group('Directory login against OpenLDAP', (group) => {
    group.each.setup(() => testUtils.db().withGlobalTransaction())
    group.each.setup(() => {
      process.env.LDAP_PASSWORD_TEST = 'Servizio.2026'
    })

    test('staff log in with their directory password and get the roles of their groups', async ({ client, assert }) => {
      const tenant = await tenantWithDirectory(LDAP_URL!)
      const login = (username: string, password = PASSWORD) =>
        client.post(LOGIN).json({ provider: 'ldap', tenant: tenant.slug, username, password })

      const rossi = await login('MRossi')
      rossi.assertStatus(200)
      assert.equal(rossi.body().user.email, 'mario.rossi@comune.test')
      assert.equal(rossi.body().user.fullName, 'Mario Rossi')
      assert.deepEqual(rossi.body().user.tenants, [{ slug: tenant.slug, name: tenant.name, roles: ['operator'] }])

      const bianchi = await login('lbianchi')
      bianchi.assertStatus(200)
      assert.deepEqual(bianchi.body().user.tenants[0].roles, ['designer', 'tenant_admin'])

      // The second login finds the same account.
      const again = await login('mrossi')
      assert.equal(again.body().user.id, rossi.body().user.id)

      ;(await login('mrossi', 'wrong-password')).assertStatus(400)
      ;(await login('nobody')).assertStatus(400)
      // A filter in the login name is a name, not a filter.
      ;(await login('*')).assertStatus(400)
      // In the directory but in no group that gives a role here.
      const neri = await login('fneri')
      neri.assertStatus(403)
      assert.match(neri.body().errors[0].message, /gruppo/)
      assert.isNull(await User.findBy('email', 'franco.neri@comune.test'))

      // A directory account has no local password: the e-mail alone does not log in.
      ;(await client.post(LOGIN).json({ email: 'mario.rossi@comune.test', password: PASSWORD })).assertStatus(400)
    })

    test('a person disabled in the directory is refused, even with the right password', async ({ client, assert }) => {
      const tenant = await tenantWithDirectory(LDAP_URL!)
      const response = await client
        .post(LOGIN)
        .json({ provider: 'ldap', tenant: tenant.slug, username: 'gverdi', password: PASSWORD })
      response.assertStatus(403)
      assert.match(response.body().errors[0].message, /disabilitato/)
      ;(
        await client.post(LOGIN).json({ provider: 'ldap', tenant: tenant.slug, username: 'gverdi', password: 'wrong' })
      ).assertStatus(400)
    })

    test('role changes apply at the next login; disabling or removing the person ends their access', async ({
      client,
      assert,
      cleanup,
    }) => {
      const tenant = await tenantWithDirectory(LDAP_URL!)
      const person = await newPerson([OPERATORS])
      cleanup(() => removePerson(person.dn))
      const login = () =>
        client.post(LOGIN).json({ provider: 'ldap', tenant: tenant.slug, username: person.uid, password: PASSWORD })

      const first = await login()
      first.assertStatus(200)
      assert.deepEqual(first.body().user.tenants[0].roles, ['operator'])

      await asDirectoryAdmin(async (ldap) => {
        await ldap.modify(
          OPERATORS,
          new Change({ operation: 'delete', modification: new Attribute({ type: 'member', values: [person.dn] }) })
        )
        await ldap.modify(
          ADMINS,
          new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [person.dn] }) })
        )
      })
      const second = await login()
      second.assertStatus(200)
      assert.deepEqual(second.body().user.tenants[0].roles, ['designer', 'tenant_admin'])
      assert.deepEqual((await membershipOf(tenant, person.email))!.roles, ['designer', 'tenant_admin'])

      await asDirectoryAdmin((ldap) =>
        ldap.modify(
          person.dn,
          new Change({ operation: 'add', modification: new Attribute({ type: 'employeeType', values: ['disabled'] }) })
        )
      )
      ;(await login()).assertStatus(403)
      // The membership is gone: an open session has no access to the tenant any more.
      assert.isNull(await membershipOf(tenant, person.email))

      await asDirectoryAdmin((ldap) =>
        ldap.modify(
          person.dn,
          new Change({
            operation: 'delete',
            modification: new Attribute({ type: 'employeeType', values: ['disabled'] }),
          })
        )
      )
      ;(await login()).assertStatus(200)
      assert.isNotNull(await membershipOf(tenant, person.email))

      await removePerson(person.dn)
      ;(await login()).assertStatus(400)
      assert.isNull(await membershipOf(tenant, person.email))
    })

    test('the hourly sync follows the directory between logins: roles changed, disabled and removed people lose access, audited', async ({
      client,
      assert,
      cleanup,
    }) => {
      const tenant = await tenantWithDirectory(LDAP_URL!)
      const moved = await newPerson([OPERATORS])
      const disabled = await newPerson([OPERATORS])
      const removed = await newPerson([OPERATORS])
      const kept = await newPerson([OPERATORS])
      cleanup(async () => {
        for (const p of [moved, disabled, removed, kept]) await removePerson(p.dn)
      })
      for (const p of [moved, disabled, removed, kept]) {
        const response = await client
          .post(LOGIN)
          .json({ provider: 'ldap', tenant: tenant.slug, username: p.uid, password: PASSWORD })
        response.assertStatus(200)
      }
      // Nothing changed in the directory: the sync changes nothing.
      const quiet = await syncDirectory(tenant)
      assert.deepEqual(quiet, { checked: 4, revoked: 0, rolesChanged: 0, ambiguous: [] })

      await asDirectoryAdmin(async (ldap) => {
        await ldap.modify(
          ADMINS,
          new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [moved.dn] }) })
        )
        await ldap.modify(
          disabled.dn,
          new Change({ operation: 'add', modification: new Attribute({ type: 'employeeType', values: ['disabled'] }) })
        )
      })
      await removePerson(removed.dn)
      // Without anyone logging in, the job of the schedule brings the tenant in line.
      await RequestContext.asSystem('test', () => directorySyncJob.handle({}, {} as never))
      await jobQueue().drained()
      assert.deepEqual((await membershipOf(tenant, moved.email))!.roles, ['designer', 'operator', 'tenant_admin'])
      assert.isNull(await membershipOf(tenant, disabled.email))
      assert.isNull(await membershipOf(tenant, removed.email))
      assert.deepEqual((await membershipOf(tenant, kept.email))!.roles, ['operator'])
      // Audited, with the sync as the actor.
      const audit = await db
        .from('audit_logs')
        .where('tenant_id', tenant.id)
        .where('entity', 'memberships')
        .whereIn('action', ['delete', 'update'])
      assert.isAtLeast(audit.length, 3)
      for (const row of audit) assert.equal(row.actor_label, `directory-sync:${tenant.slug}`)
      // Run again: nothing left to change.
      assert.deepInclude(await syncDirectory(tenant), { revoked: 0, rolesChanged: 0 })
    })

    test('a directory never logs in as an account it did not create', async ({ client, assert, cleanup }) => {
      const tenant = await tenantWithDirectory(LDAP_URL!)
      const other = await makeTenant()
      const person = await newPerson([OPERATORS])
      cleanup(() => removePerson(person.dn))
      // A local account (here a citizen of another comune) with the e-mail the directory gives.
      const local = await makeUser(other, ['citizen'])
      await asDirectoryAdmin((ldap) =>
        ldap.modify(
          person.dn,
          new Change({ operation: 'replace', modification: new Attribute({ type: 'mail', values: [local.email] }) })
        )
      )
      const response = await client
        .post(LOGIN)
        .json({ provider: 'ldap', tenant: tenant.slug, username: person.uid, password: PASSWORD })
      response.assertStatus(409)
      assert.isNull(await membershipOf(tenant, local.email))
    })
  })
}
