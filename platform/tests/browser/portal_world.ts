import type { ApiClient } from '@japa/api-client'
import { jobQueue } from '#queue/queue_factory'
import Tenant from '#models/tenant'
import { pluginService } from '#services/plugin_service'
import { RequestContext } from '#services/request_context'
import type { TenantIdentity } from '#shared/contract'
import { FORM, refezioneTenant } from '#tests/functional/forms/world'

/** A small logo, as a comune would upload it (a data URL: the test serves no files of its own). */
export const LOGO =
  'data:image/svg+xml;base64,' +
  Buffer.from(
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 48"><path d="M2 2h36v26c0 10-8 16-18 18C10 44 2 38 2 28z" fill="#fff" stroke="#036" stroke-width="3"/><path d="M20 8v32M8 20h24" stroke="#c00" stroke-width="6"/></svg>'
  ).toString('base64')

export const IDENTITY: TenantIdentity = {
  logo_url: LOGO,
  privacy_url: 'https://www.comune.example.it/privacy',
  accessibility_url: 'https://form.agid.gov.it/view/comune-example',
  contacts: {
    email: 'scuola@comune.example.it',
    pec: 'protocollo@pec.comune.example.it',
    phone: '0523 492 111',
    address: 'Piazza Cavalli 2, 29121 Piacenza',
  },
}

/** A comune with its identity in the settings, for header and footer. */
export async function withIdentity(tenant: Tenant, identity: TenantIdentity = IDENTITY) {
  await RequestContext.asSystem('test', async () => {
    const row = await Tenant.findOrFail(tenant.id)
    row.settings = { ...row.settings, identity }
    await row.save()
  })
}

/** Another child than the sample's, for applications that must not be the same enrolment. */
export const OTHER_CHILD = {
  first_name: 'Mattia',
  last_name: 'Bianchi',
  fiscal_code: 'BSCMTT83A12L719R',
  birth_date: '2018-01-12',
  birth_place: 'Piacenza',
}

/**
 * A citizen with applications in every status the portal shows: a draft, one registered in the
 * protocol, one sent back for completion with the reason, one rejected, one accepted (its child
 * enrolled). Made through the API as the citizen and the operator would.
 */
export async function citizenWithApplications(client: ApiClient) {
  const world = await refezioneTenant()
  const { citizen, operator, base, sample, tenant } = world
  await pluginService.enable(tenant, 'trasporto')
  await withIdentity(tenant)
  const send = async (data: Record<string, unknown>) => {
    const r = await client.post(`${base}/forms/${FORM}/submit`).json({ data }).loginAs(citizen)
    r.assertStatus(201)
    return r.body().submission.id as number
  }
  const move = async (id: number, status: string, reason?: string) => {
    const r = await client.post(`${base}/submissions/${id}/status`).json({ status, reason }).loginAs(operator)
    r.assertStatus(200)
  }
  const draft = await client
    .post(`${base}/forms/${FORM}/submissions`)
    .json({ data: { ...sample, student: OTHER_CHILD } })
    .loginAs(citizen)
  draft.assertStatus(201)
  const rejected = await send({ ...sample, student: OTHER_CHILD })
  const completing = await send({ ...sample, student: OTHER_CHILD })
  const accepted = await send({ ...sample, isee_value: 5000 })
  const protocolled = await send({ ...sample, student: OTHER_CHILD, section: 'A' })
  await jobQueue().drained()
  const reason = 'Manca la firma del secondo genitore sul modulo della dieta: allegalo e invia di nuovo la domanda.'
  await move(completing, 'needs_completion', reason)
  await move(rejected, 'rejected', 'La scuola indicata non ha il servizio mensa nel giorno richiesto.')
  await move(accepted, 'accepted')
  return {
    ...world,
    reason,
    ids: { draft: draft.body().submission.id as number, rejected, completing, accepted, protocolled },
  }
}
