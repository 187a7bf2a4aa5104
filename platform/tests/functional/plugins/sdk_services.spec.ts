import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import { pluginContext, PluginIoInTransactionError } from '#plugins/plugin_context'
import { protocolService } from '#integrations/protocol'
import { pluginService } from '#services/tenants/plugin_service'
import { RequestContext } from '#services/infrastructure/request_context'
import type Tenant from '#models/tenant'
import Submission from '#models/submission'
import { findCurrentForm } from '#services/definitions/form_service'
import { DateTime } from 'luxon'
import { makeTenant, makeUser } from '#tests/helpers/world'
import { withSchoolCatalog } from '#tests/helpers/catalog'
import { captureMailEachTest } from '#tests/helpers/smtp'
import { pdfTextLines } from '#tests/helpers/pdf_text'
import { pluginTestKit } from '@sportello/platform/sdk/testing'
import Stop from '../../fixtures/sample_plugins/sample/models/stop.js'

/** The platform's engines as a plugin reaches them: only through the context it is handed. */
async function sampleContext(tenant: Tenant) {
  return RequestContext.withTenant(tenant.ref, () => pluginContext('sample', { tenant: tenant.ref }))
}

async function withStops(tenant: Tenant) {
  await RequestContext.withTenant(tenant.ref, async () => {
    await Stop.createMany([
      { code: 'L1-01', name: 'Piazza Cavalli', line: 'L1', active: true },
      { code: 'L1-02', name: 'Stazione', line: 'L1', active: true },
      { code: 'L2-01', name: 'Ospedale', line: 'L2', active: true },
      { code: 'L2-02', name: 'Vecchia fermata', line: 'L2', active: false },
    ])
  })
}

