/**
 * The lists forms choose from, by source name: options for the portal, kept by the back office,
 * and the values a submission names checked against them (transport line and stop, facilities).
 */
import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { jobQueue } from '#queue/queue_factory'
import { pluginService } from '#services/tenants/plugin_service'
import { RequestContext } from '#services/infrastructure/request_context'
import { storeUpload } from '#services/submissions/attachment_service'
import { findCurrentForm } from '#services/definitions/form_service'
import { loadDefaultForms } from '#services/content/default_content'
import { ensureEntries } from '#services/tenants/catalog_source_service'
import { DEMO_ENTRIES } from '#services/content/demo_school_catalog'
import type Tenant from '#models/tenant'
import { makeTenant, makeUser, transactionWithJobs } from '#tests/helpers/world'
import { withSchoolCatalog } from '#tests/helpers/catalog'
import { pdfTextLines } from '#tests/helpers/pdf_text'

type Obj = Record<string, any>

/** A tenant with the demo schools and lists, a citizen, an operator, and a form's sample ready to send. */
async function world(plugin: string, form: string, lists = true) {
  const tenant: Tenant = await makeTenant()
  await pluginService.enable(tenant, plugin)
  await withSchoolCatalog(tenant)
  if (lists) await RequestContext.withTenant(tenant.ref, () => ensureEntries(DEMO_ENTRIES))
  const citizen = await makeUser(tenant, ['citizen'])
  const operator = await makeUser(tenant, ['operator'])
  const sample = structuredClone((await loadDefaultForms()).get(form)!.json.sample) as Obj
  const identity = await RequestContext.withTenant(tenant.ref, async () =>
    storeUpload({
      tenantId: tenant.id,
      userId: citizen.id,
      form: (await findCurrentForm(form))!.definition,
      field: '/identity_document',
      fileName: 'documento.pdf',
      bytes: Buffer.from('%PDF-1.4\n% documento di prova\n%%EOF\n'),
      lang: 'it',
    })
  )
  sample.identity_document = identity.reference
  return { tenant, citizen, operator, sample, base: `/api/v1/t/${tenant.slug}` }
}

const values = (body: Obj) => body.options.map((o: Obj) => o.value)

test.group('Catalog sources: a source name gives its options', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('lines by the school they serve, stops by their line, schools and classes the same way', async ({
    client,
    assert,
  }) => {
    const { citizen, base } = await world('trasporto', 'trasporto.iscrizione')
    const get = (path: string) => client.get(`${base}/catalog/sources/${path}`).loginAs(citizen)

    const lines = await get('transport_lines?school=pc-primaria-alberoni')
    lines.assertStatus(200)
    assert.isTrue(lines.body().managed)
    assert.deepEqual(values(lines.body()), ['linea-1', 'linea-3'])
    assert.equal(lines.body().options[0].label, 'Linea 1 – Farnesiana, Besurica')
    assert.deepEqual(values((await get('transport_lines?school=pc-primaria-vittorino')).body()), ['linea-3'])
    assert.deepEqual(values((await get('transport_stops?line=linea-3')).body()), [
      'fermata-via-roma',
      'fermata-stradella',
      'fermata-cavalli',
    ])
    // The school catalog answers through the same door.
    const schools = await get('schools?order=primaria&service=trasporto')
    assert.deepEqual(values(schools.body()), ['pc-primaria-alberoni', 'pc-primaria-vittorino'])
    assert.deepEqual(values((await get('classes?school=pc-primaria-alberoni')).body()), ['1', '2', '3', '4', '5'])
    assert.deepEqual(values((await get('sections?school=pc-primaria-alberoni&year=2')).body()), ['A', 'B'])

    ;(await get('countries')).assertStatus(404)
    ;(await get('../forms')).assertStatus(404)
  })

  test('facilities by the age the child will have when attendance starts', async ({ client, assert }) => {
    const { citizen, base } = await world('nidi', 'nidi.iscrizione')
    const start = new Date().getMonth() + 1 >= 3 ? new Date().getFullYear() : new Date().getFullYear() - 1
    // Six months old on 1 September: only the facilities that take babies.
    const baby = `${start}-03-01`
    const babies = await client.get(`${base}/catalog/sources/nido_structures?birth_date=${baby}`).loginAs(citizen)
    assert.deepEqual(values(babies.body()), ['nido-farnesiana', 'nido-girasole'])
    assert.include(babies.body().options[0].description, 'Via Farnesiana 38')
    assert.include(babies.body().options[0].description, 'da 3 a 36 mesi')
    const toddler = await client
      .get(`${base}/catalog/sources/nido_structures?birth_date=${start - 2}-03-01`)
      .header('accept-language', 'en')
      .loginAs(citizen)
    assert.deepEqual(values(toddler.body()), ['nido-besurica', 'nido-farnesiana'])
    assert.include(toddler.body().options[0].description, '12 to 36 months')
  })

  test('a tenant that keeps no list for a source says so: the field stays free text', async ({ client, assert }) => {
    const { citizen, base, sample } = await world('trasporto', 'trasporto.iscrizione', false)
    const lines = await client.get(`${base}/catalog/sources/transport_lines`).loginAs(citizen)
    assert.deepEqual(lines.body(), { source: 'transport_lines', managed: false, options: [] })
    const sent = await client
      .post(`${base}/forms/trasporto.iscrizione/submit`)
      .json({ data: { ...sample, transport_line: 'La linea che passa sotto casa', transport_stop: 'Davanti al bar' } })
      .loginAs(citizen)
    sent.assertStatus(201)
  })
})

