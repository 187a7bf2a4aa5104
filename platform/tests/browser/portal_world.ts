import type { ApiClient } from '@japa/api-client'
import { jobQueue } from '#queue/queue_factory'
import Tenant from '#models/tenant'
import { pluginService } from '#services/plugin_service'
import { RequestContext } from '#services/request_context'
import type { TenantIdentity } from '#shared/contract'
import { FORM, refezioneTenant } from '#tests/functional/forms/world'
import { codiceFiscaleCheckChar } from '#forms/codice_fiscale'

/** The logo as a comune's settings name it: a file this server serves (an https address is the other choice). */
export const LOGO = '/static/demo/logo-ente-demo.svg'

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
 * Mattia again, under another codice fiscale (born `n` days later): one standing application per
 * child and school year, so each application below names a child of its own.
 */
export function otherChild(n: number) {
  const first15 = `BSCMTT83A${String(12 + n).padStart(2, '0')}L719`
  return { ...OTHER_CHILD, fiscal_code: `${first15}${codiceFiscaleCheckChar(first15)}` }
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
  const rejected = await send({ ...sample, student: otherChild(1) })
  const completing = await send({ ...sample, student: otherChild(2) })
  const accepted = await send({ ...sample, isee_value: 5000 })
  const protocolled = await send({ ...sample, student: otherChild(3), section: 'A' })
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
