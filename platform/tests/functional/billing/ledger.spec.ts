import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import LedgerEntry, { LedgerImmutableError } from '#models/ledger_entry'
import { pluginContext } from '#plugins/plugin_context'
import { RequestContext } from '#services/infrastructure/request_context'
import { LedgerError, LedgerKeyConflictError, balanceOf, postEntry } from '#services/billing/ledger_service'
import { lineAmount } from '#services/billing/charge_amount'
import { monthlyFeeCharges } from '#services/billing/monthly_fees'
import { billingWorld } from '#tests/helpers/billing'
import { makeTenant, makeUser, transactionWithJobs } from '#tests/helpers/world'

test.group('Ledger', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('a plugin posts charges through the SDK, once per key, and reads balances per person and per enrolment', async ({
    assert,
    cleanup,
  }) => {
    const world = await billingWorld()
    cleanup(() => world.close())
    const first = await world.enrol(null, '45.00')
    const second = await world.enrol(first.payer, '30.50')
    await RequestContext.withTenant(world.tenant.ref, async () => {
      const ctx = await pluginContext('rette', { tenant: world.tenant.ref })
      const charge = await ctx.ledger.postCharge({
        key: 'gita-ottobre',
        enrolmentId: first.enrolment.id,
        period: '2026-10',
        description: 'Uscita didattica',
        quantity: '2.5',
        unitCents: 333,
      })
      // 2.5 × 3.33 = 8.325 → 8.33, half up, never through a float.
      assert.equal(charge.amount_cents, 833)
      assert.equal(charge.amount, '8.33')
      const again = await ctx.ledger.postCharge({
        key: 'gita-ottobre',
        enrolmentId: first.enrolment.id,
        period: '2026-10',
        description: 'Uscita didattica',
        quantity: '2.5',
        unitCents: 333,
      })
      assert.equal(again.id, charge.id)
      await ctx.ledger.postCharge({
        key: 'quota-ottobre',
        enrolmentId: second.enrolment.id,
        period: '2026-10',
        description: 'Quota',
        amountCents: 3050,
      })

      assert.deepEqual(await ctx.ledger.balance({ payerUserId: first.payer.id }), {
        balanceCents: 3883,
        chargedCents: 3883,
        paidCents: 0,
        adjustedCents: 0,
      })
      assert.equal((await ctx.ledger.balance({ enrolmentId: second.enrolment.id })).balanceCents, 3050)

      // A payment and an adjustment move the balance; the charge.created events were written with the charges.
      await db.transaction(async (trx) => {
        await postEntry(trx, {
          key: 'test-payment',
          kind: 'payment',
          payerUserId: first.payer.id,
          service: 'rette',
          period: '2026-10',
          amountCents: -3000,
          description: 'Pagamento',
        })
        await postEntry(trx, {
          key: 'test-adjustment',
          kind: 'adjustment',
          payerUserId: first.payer.id,
          enrolmentId: first.enrolment.id,
          service: 'rette',
          period: '2026-10',
          amountCents: -83,
          description: 'Nota di credito',
        })
      })
      assert.deepEqual(await balanceOf({ payerUserId: first.payer.id }), {
        balanceCents: 800,
        chargedCents: 3883,
        paidCents: 3000,
        adjustedCents: -83,
      })
      assert.equal((await balanceOf({ enrolmentId: first.enrolment.id })).balanceCents, 750)

      // Every entry was audited with who wrote it.
      const audits = await db.from('audit_logs').where('entity', 'ledger_entries').where('tenant_id', world.tenant.id)
      assert.lengthOf(audits, 4)
    })

    // Another tenant sees none of it.
    const other = await makeTenant()
    await RequestContext.withTenant(other.ref, async () => {
      assert.equal((await balanceOf({ payerUserId: first.payer.id })).balanceCents, 0)
      assert.lengthOf(await LedgerEntry.query(), 0)
    })
  })

  test('entries are never edited or deleted, and wrong ones are refused', async ({ assert }) => {
    const tenant = await makeTenant()
    const payer = await makeUser(tenant, ['citizen'])
    await RequestContext.withTenant(tenant.ref, async () => {
      const base = {
        key: 'k1',
        kind: 'charge' as const,
        payerUserId: payer.id,
        service: 'rette',
        period: '2026-10',
        amountCents: 1000,
        description: 'Quota',
      }
      const { entry } = await db.transaction((trx) => postEntry(trx, base))
      entry.amountCents = 1
      await assert.rejects(() => entry.save(), LedgerImmutableError)
      await assert.rejects(() => entry.delete(), LedgerImmutableError)
      await assert.rejects(
        () => db.transaction((trx) => postEntry(trx, { ...base, amountCents: 999 })),
        LedgerKeyConflictError
      )
      await assert.rejects(
        () => db.transaction((trx) => postEntry(trx, { ...base, key: 'k2', amountCents: 10.5 })),
        LedgerError
      )
      await assert.rejects(
        () => db.transaction((trx) => postEntry(trx, { ...base, key: 'k3', amountCents: -5 })),
        LedgerError
      )
      await assert.rejects(
        () => db.transaction((trx) => postEntry(trx, { ...base, key: 'k4', kind: 'payment' })),
        LedgerError
      )
      await assert.rejects(
        () => db.transaction((trx) => postEntry(trx, { ...base, key: 'k5', period: '2026-13' })),
        LedgerError
      )
      assert.equal((await balanceOf({ payerUserId: payer.id })).balanceCents, 1000)
    })
    assert.throws(() => lineAmount({ quantity: '1e3', unitCents: 100 }), /quantity/)
    assert.deepEqual(lineAmount({ quantity: '0.5', unitCents: 4501 }), {
      amountCents: 2251,
      quantity: '0.5',
      unitCents: 4501,
    })
  })

  test('monthly fees: the fee × quantity, the operator’s override where the enrolment has one, a note where there is no fee', async ({
    assert,
    cleanup,
  }) => {
    const world = await billingWorld()
    cleanup(() => world.close())
    const withFee = await world.enrol(null, '45.00')
    const withoutFee = await world.enrol(null, null)
    await world.enrol(null, '20.00', { schoolYear: '2025/2026' })
    await RequestContext.withTenant(world.tenant.ref, async () => {
      const ctx = await pluginContext('rette', { tenant: world.tenant.ref })
      const real = ctx.enrolments.list
      // The back office's override, as the enrolment record carries it when one was set.
      const withOverride = {
        ...ctx,
        enrolments: {
          ...ctx.enrolments,
          list: async (filter?: Parameters<typeof real>[0]) =>
            (await real(filter)).map((e) =>
              e.id === withFee.enrolment.id ? { ...e, feeOverride: { amount: '12.5', reason: 'riduzione' } } : e
            ),
        },
      }
      const plain = await monthlyFeeCharges(ctx, '2026-10', { quantity: () => '2' })
      assert.deepEqual(
        plain.lines.map((l) => [l.enrolmentId, l.quantity, l.unitCents]),
        [[withFee.enrolment.id, '2', 4500]]
      )
      assert.deepEqual(
        plain.notes?.map((n) => n.enrolmentId),
        [withoutFee.enrolment.id]
      )
      const overridden = await monthlyFeeCharges(withOverride, '2026-10')
      assert.equal(overridden.lines[0].unitCents, 1250)
      assert.deepInclude(overridden.lines[0].details!, { override: { amount: '12.5', reason: 'riduzione' } })
      // The override the back office records on the enrolment reaches the record plugins read.
      withFee.enrolment.feeOverrideAmount = '10.00'
      withFee.enrolment.feeOverrideReason = 'decisione dell’ufficio'
      await withFee.enrolment.save()
      assert.equal((await monthlyFeeCharges(ctx, '2026-10')).lines[0].unitCents, 1000)
      withFee.enrolment.feeOverrideAmount = null
      await withFee.enrolment.save()
      // March 2027 is still the school year 2026/2027; September 2027 is the next one.
      assert.lengthOf((await monthlyFeeCharges(ctx, '2027-03')).lines, 1)
      assert.lengthOf((await monthlyFeeCharges(ctx, '2027-09')).lines, 0)
      // Ended by its renewal into the next year, it still owes the months of its own year.
      withFee.enrolment.status = 'ended'
      await withFee.enrolment.save()
      assert.deepEqual(
        (await monthlyFeeCharges(ctx, '2027-06')).lines.map((l) => l.enrolmentId),
        [withFee.enrolment.id]
      )
    })
  })
})
