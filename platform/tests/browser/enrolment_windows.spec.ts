import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import router from '@adonisjs/core/services/router'
import { DateTime } from 'luxon'
import { registerWebRoutes } from '#start/routes/web'
import Tenant from '#models/tenant'
import { pluginService } from '#services/tenants/plugin_service'
import { RequestContext } from '#services/infrastructure/request_context'
import { FORM, refezioneTenant } from '#tests/functional/forms/world'
import { makeUser } from '#tests/helpers/world'
import { baseUrl, openBrowser, seriousViolations, snap, logIn } from './portal.js'

// The portal must be reachable whatever start/routes.ts mounts; the call is idempotent.
registerWebRoutes(router)

const TRASPORTO = 'trasporto.iscrizione'

function romeDay(offset: number) {
  return DateTime.now().setZone('Europe/Rome').plus({ days: offset }).toISODate()!
}
const italian = (isoDay: string) => DateTime.fromISO(isoDay).toFormat('dd/MM/yyyy')

test.group('Portale cittadino: periodi di iscrizione', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('an open service is a link, a closed one says when it closed and its form cannot be sent', async ({
    assert,
  }) => {
    const { tenant, citizen } = await refezioneTenant()
    await pluginService.enable(tenant, 'trasporto')
    const closes = romeDay(-1)
    await RequestContext.asSystem('test', async () => {
      const row = await Tenant.findOrFail(tenant.id)
      row.settings = {
        ...row.settings,
        enrolment: {
          [FORM]: { opens: romeDay(-10), closes: romeDay(10) },
          [TRASPORTO]: { opens: romeDay(-60), closes },
        },
      }
      await row.save()
    })

    const { page, close } = await openBrowser()
    try {
      await logIn(page, citizen.email)
      const refezione = page.getByTestId(`service-${FORM}`)
      const trasporto = page.getByTestId(`service-${TRASPORTO}`)
      await trasporto.waitFor()

      await refezione.getByRole('link', { name: /Compila la domanda/ }).waitFor()
      assert.include(await refezione.textContent(), `Iscrizioni aperte fino al ${italian(romeDay(10))}`)

      assert.equal(await trasporto.getByRole('link').count(), 0, 'a closed service is not a link')
      assert.equal(
        (await trasporto.getByTestId('enrolment-window').textContent())?.trim(),
        `Iscrizioni chiuse il ${italian(closes)}`
      )
      assert.deepEqual(await seriousViolations(page), [], 'services page with a closed call: axe violations')
      await snap(page, 'windows-01-home')

      // Reached by its address anyway, the closed form shows the notice instead of fields and buttons.
      await page.goto(`${baseUrl()}/#/t/${tenant.slug}/moduli/${TRASPORTO}`)
      const notice = page.getByTestId('enrolment-closed')
      await notice.waitFor()
      assert.include(await notice.textContent(), 'Iscrizioni chiuse')
      assert.include(await notice.textContent(), `Iscrizioni chiuse il ${italian(closes)}`)
      assert.equal(await page.getByRole('button', { name: 'Invia' }).count(), 0)
      assert.equal(await page.getByRole('button', { name: 'Salva bozza' }).count(), 0)
      assert.deepEqual(await seriousViolations(page), [], 'closed form page: axe violations')
      await snap(page, 'windows-02-closed-form')
    } finally {
      await close()
    }
  })

  test('an administrator changing one form’s window leaves the other forms’ windows as they were', async ({
    assert,
    client,
  }) => {
    const { tenant, citizen } = await refezioneTenant()
    await pluginService.enable(tenant, 'trasporto')
    await pluginService.enable(tenant, 'nidi')
    const admin = await makeUser(tenant, ['tenant_admin'])
    const NIDI = 'nidi.iscrizione'
    const nidiClosed = romeDay(-2)
    const trasportoCloses = romeDay(12)
    await RequestContext.asSystem('test', async () => {
      const row = await Tenant.findOrFail(tenant.id)
      row.settings = {
        ...row.settings,
        enrolment: {
          [FORM]: { opens: romeDay(-10), closes: romeDay(10) },
          [TRASPORTO]: { opens: romeDay(-10), closes: trasportoCloses },
          [NIDI]: { opens: romeDay(-40), closes: nidiClosed },
        },
      }
      await row.save()
    })
    // The canteen's call is extended: the request names that form's closing day only.
    const patched = await client
      .patch(`/api/v1/t/${tenant.slug}`)
      .json({ settings: { enrolment: { [FORM]: { closes: romeDay(30) } } } })
      .loginAs(admin)
    patched.assertStatus(200)

    const { page, close } = await openBrowser()
    try {
      await logIn(page, citizen.email)
      const card = (key: string) => page.getByTestId(`service-${key}`)
      await card(NIDI).waitFor()
      assert.equal(
        (await card(FORM).getByTestId('enrolment-window').textContent())?.trim(),
        `Iscrizioni aperte fino al ${italian(romeDay(30))}`
      )
      assert.equal(
        (await card(TRASPORTO).getByTestId('enrolment-window').textContent())?.trim(),
        `Iscrizioni aperte fino al ${italian(trasportoCloses)}`
      )
      // The nursery call stays closed: it was not named.
      assert.equal(
        (await card(NIDI).getByTestId('enrolment-window').textContent())?.trim(),
        `Iscrizioni chiuse il ${italian(nidiClosed)}`
      )
      assert.equal(await card(NIDI).getByRole('link').count(), 0)
      await snap(page, 'windows-03-after-patch')
    } finally {
      await close()
    }
  })
})
