import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import { makeTenant, makeUser, transactionWithJobs } from '#tests/helpers/world'
import { withSchoolCatalog } from '#tests/helpers/catalog'
import { FORM, refezioneTenant } from '#tests/functional/forms/world'

test.group('School catalog API', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('a citizen lists the active schools by order and service, and the classes of one', async ({
    client,
    assert,
  }) => {
    const tenant = await makeTenant()
    await withSchoolCatalog(tenant)
    const citizen = await makeUser(tenant, ['citizen'])
    const base = `/api/v1/t/${tenant.slug}/catalog`

    const all = await client.get(`${base}/schools`).loginAs(citizen)
    all.assertStatus(200)
    const codes = all.body().schools.map((s: { code: string }) => s.code)
    assert.include(codes, 'pc-primaria-alberoni')
    assert.notInclude(codes, 'pc-primaria-mazzini', 'an inactive school is not offered')

    const primarieMensa = await client.get(`${base}/schools?order=primaria&service=refezione`).loginAs(citizen)
    assert.sameMembers(
      primarieMensa.body().schools.map((s: { code: string }) => s.code),
      ['pc-primaria-alberoni', 'pc-primaria-carducci', 'pc-primaria-vittorino']
    )
    const trasporto = await client.get(`${base}/schools?order=primaria&service=trasporto`).loginAs(citizen)
    assert.sameMembers(
      trasporto.body().schools.map((s: { code: string }) => s.code),
      ['pc-primaria-alberoni', 'pc-primaria-vittorino']
    )
    const school = primarieMensa.body().schools.find((s: { code: string }) => s.code === 'pc-primaria-alberoni')
    assert.deepEqual(school, {
      code: 'pc-primaria-alberoni',
      name: 'Scuola primaria Alberoni',
      order: 'primaria',
      services: ['refezione', 'trasporto'],
      address: 'Via Emilia Parmense 67, 29122 Piacenza',
      active: true,
    })

    const badOrder = await client.get(`${base}/schools?order=liceo`).loginAs(citizen)
    badOrder.assertStatus(422)
    assert.include(badOrder.body().errors[0].message, '"order" deve essere uno di')

    const classes = await client.get(`${base}/schools/pc-primaria-alberoni/classes`).loginAs(citizen)
    classes.assertStatus(200)
    assert.deepEqual(classes.body().years, ['1', '2', '3', '4', '5'])
    assert.deepEqual(classes.body().sections, ['A', 'B'])
    assert.lengthOf(classes.body().classes, 10)

    const infanzia = await client.get(`${base}/schools/pc-infanzia-farnesiana/classes`).loginAs(citizen)
    assert.deepEqual(infanzia.body().years, [])
    assert.deepEqual(infanzia.body().sections, ['A', 'B', 'C'])

    ;(await client.get(`${base}/schools/pc-primaria-mazzini/classes`).loginAs(citizen)).assertStatus(404)
    ;(await client.get(`${base}/schools/nessuna/classes`).loginAs(citizen)).assertStatus(404)
  })

  test('staff create, update and deactivate schools and classes; every write is audited', async ({
    client,
    assert,
  }) => {
    const tenant = await makeTenant()
    const operator = await makeUser(tenant, ['operator'])
    const admin = await makeUser(tenant, ['tenant_admin'])
    const base = `/api/v1/t/${tenant.slug}/catalog`

    const created = await client
      .post(`${base}/schools`)
      .json({
        code: 'pc-primaria-nuova',
        name: 'Scuola primaria Nuova',
        order: 'primaria',
        services: ['refezione', 'refezione'],
      })
      .loginAs(operator)
    created.assertStatus(201)
    assert.deepEqual(created.body().school.services, ['refezione'])
    assert.isNull(created.body().school.address)

    const twice = await client
      .post(`${base}/schools`)
      .json({ code: 'pc-primaria-nuova', name: 'Doppia', order: 'primaria', services: [] })
      .loginAs(operator)
    twice.assertStatus(409)
    assert.include(twice.body().errors[0].message, 'Esiste già una scuola con codice "pc-primaria-nuova"')
    // Named at the field that makes it so, as the settings form shows it.
    assert.equal(twice.body().errors[0].path, '/code')

    const invalid = await client
      .post(`${base}/schools`)
      .header('accept-language', 'en')
      .json({ code: 'Con Spazi', order: 'liceo', services: 'refezione' })
      .loginAs(operator)
    invalid.assertStatus(422)
    const fields = invalid.body().errors.map((e: { path: string }) => e.path)
    assert.includeMembers(fields, ['/code', '/name', '/order', '/services'])
    // In the language asked for, and only in it.
    const messages = invalid.body().errors.map((e: { message: string }) => e.message)
    assert.include(messages, '"code" may hold only lower-case letters, digits and dashes (64 at most)')
    assert.isTrue(messages.every((m: string) => !m.includes(' / ')))

    const updated = await client
      .patch(`${base}/schools/pc-primaria-nuova`)
      .json({ name: 'Scuola primaria Nuova di Piacenza', services: ['refezione', 'trasporto'], address: 'Via Roma 1' })
      .loginAs(admin)
    updated.assertStatus(200)
    assert.equal(updated.body().school.name, 'Scuola primaria Nuova di Piacenza')

    const classA = await client
      .post(`${base}/schools/pc-primaria-nuova/classes`)
      .json({ year: '1', section: 'A' })
      .loginAs(operator)
    classA.assertStatus(201)
    const dup = await client
      .post(`${base}/schools/pc-primaria-nuova/classes`)
      .header('accept-language', 'en')
      .json({ year: '1', section: 'A' })
      .loginAs(operator)
    dup.assertStatus(409)
    assert.include(dup.body().errors[0].message, 'already has year 1 section A')
    assert.equal(dup.body().errors[0].path, '/section')

    const classB = await client
      .post(`${base}/schools/pc-primaria-nuova/classes`)
      .json({ year: '1', section: 'B' })
      .loginAs(operator)
    const cid = classB.body().class.id
    const renamed = await client
      .patch(`${base}/schools/pc-primaria-nuova/classes/${cid}`)
      .json({ section: 'A' })
      .loginAs(operator)
    renamed.assertStatus(409)
    const moved = await client
      .patch(`${base}/schools/pc-primaria-nuova/classes/${cid}`)
      .json({ year: '2' })
      .loginAs(operator)
    moved.assertStatus(200)
    assert.deepEqual(moved.body().class, { id: cid, year: '2', section: 'B', active: true })

    const off = await client.post(`${base}/schools/pc-primaria-nuova/classes/${cid}/deactivate`).loginAs(operator)
    off.assertStatus(200)
    assert.isFalse(off.body().class.active)
    const visible = await client.get(`${base}/schools/pc-primaria-nuova/classes`).loginAs(operator)
    assert.deepEqual(visible.body().years, ['1'])
    const withInactive = await client
      .get(`${base}/schools/pc-primaria-nuova/classes?include_inactive=true`)
      .loginAs(operator)
    assert.lengthOf(withInactive.body().classes, 2)

    const closed = await client.post(`${base}/schools/pc-primaria-nuova/deactivate`).loginAs(admin)
    closed.assertStatus(200)
    assert.isFalse(closed.body().school.active)
    const listed = await client.get(`${base}/schools?include_inactive=true`).loginAs(admin)
    assert.deepEqual(
      listed.body().schools.map((s: { code: string; active: boolean }) => [s.code, s.active]),
      [['pc-primaria-nuova', false]]
    )

    const audit = await client.get(`/api/v1/t/${tenant.slug}/audit?entity=schools`).loginAs(admin)
    // Newest first: read it oldest first.
    const entries = (
      audit.body().entries as Array<{ action: string; actorUserId: number; after: { active?: boolean } }>
    ).reverse()
    assert.deepEqual(
      entries.map((e) => e.action),
      ['create', 'update', 'update']
    )
    assert.equal(entries[0].actorUserId, operator.id)
    assert.equal(entries[2].actorUserId, admin.id)
    assert.isFalse(Boolean(entries[2].after.active))
    const classAudit = await client.get(`/api/v1/t/${tenant.slug}/audit?entity=school_classes`).loginAs(admin)
    assert.lengthOf(classAudit.body().entries, 4)
  })

  test('citizens and other roles cannot change the catalog, nor see what is inactive', async ({ client, assert }) => {
    const tenant = await makeTenant()
    await withSchoolCatalog(tenant)
    const base = `/api/v1/t/${tenant.slug}/catalog`
    for (const role of ['citizen', 'designer', 'kitchen', 'school_staff'] as const) {
      const user = await makeUser(tenant, [role])
      const create = await client
        .post(`${base}/schools`)
        .json({ code: 'x-school', name: 'Scuola X', order: 'primaria', services: [] })
        .loginAs(user)
      create.assertStatus(403)
      ;(await client.patch(`${base}/schools/pc-primaria-alberoni`).json({ name: 'Altro' }).loginAs(user)).assertStatus(
        403
      )
      ;(await client.post(`${base}/schools/pc-primaria-alberoni/deactivate`).loginAs(user)).assertStatus(403)
      ;(
        await client.post(`${base}/schools/pc-primaria-alberoni/classes`).json({ section: 'Z' }).loginAs(user)
      ).assertStatus(403)
      const list = await client.get(`${base}/schools?include_inactive=true`).loginAs(user)
      list.assertStatus(200)
      assert.notInclude(
        list.body().schools.map((s: { code: string }) => s.code),
        'pc-primaria-mazzini'
      )
    }
  })

  test('one tenant never sees the schools of another', async ({ client, assert }) => {
    const a = await makeTenant()
    const b = await makeTenant()
    await withSchoolCatalog(b)
    const adminA = await makeUser(a, ['tenant_admin'])
    const listA = await client.get(`/api/v1/t/${a.slug}/catalog/schools?include_inactive=true`).loginAs(adminA)
    assert.deepEqual(listA.body().schools, [])
    ;(
      await client.get(`/api/v1/t/${a.slug}/catalog/schools/pc-primaria-alberoni/classes`).loginAs(adminA)
    ).assertStatus(404)
    ;(await client.get(`/api/v1/t/${b.slug}/catalog/schools`).loginAs(adminA)).assertStatus(403)
  })
})