test.group('Catalog sources: kept by the back office', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('an operator adds and changes entries, checked by their source; citizens cannot', async ({ client, assert }) => {
    const { tenant, citizen, operator, base } = await world('trasporto', 'trasporto.iscrizione')
    const put = (path: string, body: Obj, as = operator) =>
      client.put(`${base}/catalog/sources/${path}`).json(body).loginAs(as)

    ;(await put('transport_lines/linea-9', { name: 'Linea 9' }, citizen)).assertStatus(403)
    // Staff are told how the back office's form asks each attribute: the plugin's declaration.
    const sources = await client.get(`${base}/catalog/sources`).loginAs(operator)
    const lines = sources.body().sources.find((s: Obj) => s.source === 'transport_lines')
    assert.deepEqual(lines.attributes, { schools: 'strings' })
    assert.equal(lines.fields.schools.choices, 'schools')
    assert.equal(lines.fields.schools.label.it, 'Scuole servite')
    const forCitizen = await client.get(`${base}/catalog/sources`).loginAs(citizen)
    assert.notProperty(
      forCitizen.body().sources.find((s: Obj) => s.source === 'transport_lines'),
      'fields'
    )
    const created = await put('transport_lines/linea-9', { name: 'Linea 9 – Ospedale', attributes: { schools: [] } })
    created.assertStatus(201)
    const stop = await put('transport_stops/fermata-ospedale', { name: 'Ospedale', parent: 'linea-9' })
    stop.assertStatus(201)

    const orphan = await put('transport_stops/fermata-nessuna', { name: 'Nessuna', parent: 'linea-99' })
    orphan.assertStatus(422)
    assert.equal(orphan.body().errors[0].path, '/parent')
    const wrong = await put('transport_lines/linea-9', { name: 'Linea 9', attributes: { colour: 'rosso' } })
    wrong.assertStatus(422)
    assert.equal(wrong.body().errors[0].path, '/attributes/colour')
    ;(await put('schools/scuola-x', { name: 'Scuola X' })).assertStatus(422)
    ;(await put('transport_lines/Linea Nove', { name: 'Linea 9' })).assertStatus(422)

    // Deactivated, not deleted: gone from the options, still listed for staff.
    ;(
      await put('transport_stops/fermata-ospedale', { name: 'Ospedale', parent: 'linea-9', active: false })
    ).assertStatus(200)
    const stops = await client.get(`${base}/catalog/sources/transport_stops?line=linea-9`).loginAs(citizen)
    assert.deepEqual(stops.body().options, [])
    const kept = await client.get(`${base}/catalog/sources/transport_stops/entries`).loginAs(operator)
    assert.include(
      kept.body().entries.map((e: Obj) => `${e.code}:${e.active}`),
      'fermata-ospedale:false'
    )
    const audit = await db
      .from('audit_logs')
      .where({ tenant_id: tenant.id, entity: 'catalog_entries', actor_user_id: operator.id })
    assert.isAtLeast(audit.length, 3)
  })
})

test.group('Catalog sources: what a submission names is checked', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('transport: a line that does not serve the school, a stop off the line, an unknown stop are refused', async ({
    client,
    assert,
  }) => {
    const { citizen, base, sample } = await world('trasporto', 'trasporto.iscrizione')
    const send = (data: Obj) => client.post(`${base}/forms/trasporto.iscrizione/submit`).json({ data }).loginAs(citizen)

    const wrongLine = await send({ ...sample, school_id: 'pc-primaria-vittorino', transport_line: 'linea-1' })
    wrongLine.assertStatus(422)
    const lineError = wrongLine.body().errors.find((e: Obj) => e.path === '/transport_line')
    assert.equal(lineError.rule, 'catalog:filter')
    assert.include(lineError.message, 'questa linea non serve la scuola scelta')

    const offLine = await send({ ...sample, transport_stop: 'fermata-besurica' })
    assert.deepInclude(
      offLine.body().errors.map((e: Obj) => [e.path, e.rule]),
      ['/transport_stop', 'catalog:filter']
    )
    const unknown = await send({ ...sample, transport_stop: 'sotto-casa' })
    assert.deepInclude(
      unknown.body().errors.map((e: Obj) => [e.path, e.rule]),
      ['/transport_stop', 'catalog:unknown']
    )

    const right = await send(sample)
    right.assertStatus(201)
    await jobQueue().drained()
    // The receipt names the line and the stop, not their codes.
    const receipt = await client.get(`${base}/submissions/${right.body().submission.id}/receipt`).loginAs(citizen)
    const text = (await pdfTextLines(Buffer.from(receipt.body() as ArrayBuffer))).join(' ')
    assert.include(text, 'Linea 3 – Centro, Alberoni, Stradella')
    assert.include(text, 'Via Roma (chiesa)')
    assert.notInclude(text, 'fermata-via-roma')
  })

  test('Edugate: the facilities chosen must take a child of that age', async ({ client, assert }) => {
    const { citizen, base, sample } = await world('nidi', 'edugate.iscrizione')
    const start = new Date().getMonth() + 1 >= 3 ? new Date().getFullYear() : new Date().getFullYear() - 1
    // Fifteen months old when attendance starts: Edugate Besurica takes children from 18 months.
    const young = { ...sample.child, birth_date: `${start - 1}-06-01` }
    const sent = await client
      .post(`${base}/forms/edugate.iscrizione/submit`)
      .json({ data: { ...sample, child: young } })
      .loginAs(citizen)
    sent.assertStatus(422)
    const errors = sent.body().errors.filter((e: Obj) => e.path.startsWith('/structure_preferences'))
    assert.deepEqual(
      errors.map((e: Obj) => [e.path, e.rule]),
      [['/structure_preferences/1', 'catalog:filter']]
    )
    assert.include(errors[0].message, "non accoglie bambini dell'età indicata")
  })
})
