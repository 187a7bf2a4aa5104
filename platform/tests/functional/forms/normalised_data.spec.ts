import { test } from '@japa/runner'
import Submission from '#models/submission'
import { RequestContext } from '#services/infrastructure/request_context'
import { FORM, refezioneTenant } from '#tests/functional/forms/world'
import { transactionWithJobs } from '#tests/helpers/world'

test.group('Forms: data stored in its canonical form', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('a codice fiscale typed in lower case is accepted and stored in capitals, draft and submission', async ({
    client,
    assert,
  }) => {
    const { tenant, citizen, base, sample } = await refezioneTenant()
    const typed = structuredClone(sample) as Record<string, any>
    typed.payer.fiscal_code = 'rssmra85t10a562s'
    typed.student.fiscal_code = 'sttsgt90a01h501j'

    const draft = await client.post(`${base}/forms/${FORM}/submissions`).json({ data: typed }).loginAs(citizen)
    draft.assertStatus(201)
    assert.equal(draft.body().submission.data.student.fiscal_code, 'STTSGT90A01H501J')

    const sent = await client.post(`${base}/forms/${FORM}/submit`).json({ data: typed }).loginAs(citizen)
    sent.assertStatus(201)
    assert.equal(sent.body().submission.data.payer.fiscal_code, 'RSSMRA85T10A562S')
    const stored = await RequestContext.withTenant(tenant.ref, () => Submission.findOrFail(sent.body().submission.id))
    assert.equal(stored.data.student && (stored.data.student as any).fiscal_code, 'STTSGT90A01H501J')
  })
})