test.group('SDK: engines as services', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  const mails = captureMailEachTest(group)

  test('rules: a rule set of the tenant evaluated at a date, with its trace', async ({ assert }) => {
    const tenant = await makeTenant()
    await pluginService.enable(tenant, 'refezione')
    const ctx = await sampleContext(tenant)
    const evaluation = await RequestContext.withTenant(tenant.ref, () =>
      ctx.rules.evaluate('refezione.tariffa', '2021-10-01', { residence: 'piacenza', isee: 12000 })
    )
    assert.deepInclude(evaluation, { ruleset: 'refezione.tariffa', version: 2, at: '2021-10-01' })
    assert.equal(evaluation.result.amount, '5.69')
    assert.isAbove(evaluation.trace.length, 0)
    // In a transaction the same evaluation reads through it.
    const again = await RequestContext.withTenant(tenant.ref, () =>
      ctx.transaction((tctx) =>
        tctx.rules.evaluate('refezione.tariffa', '2021-10-01', { residence: 'piacenza', isee: 12000 })
      )
    )
    assert.equal(again.result.amount, '5.69')
  })

  test('catalog: schools and classes of the tenant, and the kinds plugins add, by name', async ({ client, assert }) => {
    const tenant = await makeTenant()
    await withSchoolCatalog(tenant)
    await pluginService.enable(tenant, 'sample')
    await withStops(tenant)
    const ctx = await sampleContext(tenant)
    const primary = await ctx.catalog.schools({ order: 'primaria', service: 'refezione' })
    assert.isAbove(primary.length, 0)
    assert.isTrue(primary.every((s) => s.order === 'primaria' && s.services.includes('refezione')))
    const classes = await ctx.catalog.classes('pc-primaria-alberoni')
    assert.deepInclude(classes, { year: '2', section: 'B' })
    assert.deepEqual(await ctx.catalog.classes('no-such-school'), [])
    const several = await ctx.catalog.classesOf(['pc-primaria-alberoni', 'pc-infanzia-farnesiana', 'no-such-school'])
    assert.sameMembers(Object.keys(several), ['pc-primaria-alberoni', 'pc-infanzia-farnesiana'])
    assert.deepEqual(several['pc-primaria-alberoni'], classes)
    assert.deepEqual(several['pc-infanzia-farnesiana'], await ctx.catalog.classes('pc-infanzia-farnesiana'))

    const stops = await ctx.catalog.entries('sample_stops', { line: 'L2' })
    assert.deepEqual(stops, [{ value: 'L2-01', label: 'Ospedale', line: 'L2' }])

    // The same kind over HTTP, for the forms' `ui:options.source`: to every member.
    const citizen = await makeUser(tenant, ['citizen'])
    const response = await client.get(`/api/v1/t/${tenant.slug}/catalog/sources/sample_stops?line=L1`).loginAs(citizen)
    response.assertStatus(200)
    assert.deepEqual(
      response.body().options.map((e: { value: string }) => e.value),
      ['L1-01', 'L1-02']
    )
    const unknown = await client.get(`/api/v1/t/${tenant.slug}/catalog/sources/nope`).loginAs(citizen)
    unknown.assertStatus(404)
  })

  test('catalog: a kind is not served where its plugin is not enabled', async ({ client, assert }) => {
    const tenant = await makeTenant()
    const citizen = await makeUser(tenant, ['citizen'])
    const response = await client.get(`/api/v1/t/${tenant.slug}/catalog/sources/sample_stops`).loginAs(citizen)
    response.assertStatus(404)
    assert.match(response.body().errors[0].message, /sample_stops/)
  })

  test('notices: a mail to a member by id, through the platform mailer; never inside a transaction', async ({
    assert,
  }) => {
    const tenant = await makeTenant({ name: 'Comune di Prova Mail' })
    const citizen = await makeUser(tenant, ['citizen'])
    const stranger = await makeUser(await makeTenant(), ['citizen'])
    const ctx = await sampleContext(tenant)
    const pdf = await ctx.pdf.page({ title: 'Promemoria', blocks: [{ text: 'Ciao' }] })
    const result = await RequestContext.withTenant(tenant.ref, () =>
      ctx.notices.mailUser(citizen.id, {
        subject: 'Promemoria iscrizione',
        text: 'Ricordati di rinnovare.',
        attachments: [{ filename: 'promemoria.pdf', content: pdf, contentType: 'application/pdf' }],
      })
    )
    assert.isTrue(result.sent)
    const [mail] = mails().received
    assert.equal(mail.subject, 'Promemoria iscrizione')
    assert.include(JSON.stringify(mail.to), citizen.email)
    assert.equal(mail.attachments[0].filename, 'promemoria.pdf')

    await assert.rejects(
      () => RequestContext.withTenant(tenant.ref, () => ctx.notices.mailUser(stranger.id, { subject: 'x', text: 'y' })),
      /not a member/
    )
    await assert.rejects(
      () =>
        RequestContext.withTenant(tenant.ref, () =>
          ctx.transaction((tctx) => tctx.notices.mail('a@b.example', { subject: 'x', text: 'y' }))
        ),
      PluginIoInTransactionError
    )
    assert.lengthOf(mails().received, 1)
  })

  test('protocol: a document registered through the tenant protocol, keys kept per plugin', async ({ assert }) => {
    const tenant = await makeTenant()
    const ctx = await sampleContext(tenant)
    const document = { fileName: 'lettera.pdf', content: new Uint8Array([37, 80, 68, 70]), mimeType: 'application/pdf' }
    const request = {
      idempotencyKey: 'lettera-1',
      direction: 'U' as const,
      subject: 'Comunicazione',
      correspondent: { firstName: 'Anna', lastName: 'Bianchi', fiscalCode: null },
      document,
    }
    const first = await RequestContext.withTenant(tenant.ref, () => ctx.protocol.register(request))
    const again = await RequestContext.withTenant(tenant.ref, () => ctx.protocol.register(request))
    assert.match(first.label, /^\d{4}\/\d{7}$/)
    assert.deepEqual(again, first)
    // The platform's own key of the same name is another registration.
    const platforms = await RequestContext.withTenant(tenant.ref, () =>
      protocolService().register({ ...request, idempotencyKey: 'lettera-1' })
    )
    assert.notEqual(platforms.number, first.number)
  })

  test('pdf: a page on the platform layout, with the tenant name, title and blocks', async ({ assert }) => {
    const tenant = await makeTenant({ name: 'Comune di Bobbio' })
    const ctx = await sampleContext(tenant)
    const bytes = await ctx.pdf.page({
      title: 'Attestato di iscrizione',
      blocks: [{ heading: 'Dati' }, { pairs: [['Bambino', 'Anna Bianchi']] }, { rule: true }, { text: 'Firmato.' }],
    })
    const lines = await pdfTextLines(bytes)
    assert.includeMembers(lines, [
      'Comune di Bobbio',
      'Attestato di iscrizione',
      'Dati',
      'Bambino',
      'Anna Bianchi',
      'Firmato.',
    ])
  })

  test('enrolments: a plugin sees and changes only those of its own service', async ({ assert }) => {
    const tenant = await makeTenant()
    await pluginService.enable(tenant, 'refezione')
    const applicant = await makeUser(tenant, ['citizen'])
    const enrolment = await RequestContext.withTenant(tenant.ref, async () => {
      const current = (await findCurrentForm('refezione.iscrizione'))!
      const submission = await Submission.create({
        formId: current.form.id,
        formVersionId: current.version.id,
        formKey: 'refezione.iscrizione',
        applicantUserId: applicant.id,
        submittedByUserId: applicant.id,
        onBehalf: false,
        status: 'accepted',
        statusReason: null,
        data: {},
        protocolNumber: null,
        submittedAt: DateTime.now(),
      })
      const refezione = await pluginContext('refezione', { tenant: tenant.ref })
      return refezione.enrolments.create({
        submissionId: submission.id,
        formKey: 'refezione.iscrizione',
        schoolYear: '2026/2027',
        applicantUserId: applicant.id,
        child: { firstName: 'Luca', lastName: 'Verdi', fiscalCode: 'VRDLCU18A01G535X' },
        schoolId: 'pc-primaria-alberoni',
      })
    })
    assert.equal(enrolment.service, 'refezione')
    const refezione = await RequestContext.withTenant(tenant.ref, () =>
      pluginContext('refezione', { tenant: tenant.ref })
    )
    const sample = await sampleContext(tenant)
    await RequestContext.withTenant(tenant.ref, async () => {
      assert.deepEqual(
        (await refezione.enrolments.list({ schoolYear: '2026/2027' })).map((e) => e.id),
        [enrolment.id]
      )
      assert.deepEqual(await sample.enrolments.list(), [])
      assert.isNull(await sample.enrolments.find(enrolment.id))
      await assert.rejects(() => sample.enrolments.withdraw(enrolment.id), new RegExp(String(enrolment.id)))
      assert.equal((await refezione.enrolments.find(enrolment.id))!.status, 'active')
    })
  })
})

