import { join } from 'node:path'
import app from '@adonisjs/core/services/app'
import type { ApiClient } from '@japa/api-client'
import type { Page } from 'playwright-core'
import { RequestContext } from '#services/infrastructure/request_context'
import { makeUser } from '#tests/helpers/world'
import { FORM, refezioneTenant } from '#tests/functional/forms/world'
import { baseUrl, LAPTOP, logIn, openBrowser } from './portal.js'

/** With GUIDE_SCREENSHOTS=1 the screens the designer's guide (docs/designer.md) shows are written into docs/designer/. */
export async function guideShot(page: Page, name: string) {
  if (!process.env.GUIDE_SCREENSHOTS) return
  await page.screenshot({ path: join(app.makePath('..', 'docs', 'designer'), `${name}.png`), fullPage: false })
}

/**
 * The world before the designer starts: refezione with its first version, a designer allowed to
 * publish (the tenant's setting), and a family's application saved as a draft before the change,
 * to be finished later: the form's sample, or the data `draftData` makes of it.
 */
export async function designerWorldWithDraft(
  client: ApiClient,
  draftData: (sample: Record<string, unknown>) => Record<string, unknown> = (sample) => sample
) {
  const world = await refezioneTenant()
  const designer = await makeUser(world.tenant, ['designer'])
  await RequestContext.asSystem('test', async () => {
    world.tenant.settings = { ...world.tenant.settings, designer: { designers_publish: true } }
    await world.tenant.save()
  })
  const draft = await client
    .post(`${world.base}/forms/${FORM}/submissions`)
    .json({ data: draftData(world.sample) })
    .loginAs(world.citizen)
  draft.assertStatus(201)
  return { ...world, designer, draftId: draft.body().submission.id as number }
}

/** The family's browser on its draft application (laptop size, logged in), once the form's page is up. */
export async function openFamilyDraft(email: string, tenantSlug: string, draftId: number) {
  const family = await openBrowser()
  try {
    const page = family.page
    await page.setViewportSize(LAPTOP)
    await logIn(page, email)
    await page.goto(`${baseUrl()}/#/t/${tenantSlug}/moduli/${FORM}?bozza=${draftId}`)
    await page.getByRole('heading', { name: 'Iscrizione alla refezione scolastica' }).waitFor()
    return family
  } catch (error) {
    await family.close()
    throw error
  }
}
