import { test } from '@japa/runner'
import router from '@adonisjs/core/services/router'
import { registerWebRoutes } from '#start/routes/web'
import { jobQueue } from '#queue/queue_factory'
import { codiceFiscaleCheckChar } from '#forms/codice_fiscale'
import { FORM, forChild, refezioneTenant } from '#tests/functional/forms/world'
import { LAPTOP, logInStaff, openBrowser, seriousViolations, snap, TABLET } from './portal.js'
import { transactionWithJobs } from '../helpers/world.js'

registerWebRoutes(router)

const code = (first15: string) => `${first15}${codiceFiscaleCheckChar(first15)}`

test.group('Back office: the register of people', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('a parent and a child added, linked, the sibling seen with the canteen it attends', async ({
    assert,
    client,
  }) => {
    const { citizen, operator, base, sample } = await refezioneTenant()
    // A brother already attends the canteen, and is in the register with his parent.
    const brother = forChild(sample, 5).student as { fiscal_code: string }
    const sent = await client
      .post(`${base}/forms/${FORM}/submit`)
      .json({ data: forChild(sample, 5) })
      .loginAs(citizen)
    await jobQueue().drained()
    ;(
      await client
        .post(`${base}/submissions/${sent.body().submission.id}/status`)
        .json({ status: 'accepted' })
        .loginAs(operator)
    ).assertStatus(200)
    const anna = code('BNCNNA80A41G535')
    const parent = (
      await client
        .post(`${base}/people`)
        .json({ kind: 'parent', first_name: 'Anna', last_name: 'Bianchi', fiscal_code: anna })
        .loginAs(operator)
    ).body().person
    const sibling = (
      await client
        .post(`${base}/people`)
        .json({ kind: 'child', first_name: 'Marco', last_name: 'Bianchi', fiscal_code: brother.fiscal_code })
        .loginAs(operator)
    ).body().person
    await client.post(`${base}/people/${sibling.id}/parents`).json({ parent_id: parent.id }).loginAs(operator)

    const { page, close } = await openBrowser()
    try {
      await page.setViewportSize(LAPTOP)
      await logInStaff(page, operator.email)
      await page.getByRole('navigation', { name: 'Menu principale' }).getByRole('link', { name: 'Anagrafica' }).click()
      await page.getByRole('heading', { name: 'Anagrafica: genitori e figli', level: 1 }).waitFor()
      await page.getByTestId('people-table').waitFor()
      assert.deepEqual(await seriousViolations(page), [], 'people: axe violations')
      await snap(page, 'backoffice-people-laptop')

      // A wrong codice fiscale is said at its field.
      const adding = page.getByTestId('people-new')
      await adding.getByLabel('Nome', { exact: true }).fill('Luca')
      await adding.getByLabel('Cognome', { exact: true }).fill('Bianchi')
      await adding.getByLabel('Codice fiscale', { exact: true }).fill('BNCLCU18A01G535X')
      await adding.getByRole('button', { name: 'Inserisci' }).click()
      await adding.getByText('Scrivi un codice fiscale di 16 caratteri valido').waitFor()
      assert.deepEqual(await seriousViolations(page), [], 'people, error: axe violations')
      await adding.getByLabel('Codice fiscale', { exact: true }).fill(code('BNCLCU18A01G535').toLowerCase())
      await adding.getByLabel('Data di nascita').fill('2018-01-01')
      await adding.getByRole('button', { name: 'Inserisci' }).click()
      await page.getByRole('heading', { name: 'Luca Bianchi', level: 1 }).waitFor()

      // His mother, found by codice fiscale and linked: his brother appears, with the canteen.
      await page.getByLabel('Codice fiscale del genitore').fill(anna)
      await page.getByRole('button', { name: 'Cerca' }).click()
      await page.getByRole('button', { name: 'Collega Anna Bianchi come genitore' }).click()
      const siblings = page.getByTestId('person-siblings-list')
      await siblings.getByText('Marco Bianchi').waitFor()
      assert.include(await siblings.textContent(), 'Refezione')
      // Linked: she is not offered again.
      await page.getByRole('button', { name: 'Collega Anna Bianchi come genitore' }).waitFor({ state: 'detached' })
      assert.deepEqual(await seriousViolations(page), [], 'person: axe violations')
      await snap(page, 'backoffice-person-laptop')
      await page.setViewportSize(TABLET)
      await snap(page, 'backoffice-person-tablet')
      await page.setViewportSize(LAPTOP)

      // Changed, then not deleted while linked to his mother.
      await page.getByLabel('Nome', { exact: true }).fill('Luca Maria')
      await page.getByRole('button', { name: 'Salva' }).click()
      await page.getByTestId('person-saved').waitFor()
      await page.getByRole('heading', { name: 'Luca Maria Bianchi', level: 1 }).waitFor()
      await page.getByRole('button', { name: 'Elimina la persona' }).click()
      await page
        .getByTestId('person-delete-error')
        .getByText(/genitori o figli/)
        .waitFor()
      await page.getByRole('button', { name: 'Scollega Anna Bianchi' }).click()
      await page.getByText('Nessun fratello o sorella registrato.').waitFor()
      await page.getByRole('button', { name: 'Elimina la persona' }).click()
      await page.getByRole('heading', { name: 'Anagrafica: genitori e figli', level: 1 }).waitFor()
      assert.equal(await page.getByRole('link', { name: /Luca Maria/ }).count(), 0)
    } finally {
      await close()
    }
  })
})