test.group('SDK: enrolments read school by school and in pages', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('list narrows by school, family and ids, and pages with afterId and limit', async ({ assert }) => {
    const tenant = await makeTenant()
    await pluginService.enable(tenant, 'refezione')
    const mother = await makeUser(tenant, ['citizen'])
    const father = await makeUser(tenant, ['citizen'])
    const enrol = (applicantUserId: number, schoolId: string, firstName: string) =>
      pluginTestKit.enrolment(tenant, 'refezione', {
        schoolYear: '2026/2027',
        applicantUserId,
        child: { firstName, lastName: 'Rossi' },
        schoolId,
      })
    const a = await enrol(mother.id, 'alberoni', 'Anna')
    const b = await enrol(father.id, 'carducci', 'Bruno')
    const c = await enrol(mother.id, 'carducci', 'Carla')
    await pluginTestKit.as(tenant, 'refezione', async (ctx) => {
      const ids = async (filter: Parameters<typeof ctx.enrolments.list>[0]) =>
        (await ctx.enrolments.list(filter)).map((e) => e.id)
      assert.deepEqual(await ids({ schoolIds: ['carducci'] }), [b.id, c.id])
      assert.deepEqual(await ids({ schoolIds: [] }), [])
      assert.deepEqual(await ids({ applicantUserId: mother.id }), [a.id, c.id])
      assert.deepEqual(await ids({ ids: [c.id, a.id] }), [a.id, c.id])
      assert.deepEqual(await ids({ afterId: a.id, limit: 1 }), [b.id])
    })
  })

  test('placements read the same selection lean, with the details and without the child; names only for the ids given', async ({
    assert,
  }) => {
    const tenant = await makeTenant()
    const other = await makeTenant()
    await pluginService.enable(tenant, 'refezione')
    await pluginService.enable(other, 'refezione')
    const mother = await makeUser(tenant, ['citizen'])
    const enrol = (t: typeof tenant, applicantUserId: number, schoolId: string, firstName: string, diet?: string) =>
      pluginTestKit.enrolment(t, 'refezione', {
        schoolYear: '2026/2027',
        applicantUserId,
        child: { firstName, lastName: 'Rossi', fiscalCode: 'RSSNNA18A41G535X' },
        schoolId,
        section: 'A',
        details: { class_year: '1', ...(diet ? { diet: { requested: true, type: diet } } : {}) },
      })
    const a = await enrol(tenant, mother.id, 'alberoni', 'Anna', 'medical')
    const b = await enrol(tenant, mother.id, 'carducci', 'Bruno')
    const z = await enrol(other, (await makeUser(other, ['citizen'])).id, 'alberoni', 'Zeno')
    await pluginTestKit.as(tenant, 'refezione', async (ctx) => {
      const lean = await ctx.enrolments.placements({ schoolIds: ['alberoni', 'carducci'], status: 'active' })
      assert.deepEqual(lean, [
        {
          id: a.id,
          applicantUserId: mother.id,
          schoolYear: '2026/2027',
          status: 'active',
          schoolId: 'alberoni',
          section: 'A',
          details: { class_year: '1', diet: { requested: true, type: 'medical' } },
        },
        {
          id: b.id,
          applicantUserId: mother.id,
          schoolYear: '2026/2027',
          status: 'active',
          schoolId: 'carducci',
          section: 'A',
          details: { class_year: '1' },
        },
      ])
      assert.deepEqual(
        (await ctx.enrolments.placements({ afterId: a.id, limit: 1 })).map((e) => e.id),
        [b.id]
      )
      // The other tenant's child is not there, by any route.
      assert.deepEqual(await ctx.enrolments.names([a.id, z.id]), [{ id: a.id, firstName: 'Anna', lastName: 'Rossi' }])
      assert.deepEqual(await ctx.enrolments.names([]), [])
      await assert.rejects(() => ctx.enrolments.names(Array.from({ length: 5001 }, (_, i) => i + 1)), /5000/)
    })
  })
})
