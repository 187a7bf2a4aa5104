import type { ApiClient } from '@japa/api-client'
import { jobQueue } from '#queue/queue_factory'
import Tenant from '#models/tenant'
import { pluginService } from '#services/tenants/plugin_service'
import { RequestContext } from '#services/infrastructure/request_context'
import type { TenantIdentity } from '#shared/contract'
import { codiceFiscaleCheckChar } from '#forms/codice_fiscale'
import { FORM, refezioneTenant } from '#tests/functional/forms/world'
import { makeUser } from '#tests/helpers/world'
import { DEMO_LOGO_URL } from '#services/content/demo_seeder'
import { ensureEntries } from '#services/tenants/catalog_source_service'
import { DEMO_ENTRIES } from '#services/content/demo_school_catalog'
import { loadDefaultForms } from '#services/content/default_content'
import { findCurrentForm } from '#services/definitions/form_service'
import { storeUpload } from '#services/submissions/attachment_service'

/** The demo's logo, served by this server under /static (identity links are https or local paths). */
export const LOGO = DEMO_LOGO_URL

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

/** A child with a valid codice fiscale (born in Piacenza on the given day), for the world's applications. */
export function child(firstName: string, lastName: string, birthDate: string, letters: string) {
  const [year, month, day] = birthDate.split('-')
  const first15 = `${letters}${year.slice(2)}${'ABCDEHLMPRST'[Number(month) - 1]}${day}G535`
  return {
    first_name: firstName,
    last_name: lastName,
    fiscal_code: `${first15}${codiceFiscaleCheckChar(first15)}`,
    birth_date: birthDate,
    birth_place: 'Piacenza',
  }
}

/**
 * Other children than the sample's: refezione refuses a second standing application for the same
 * child and school year, so each application of the world that may stand is for its own child.
 */
export const OTHER_CHILD = child('Mattia', 'Bianchi', '2018-01-12', 'BNCMTT')
export const DRAFT_CHILD = child('Luca', 'Verdi', '2019-03-05', 'VRDLCU')
const REGISTERED_CHILD = child('Sara', 'Neri', '2017-11-20', 'NRESRA')

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
    .json({ data: { ...sample, student: DRAFT_CHILD } })
    .loginAs(citizen)
  draft.assertStatus(201)
  // The rejected application no longer stands when the same child's next one is sent.
  const rejected = await send({ ...sample, student: OTHER_CHILD })
  await jobQueue().drained()
  await move(rejected, 'rejected', 'La scuola indicata non ha il servizio mensa nel giorno richiesto.')
  const completing = await send({ ...sample, student: OTHER_CHILD })
  const accepted = await send({ ...sample, isee_value: 5000 })
  const protocolled = await send({ ...sample, student: REGISTERED_CHILD, section: 'A' })
  await jobQueue().drained()
  const reason = 'Manca la firma del secondo genitore sul modulo della dieta: allegalo e invia di nuovo la domanda.'
  await move(completing, 'needs_completion', reason)
  await move(accepted, 'accepted')
  return {
    ...world,
    reason,
    ids: { draft: draft.body().submission.id as number, rejected, completing, accepted, protocolled },
  }
}

/**
 * A tenant with refezione and `plugin` enabled, the demo school catalog and lists (transport lines
 * and stops, nursery facilities), a citizen, an operator and a tenant admin, and the sample of
 * `form` with its identity document uploaded by the citizen: ready to save or send.
 */
export async function serviceWorld(plugin: string, form: string) {
  const world = await refezioneTenant()
  const { tenant, citizen } = world
  await pluginService.enable(tenant, plugin)
  await RequestContext.withTenant(tenant.ref, () => ensureEntries(DEMO_ENTRIES))
  const admin = await makeUser(tenant, ['tenant_admin'])
  // The sample is JSON each test changes at will.
  const sample = structuredClone((await loadDefaultForms()).get(form)!.json.sample) as Record<string, any>
  const identity = await RequestContext.withTenant(tenant.ref, async () =>
    storeUpload({
      tenantId: tenant.id,
      userId: citizen.id,
      form: (await findCurrentForm(form))!.definition,
      field: '/identity_document',
      fileName: 'documento.pdf',
      bytes: Buffer.from('%PDF-1.4\n% documento di prova\n%%EOF\n'),
      lang: 'it',
    })
  )
  sample.identity_document = identity.reference
  return { ...world, admin, sample }
}