test.group('Submissions checked against the school catalog', (group) => {
  // Jobs a test started (protocol, receipt) end before its transaction is rolled back.
  group.each.setup(() => transactionWithJobs())

  test('a submission naming a school outside the catalog is refused with every error at once', async ({
    client,
    assert,
  }) => {
    const { citizen, base, sample } = await refezioneTenant()
    const data = { ...sample, school_id: 'pc-primaria-inventata', has_siblings: true }
    const refused = await client.post(`${base}/forms/${FORM}/submit`).json({ data }).loginAs(citizen)
    refused.assertStatus(422)
    const errors = refused.body().errors as Array<{ path: string; rule: string; message: string }>
    assert.deepInclude(
      errors.map((e) => [e.path, e.rule]),
      ['/school_id', 'catalog:unknown']
    )
    assert.deepInclude(
      errors.map((e) => [e.path, e.rule]),
      ['/siblings', 'siblings_missing']
    )

    // A draft may hold it (it is only incomplete); submitting it is refused.
    const draft = await client.post(`${base}/forms/${FORM}/submissions`).json({ data }).loginAs(citizen)
    draft.assertStatus(201)

    const wrongOrder = await client
      .post(`${base}/forms/${FORM}/submit`)
      .header('accept-language', 'en')
      .json({ data: { ...sample, school_id: 'pc-secondaria-calvino' } })
      .loginAs(citizen)
    wrongOrder.assertStatus(422)
    assert.deepEqual(wrongOrder.body().errors, [
      {
        path: '/school_id',
        rule: 'catalog:order',
        message:
          '«School (building with canteen service)»: the school chosen is not of the level given (Primary school): choose a school of that level or correct the level.',
      },
    ])

    const noSuchSection = await client
      .post(`${base}/forms/${FORM}/submit`)
      .json({ data: { ...sample, section: 'F' } })
      .loginAs(citizen)
    noSuchSection.assertStatus(422)
    assert.deepEqual(
      noSuchSection.body().errors.map((e: { path: string; rule: string }) => [e.path, e.rule]),
      [['/section', 'catalog:unknown']]
    )
  })

  test('a school deactivated by the operator is refused from then on', async ({ client, assert }) => {
    const { citizen, operator, base, sample } = await refezioneTenant()
    ;(await client.post(`${base}/catalog/schools/pc-primaria-alberoni/deactivate`).loginAs(operator)).assertStatus(200)
    const refused = await client.post(`${base}/forms/${FORM}/submit`).json({ data: sample }).loginAs(citizen)
    refused.assertStatus(422)
    assert.deepEqual(
      refused.body().errors.map((e: { path: string; rule: string }) => [e.path, e.rule]),
      [['/school_id', 'catalog:inactive']]
    )
    ;(
      await client.patch(`${base}/catalog/schools/pc-primaria-alberoni`).json({ active: true }).loginAs(operator)
    ).assertStatus(200)
    ;(await client.post(`${base}/forms/${FORM}/submit`).json({ data: sample }).loginAs(citizen)).assertStatus(201)
  })
})
