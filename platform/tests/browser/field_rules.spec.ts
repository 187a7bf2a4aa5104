import { test } from '@japa/runner'
import router from '@adonisjs/core/services/router'
import { registerWebRoutes } from '#start/routes/web'
import { FORM, refezioneTenant } from '#tests/functional/forms/world'
import { baseUrl, goToStep, logIn, openBrowser, snap } from './portal.js'
import { transactionWithJobs } from '../helpers/world.js'

registerWebRoutes(router)

test.group('Portale cittadino: regole di ogni campo', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('a pasted right-to-left override and an impossible birth date are shown at their fields', async ({ client }) => {
    const { citizen, base, sample, tenant } = await refezioneTenant()
    const draft = await client.post(`${base}/forms/${FORM}/submissions`).json({ data: sample }).loginAs(citizen)
    draft.assertStatus(201)
    const { page, close } = await openBrowser()
    try {
      await logIn(page, citizen.email)
      await page.goto(`${baseUrl()}/#/t/${tenant.slug}/moduli/${FORM}?bozza=${draft.body().submission.id}`)
      // The child's step: an impossible birth date.
      await goToStep(page, 'Studente e domicilio')
      const birth = page.locator('#root_student_birth_date')
      await birth.fill('9999-12-31')
      await page.getByText('la data deve essere tra il').first().waitFor()
      await birth.scrollIntoViewIfNeeded()
      await snap(page, 'field-rules-date')
      // Back to the applicant's step: a pasted right-to-left override in the street.
      await goToStep(page, 'Chi presenta la domanda')
      const street = page.locator('#root_payer_residence_street')
      await street.waitFor()
      await street.fill('Via Roma \u202E21')
      await page.getByText('carattere non ammesso (U+202E').first().waitFor()
      await street.scrollIntoViewIfNeeded()
      await snap(page, 'field-rules-text')
    } finally {
      await close()
    }
  })
})
