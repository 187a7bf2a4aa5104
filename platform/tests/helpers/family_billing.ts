import type { ApiClient } from '@japa/api-client'
import { DateTime } from 'luxon'
import type User from '#models/user'
import { jobQueue } from '#queue/queue_factory'
import { RequestContext } from '#services/infrastructure/request_context'
import { GpdSimulator } from '#integrations/pagopa/gpd_simulator'
import { FORM, refezioneTenant } from '#tests/functional/forms/world'
import { BILLING_ORG } from '#tests/helpers/billing'

const KEY_ENV = 'PAGOPA_KEY_FAMILY_TESTS'

/**
 * A canteen tenant (the refezione form, the demo school catalog) that bills through a GPD simulator
 * of its own: the citizen has a codice fiscale, the school year has its calendar. `enrolThroughForm`
 * sends the form as the citizen and has the operator accept it (the plugin records the form's choices).
 */
export async function canteenBillingWorld(
  client: ApiClient,
  settings: { notices?: Record<string, unknown>; billing?: Record<string, unknown> } = {}
) {
  process.env[KEY_ENV] = 'family-key'
  const clock = { now: DateTime.now() }
  const gpd = await new GpdSimulator({
    keys: [{ key: 'family-key', organizations: [BILLING_ORG] }],
    now: () => clock.now.toJSDate(),
  }).start()
  const world = await refezioneTenant()
  const { tenant, citizen, operator, base } = world
  await RequestContext.asSystem('test', async () => {
    tenant.settings = {
      ...tenant.settings,
      pagopa: {
        segregationCode: '01',
        fiscalCode: BILLING_ORG,
        iban: 'IT60X0542811101000000123456',
        baseUrl: gpd.url,
        subscriptionKeyEnv: KEY_ENV,
        checkoutUrl: `${gpd.url}/pay/{nav}`,
      },
      notices: settings.notices ?? { email: { from: 'Comune di Prova <noreply@comune.example>' } },
      ...(settings.billing ? { billing: settings.billing } : {}),
    }
    await tenant.save()
    citizen.fiscalCode = 'VRDLCU80A01G535X'
    citizen.fullName = 'Luca Verdi'
    await citizen.save()
  })
  const year = await client
    .put(`${base}/refezione/calendar/years`)
    .json({ code: '2026/2027', starts_on: '2026-09-15', ends_on: '2027-06-30' })
    .loginAs(operator)
  year.assertStatus(200)

  async function enrolThroughForm(data: Record<string, unknown>, as: User = citizen) {
    const sent = await client.post(`${base}/forms/${FORM}/submit`).json({ data }).loginAs(as)
    sent.assertStatus(201)
    const id = sent.body().submission.id as number
    await jobQueue().drained()
    const accepted = await client
      .post(`${base}/submissions/${id}/status`)
      .json({ status: 'accepted' })
      .loginAs(operator)
    accepted.assertStatus(200)
    return id
  }

  /** The operator bills a month of the canteen; the positions are on GPD and notified when it returns. */
  async function bill(period: string) {
    const run = await client.post(`${base}/billing/runs`).json({ service: 'refezione', period }).loginAs(operator)
    run.assertStatus(202)
    await jobQueue().drained()
  }

  return { ...world, gpd, clock, enrolThroughForm, bill, close: () => gpd.close() }
}
