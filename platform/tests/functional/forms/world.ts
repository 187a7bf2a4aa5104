import { RequestContext } from '#services/infrastructure/request_context'
import { codiceFiscaleCheckChar } from '#forms/codice_fiscale'
import { storeUpload } from '#services/submissions/attachment_service'
import { findCurrentForm } from '#services/definitions/form_service'
import Tenant from '#models/tenant'
import User from '#models/user'
import { pluginService } from '#services/tenants/plugin_service'
import { loadDefaultForms } from '#services/content/default_content'
import { makeTenant, makeUser } from '#tests/helpers/world'
import { withSchoolCatalog } from '#tests/helpers/catalog'

export const FORM = 'refezione.iscrizione'

/** The refezione form's `sample`: a complete, valid submission, the base every test changes. */
export async function refezioneSample(): Promise<Record<string, unknown>> {
  const forms = await loadDefaultForms()
  return structuredClone(forms.get(FORM)!.json.sample as Record<string, unknown>)
}

/** A tenant offering refezione (with the demo school catalog), with a citizen, a second citizen and an operator. */
export async function refezioneTenant() {
  const tenant: Tenant = await makeTenant()
  await pluginService.enable(tenant, 'refezione')
  await withSchoolCatalog(tenant)
  const citizen: User = await makeUser(tenant, ['citizen'])
  const otherCitizen: User = await makeUser(tenant, ['citizen'])
  const operator: User = await makeUser(tenant, ['operator'])
  const base = `/api/v1/t/${tenant.slug}`
  const sample = await refezioneSample()
  // The sample's identity document becomes a file really uploaded by the citizen.
  const identity = await RequestContext.withTenant(tenant.ref, async () =>
    storeUpload({
      tenantId: tenant.id,
      userId: citizen.id,
      form: (await findCurrentForm(FORM))!.definition,
      field: '/identity_document',
      fileName: 'carta_identita.pdf',
      bytes: Buffer.from('%PDF-1.4\n% documento di identità di prova\n%%EOF\n'),
      lang: 'it',
    })
  )
  sample.identity_document = identity.reference
  return { tenant, citizen, otherCitizen, operator, base, sample }
}

/**
 * The sample for another child: a second application for the same child, service and school year
 * is refused (refezione `"x-duplicates": "refuse"`), so tests sending several use several children.
 */
export function forChild(sample: Record<string, unknown>, n: number): Record<string, unknown> {
  // Day 01-31 of each month in turn (the twelve month letters): 372 children.
  const month = 'ABCDEHLMPRST'[Math.floor(n / 31) % 12]
  const first15 = `STTSGT90${month}${String((n % 31) + 1).padStart(2, '0')}H501`
  const student: Record<string, unknown> = { ...(sample.student as Record<string, unknown>) }
  student.first_name = `Figlio ${'ABCDEFGHIJ'[n % 10]}`
  student.fiscal_code = `${first15}${codiceFiscaleCheckChar(first15)}`
  return { ...sample, student }
}
