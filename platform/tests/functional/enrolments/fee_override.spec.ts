import { test } from '@japa/runner'
import { jobQueue } from '#queue/queue_factory'
import { makeUser } from '#tests/helpers/world'
import { FORM, refezioneTenant } from '#tests/functional/forms/world'
import { transactionWithJobs } from '../../helpers/world.js'

async function enrolled() {
  const world = await refezioneTenant()
  return world
}

test.group('Register: the operator sets a fee by hand, with a reason, on the record', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('the override is stored beside the computed fee, audited with who and why, and can be undone', async ({
    client,
    assert,
  }) => {
    const { tenant, citizen, operator, base, sample } = await enrolled()
    const sent = await client.post(`${base}/forms/${FORM}/submit`).json({ data: sample }).loginAs(citizen)
    sent.assertStatus(201)
    await jobQueue().drained()
    const sid = sent.body().submission.id
    ;(
      await client.post(`${base}/submissions/${sid}/status`).json({ status: 'accepted' }).loginAs(operator)
    ).assertStatus(200)
    const list = await client.get(`${base}/enrolments`).loginAs(operator)
    const enrolment = list.body().enrolments.find((e: { submissionId: number }) => e.submissionId === sid)
    const computed = enrolment.tariff.amount as string
    assert.match(computed, /^\d+\.\d{2}$/)
    assert.isNull(enrolment.tariff.override)

    const reason = 'Famiglia seguita dai servizi sociali: tariffa concordata con delibera 12/2026.'
    const set = await client
      .put(`${base}/enrolments/${enrolment.id}/fee`)
      .json({ amount: '1.5', reason })
      .loginAs(operator)
    set.assertStatus(200)
    const tariff = set.body().enrolment.tariff
    assert.equal(tariff.amount, computed, 'the computed fee stays')
    assert.equal(tariff.override.amount, '1.50')
    assert.equal(tariff.override.reason, reason)
    assert.equal(tariff.override.byName, operator.fullName)
    assert.isAbove(tariff.trace.length, 0)

    // The family sees the fee set, not the office's reason nor who.
    const family = await client.get(`${base}/enrolments/${enrolment.id}`).loginAs(citizen)
    assert.equal(family.body().enrolment.tariff.override.amount, '1.50')
    assert.notProperty(family.body().enrolment.tariff.override, 'reason')
    assert.notProperty(family.body().enrolment.tariff.override, 'byName')

    // The audit log: who, before and after, and why (decrypted for the tenant admin).
    const admin = await makeUser(tenant, ['tenant_admin'])
    const audit = await client.get(`${base}/audit`).qs({ entity: 'enrolments' }).loginAs(admin)
    const entry = audit
      .body()
      .entries.find(
        (e: { action: string; after: Record<string, unknown> | null }) => e.after?.feeOverrideAmount === '1.50'
      )
    assert.exists(entry, 'an audit entry for the override')
    assert.equal(entry.actorUserId, operator.id)
    assert.equal(entry.after.feeOverrideReason, reason)

    const undone = await client
      .put(`${base}/enrolments/${enrolment.id}/fee`)
      .json({ amount: null, reason: 'Delibera revocata.' })
      .loginAs(operator)
    undone.assertStatus(200)
    assert.isNull(undone.body().enrolment.tariff.override)
  })

  test('amount and reason are checked at their field; only operators and administrators may', async ({
    client,
    assert,
  }) => {
    const { tenant, citizen, operator, base } = await enrolled()
    const bad = await client
      .put(`${base}/enrolments/1/fee`)
      .json({ amount: 3.5, reason: ' ', extra: 1 })
      .header('accept-language', 'en')
      .loginAs(operator)
    bad.assertStatus(422)
    assert.sameMembers(
      bad.body().errors.map((e: { path: string }) => e.path),
      ['/amount', '/reason', '/extra']
    )
    assert.include(bad.body().errors.find((e: { path: string }) => e.path === '/amount').message, 'two decimals')
    for (const amount of ['-1', '1.234', '1e3', '1000000']) {
      const refused = await client.put(`${base}/enrolments/1/fee`).json({ amount, reason: 'x' }).loginAs(operator)
      refused.assertStatus(422)
    }
    const missing = await client
      .put(`${base}/enrolments/999999/fee`)
      .json({ amount: '1.00', reason: 'x' })
      .loginAs(operator)
    missing.assertStatus(404)
    for (const user of [citizen, await makeUser(tenant, ['kitchen']), await makeUser(tenant, ['school_staff'])]) {
      const refused = await client.put(`${base}/enrolments/1/fee`).json({ amount: '1.00', reason: 'x' }).loginAs(user)
      refused.assertStatus(403)
    }
  })
})
