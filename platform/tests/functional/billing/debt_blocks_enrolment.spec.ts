import { test } from '@japa/runner'
import PaymentPosition from '#models/payment_position'
import { jobQueue } from '#queue/queue_factory'
import { RequestContext } from '#services/infrastructure/request_context'
import { reconcileTenant } from '#services/billing/reconcile'
import { centsText } from '#shared/applicant_facts'
import { FORM, forChild } from '#tests/functional/forms/world'
import { canteenBillingWorld } from '#tests/helpers/family_billing'
import { captureMailEachTest } from '#tests/helpers/smtp'
import { formDay } from '#services/definitions/form_service'
import { makeUser, transactionWithJobs } from '#tests/helpers/world'

test.group('Enrolment: overdue debts as a BLOCCO', (group) => {
  group.each.setup(() => transactionWithJobs())
  captureMailEachTest(group)

  test('a family with an overdue unpaid position is refused with the amount and the way to pay; once paid it may apply', async ({
    assert,
    client,
    cleanup,
  }) => {
    const world = await canteenBillingWorld(client, { billing: { debtBlocksEnrolment: true, debtBlockAfterDays: 5 } })
    cleanup(() => world.close())
    const { base, citizen, tenant } = world
    await world.enrolThroughForm(world.sample)
    await world.bill('2026-10')
    const position = await RequestContext.withTenant(tenant.ref, () => PaymentPosition.query().firstOrFail())
    assert.equal(position.status, 'published')
    const facts = () => client.get(`${base}/forms/${FORM}/facts`).loginAs(citizen)

    // Not yet due: nothing owed past due, the family may apply for a second child.
    assert.deepEqual((await facts()).body().facts, {
      blocco_debiti: true,
      debito_scaduto_cents: 0,
      debito_scaduto: '0,00',
    })
    const checkSecond = () =>
      client
        .post(`${base}/forms/${FORM}/check`)
        .json({ data: forChild(world.sample, 1) })
        .loginAs(citizen)
    ;(await checkSecond()).assertStatus(200)

    // Due four days ago: still within the tenant's five days of grace.
    const dueAgo = async (days: number) =>
      RequestContext.asSystem('test', () =>
        RequestContext.withTenant(tenant.ref, async () => {
          position.dueDate = new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10)
          await position.save()
        })
      )
    await dueAgo(4)
    ;(await checkSecond()).assertStatus(200)

    // Due ten days ago: refused, the message names the amount and says how to pay.
    await dueAgo(10)
    const owed = centsText(position.amountCents, 'it')
    assert.deepEqual((await facts()).body().facts, {
      blocco_debiti: true,
      debito_scaduto_cents: position.amountCents,
      debito_scaduto: owed,
    })
    const refused = await client
      .post(`${base}/forms/${FORM}/submit`)
      .json({ data: forChild(world.sample, 1) })
      .loginAs(citizen)
    refused.assertStatus(422)
    const blocco = refused.body().errors.find((e: { rule: string }) => e.rule === 'debito_scaduto')
    assert.equal(blocco.path, '/payer')
    assert.include(blocco.message, `€ ${owed}`)
    assert.include(blocco.message, 'Pagamenti')
    const english = await client
      .post(`${base}/forms/${FORM}/check`)
      .header('accept-language', 'en')
      .json({ data: forChild(world.sample, 1) })
      .loginAs(citizen)
    english.assertStatus(422)
    assert.include(
      english.body().errors.find((e: { rule: string }) => e.rule === 'debito_scaduto').message,
      `€ ${centsText(position.amountCents, 'en')}`
    )
    // A field of the same name sent with the data changes nothing: the facts are the platform's.
    const spoofed = await client
      .post(`${base}/forms/${FORM}/check`)
      .json({ data: { ...forChild(world.sample, 1), blocco_debiti: false, debito_scaduto_cents: 0 } })
      .loginAs(citizen)
    assert.isTrue(spoofed.body().errors.some((e: { rule: string }) => e.rule === 'debito_scaduto'))

    // Paid on the simulator's checkout, reconciled: the family may apply again.
    const paid = await fetch(`${world.gpd.url}/sim/pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ nav: position.nav }),
    })
    assert.equal(paid.status, 200)
    await RequestContext.withTenant(tenant.ref, () => reconcileTenant(tenant))
    assert.equal((await facts()).body().facts.debito_scaduto_cents, 0)
    const accepted = await client
      .post(`${base}/forms/${FORM}/submit`)
      .json({ data: forChild(world.sample, 1) })
      .loginAs(citizen)
    accepted.assertStatus(201)
    await jobQueue().drained()
  })

  test('a version published without the debt BLOCCO, then one with it: each judges the next sending at once', async ({
    assert,
    client,
    cleanup,
  }) => {
    const world = await canteenBillingWorld(client, { billing: { debtBlocksEnrolment: true, debtBlockAfterDays: 5 } })
    cleanup(() => world.close())
    const { base, citizen, tenant } = world
    const admin = await makeUser(tenant, ['tenant_admin'])
    const forms = `${base}/forms/${FORM}`
    // Kept from the version in force before it is taken out, to put it back in a later one.
    const debtBlocco = (await client.get(forms).loginAs(citizen))
      .body()
      .form.definition.blocchi.find((b: { id: string }) => b.id === 'debito_scaduto')
    assert.exists(debtBlocco)

    /** Publishes from today the form in force with its debt BLOCCO taken out or put back. */
    const publish = async (withDebtRule: boolean) => {
      const started = await client.post(`${forms}/draft`).json({}).loginAs(admin)
      started.assertStatus(201)
      const definition = structuredClone(started.body().draft.definition)
      definition.blocchi = definition.blocchi.filter((b: { id: string }) => b.id !== 'debito_scaduto')
      if (withDebtRule) definition.blocchi.push(debtBlocco)
      ;(await client.put(`${forms}/draft`).json({ definition }).loginAs(admin)).assertStatus(200)
      ;(await client.post(`${forms}/draft/publish`).json({ valid_from: formDay() }).loginAs(admin)).assertStatus(201)
    }
    const refusedForDebt = async () => {
      const checked = await client
        .post(`${forms}/check`)
        .json({ data: forChild(world.sample, 1) })
        .loginAs(citizen)
      const rules = (checked.body().errors ?? []).map((e: { rule: string }) => e.rule)
      return { status: checked.status(), debt: rules.includes('debito_scaduto') }
    }

    // Every sending from here on is judged first on a version whose rules read no debt.
    await publish(false)
    await world.enrolThroughForm(world.sample)
    await world.bill('2026-10')
    await RequestContext.asSystem('test', () =>
      RequestContext.withTenant(tenant.ref, async () => {
        const position = await PaymentPosition.query().firstOrFail()
        position.dueDate = new Date(Date.now() - 10 * 86_400_000).toISOString().slice(0, 10)
        await position.save()
      })
    )
    assert.deepEqual(await refusedForDebt(), { status: 200, debt: false })
    // The rule is back in the next version: the family's debt counts from the first sending on it.
    await publish(true)
    assert.deepEqual(await refusedForDebt(), { status: 422, debt: true })
    await publish(false)
    assert.deepEqual(await refusedForDebt(), { status: 200, debt: false })
  })

  test('a tenant that has not chosen to refuse on debts accepts the application of a family in debt', async ({
    assert,
    client,
    cleanup,
  }) => {
    const world = await canteenBillingWorld(client)
    cleanup(() => world.close())
    const { base, citizen, tenant } = world
    await world.enrolThroughForm(world.sample)
    await world.bill('2026-10')
    await RequestContext.asSystem('test', () =>
      RequestContext.withTenant(tenant.ref, async () => {
        const position = await PaymentPosition.query().firstOrFail()
        position.dueDate = '2026-11-01'
        await position.save()
      })
    )
    const facts = (await client.get(`${base}/forms/${FORM}/facts`).loginAs(citizen)).body().facts
    assert.isFalse(facts.blocco_debiti)
    assert.isAbove(facts.debito_scaduto_cents, 0)
    ;(
      await client
        .post(`${base}/forms/${FORM}/submit`)
        .json({ data: forChild(world.sample, 1) })
        .loginAs(citizen)
    ).assertStatus(201)
    await jobQueue().drained()
    // Only the office may ask for another person's facts.
    const other = await client.get(`${base}/forms/${FORM}/facts?applicant=${citizen.id}`).loginAs(world.otherCitizen)
    other.assertStatus(422)
    assert.equal(other.body().errors[0].path, '/applicant')
    const office = await client.get(`${base}/forms/${FORM}/facts?applicant=${citizen.id}`).loginAs(world.operator)
    office.assertStatus(200)
    assert.equal(office.body().facts.debito_scaduto_cents, facts.debito_scaduto_cents)
  })
})
