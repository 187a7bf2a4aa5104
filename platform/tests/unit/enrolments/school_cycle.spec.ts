import { test } from '@japa/runner'
import { monthlyFeeCharges } from '#services/billing/monthly_fees'
import { nextSchoolYear, readCycle } from '#services/enrolments/enrolment_changes'
import type { EnrolmentRecord, PluginContext } from '#sdk/types'

test.group('Register: the end of the school cycle, and billing a withdrawal from a date', () => {
  test('the class year moves on within the order; past its last year the cycle ends', ({ assert }) => {
    assert.equal(nextSchoolYear('2026/2027'), '2027/2028')
    assert.deepEqual(readCycle('primaria', '2', null, '2027/2028'), { renew: true, classYear: '3' })
    assert.deepEqual(readCycle('primaria', '5', '2017-03-04', '2027/2028'), { renew: false, reason: 'cycle_end' })
    assert.deepEqual(readCycle('secondaria_primo_grado', '3', null, '2027/2028'), {
      renew: false,
      reason: 'cycle_end',
    })
    assert.deepEqual(readCycle('infanzia', '2', null, '2027/2028'), { renew: true, classYear: '3' })
  })

  test("without a class year, the child's age in the next year against the order's oldest", ({ assert }) => {
    // Infanzia: children turning 3 to 5 in the year the school year starts (D.Lgs. 59/2004).
    assert.deepEqual(readCycle('infanzia', undefined, '2022-05-10', '2027/2028'), { renew: true, classYear: null })
    assert.deepEqual(readCycle('infanzia', undefined, '2021-12-31', '2027/2028'), { renew: false, reason: 'cycle_end' })
    // Nido: until the year the child turns 3.
    assert.deepEqual(readCycle('nido', '1', '2025-02-01', '2027/2028'), { renew: true, classYear: null })
    assert.deepEqual(readCycle('nido', null, '2024-02-01', '2027/2028'), { renew: false, reason: 'cycle_end' })
    assert.deepEqual(readCycle('primaria', undefined, null, '2027/2028'), { renew: false, reason: 'unknown_cycle' })
    assert.deepEqual(readCycle(null, '2', '2017-03-04', '2027/2028'), { renew: false, reason: 'unknown_cycle' })
  })

  test('a child withdrawn from a day is billed the months begun before it, not those after', async ({ assert }) => {
    const record = (id: number, status: EnrolmentRecord['status'], withdrawnFrom: string | null): EnrolmentRecord => ({
      id,
      service: 'rette',
      formKey: 'rette.iscrizione',
      schoolYear: '2026/2027',
      submissionId: id,
      applicantUserId: 1,
      status,
      child: { firstName: 'A', lastName: 'B', fiscalCode: null, unborn: false, birthDate: null },
      schoolId: null,
      section: null,
      isee: null,
      details: null,
      tariff: { amount: '30.00', ruleset: 'r', version: 1, at: '2026-09-01' },
      feeOverride: null,
      withdrawnFrom,
    })
    const rows = [record(1, 'active', null), record(2, 'withdrawn', '2026-11-15'), record(3, 'withdrawn', null)]
    const ctx = {
      pluginId: 'rette',
      enrolments: { list: async (filter: { status?: string }) => rows.filter((r) => r.status === filter.status) },
    } as unknown as PluginContext
    const billed = async (period: string) => (await monthlyFeeCharges(ctx, period)).lines.map((l) => l.enrolmentId)
    assert.sameMembers(await billed('2026-10'), [1, 2])
    assert.sameMembers(await billed('2026-11'), [1, 2], 'enrolled on 1 November')
    assert.sameMembers(await billed('2026-12'), [1])
  })
})
