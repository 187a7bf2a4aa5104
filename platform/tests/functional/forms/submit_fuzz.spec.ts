import { test } from '@japa/runner'
import fc from 'fast-check'
import Submission from '#models/submission'
import { validateSubmission } from '#forms/validator'
import { findCurrentForm } from '#services/definitions/form_service'
import { RequestContext } from '#services/infrastructure/request_context'
import { FORM, refezioneTenant } from './world.js'
import { transactionWithJobs } from '../../helpers/world.js'

/** Raw request bodies: broken text, random JSON, and the valid sample bent in the ways clients get it wrong. */
function bodies(sample: Record<string, unknown>) {
  const keys = Object.keys(sample)
  const field = fc.constantFrom(...keys)
  const withData = (data: unknown) => JSON.stringify({ data })
  return fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.json({ maxDepth: 3 }),
    fc.anything({ maxDepth: 2 }).map(withData),
    fc.tuple(field, fc.jsonValue({ maxDepth: 2 })).map(([key, value]) => withData({ ...sample, [key]: value })),
    fc
      .tuple(field, fc.integer({ min: 5_000, max: 200_000 }))
      .map(([key, n]) => withData({ ...sample, [key]: 'x'.repeat(n) })),
    fc
      .tuple(fc.string({ minLength: 1, maxLength: 40 }), fc.jsonValue({ maxDepth: 1 }))
      .map(([key, value]) => JSON.stringify({ data: { ...sample, [key]: value } })),
    fc
      .tuple(fc.string({ minLength: 1, maxLength: 20 }), fc.jsonValue({ maxDepth: 1 }))
      .map(([key, value]) => JSON.stringify({ data: sample, [key]: value })),
    fc
      .subarray(keys)
      .map((drop) => withData(Object.fromEntries(Object.entries(sample).filter(([k]) => !drop.includes(k)))))
  )
}

test.group('Forms: submit endpoint under random input', (group) => {
  // Jobs a test started (protocol, receipt) end before its transaction is rolled back.
  group.each.setup(() => transactionWithJobs())

  test('never a 500, every invalid body refused, nothing invalid stored as submitted', async ({ client, assert }) => {
    const { tenant, citizen, base, sample } = await refezioneTenant()
    const url = `${base}/forms/${FORM}/submit`

    await fc.assert(
      fc.asyncProperty(bodies(sample), async (body) => {
        const response = await client.post(url).type('application/json').unsafeJson(body).loginAs(citizen)
        const status = response.status()
        assert.include([201, 400, 413, 422], status, `status ${status} for ${body.slice(0, 200)}`)
        if (status !== 201) {
          assert.isArray(response.body().errors, 'a refusal explains itself')
          assert.isAbove(response.body().errors.length, 0)
        }
      }),
      { numRuns: 60 }
    )

    // Whatever was accepted is a valid submission of the form.
    await RequestContext.withTenant(tenant.ref, async () => {
      const current = (await findCurrentForm(FORM))!
      const stored = await Submission.query().where('status', 'submitted')
      for (const row of stored) assert.deepEqual(validateSubmission(current.definition, row.data).errors, [])
    })
  }).timeout(120_000)
})
