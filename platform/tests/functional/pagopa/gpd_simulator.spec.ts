import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { GpdSimulator } from '#integrations/pagopa/gpd_simulator'
import type { DebtPosition } from '#integrations/pagopa/gpd_types'
import { canteenPosition, gpdSimulator, KEY, ORG, readJson } from '#tests/helpers/pagopa'

function iso(at: DateTime) {
  return at.toISO({ includeOffset: false, suppressMilliseconds: true })!
}

test.group('GPD simulator: the rules of GPD', (group) => {
  let simulator: GpdSimulator
  let clock: DateTime
  group.each.setup(async () => {
    clock = DateTime.now().setZone('Europe/Rome')
    simulator = await gpdSimulator({ now: () => clock.toJSDate() })
    return () => simulator.close()
  })

  const api = (method: string, path: string, body?: unknown) =>
    fetch(`${simulator.urls.gpdUrl}/organizations/${ORG}/debtpositions${path}`, {
      method,
      headers: { 'Ocp-Apim-Subscription-Key': KEY, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
  const create = async (position: DebtPosition, toPublish = true) => {
    const answer = await api('POST', `?toPublish=${toPublish}`, position)
    return { status: answer.status, body: await readJson(answer) }
  }

  test('every malformed field is named in one 400 ProblemJson', async ({ assert }) => {
    const position = canteenPosition(1)
    const option = position.paymentOption[0]
    option.description = 'x'.repeat(141)
    option.transfer.push({ ...option.transfer[0], idTransfer: '1' })
    option.transfer[1].remittanceInformation = ''
    ;(position as { type: string }).type = 'X'
    const { status, body } = await create(position)
    assert.equal(status, 400)
    assert.equal(body.title, 'Bad Request')
    for (const expected of [
      'type must be F (natural person) or G (legal person)',
      'paymentOption[0].description is required (≤ 140 characters)',
      'paymentOption[0].transfer[1].idTransfer 1 repeated',
      'paymentOption[0].transfer[1].remittanceInformation is required',
      'paymentOption[0]: the transfers add up to 9040 cents, the option asks 4520',
    ]) {
      assert.include(body.detail, expected)
    }
  })

  test('transfers: 1 to 5, summing to the option; an iban or a stamp', async ({ assert }) => {
    const six = canteenPosition(2)
    six.paymentOption[0].transfer = ['1', '2', '3', '4', '5', '5'].map((id) => ({
      ...six.paymentOption[0].transfer[0],
      idTransfer: id,
      amount: 1,
    }))
    assert.include((await create(six)).body.detail, 'transfer must list 1 to 5 transfers')
    const split = canteenPosition(3)
    split.paymentOption[0].transfer = [
      { ...split.paymentOption[0].transfer[0], amount: 4000 },
      { ...split.paymentOption[0].transfer[0], idTransfer: '2', amount: 520, organizationFiscalCode: '80004020923' },
    ]
    assert.equal((await create(split)).status, 201)
    const noIban = canteenPosition(4)
    delete noIban.paymentOption[0].transfer[0].iban
    assert.include((await create(noIban)).body.detail, 'needs an iban')
    const fractional = canteenPosition(5, {}, 45.2)
    assert.include((await create(fractional)).body.detail, 'amount must be a whole number of cents')
  })

  test('dates: due date ≥ validity date ≥ now', async ({ assert }) => {
    const past = canteenPosition(6)
    past.paymentOption[0].dueDate = iso(clock.minus({ days: 1 }))
    assert.include((await create(past)).body.detail, 'dueDate must not be in the past')
    const oldValidity = canteenPosition(7, { validityDate: iso(clock.minus({ hours: 1 })) })
    assert.include((await create(oldValidity)).body.detail, 'validityDate must not be in the past')
    const dueBeforeValidity = canteenPosition(8, { validityDate: iso(clock.plus({ days: 40 })) })
    assert.include((await create(dueBeforeValidity)).body.detail, 'dueDate must not come before validityDate')
  })

  test('duplicates on iupd, iuv and nav are 409', async ({ assert }) => {
    assert.equal((await create(canteenPosition(9))).status, 201)
    const sameIupd = canteenPosition(10, { iupd: canteenPosition(9).iupd })
    assert.match((await create(sameIupd)).body.detail, /debt position .* already exists/)
    const sameIuv = canteenPosition(9, { iupd: 'altro-iupd' })
    const iuv = sameIuv.paymentOption[0].iuv
    assert.equal(
      (await create(sameIuv)).body.detail,
      `iuv ${iuv} is already used by debt position ${canteenPosition(9).iupd}`
    )
    // The NAV given explicitly (aux digit + IUV) is checked as well.
    const sameNav = canteenPosition(11, { iupd: 'terzo-iupd' })
    sameNav.paymentOption[0].nav = `3${iuv}`
    sameNav.paymentOption[0].iuv = iuv
    assert.equal((await create(sameNav)).status, 409)
    // Nothing half-written: the refused positions are not there.
    assert.equal((await api('GET', '/altro-iupd')).status, 404)
  })

  test('life cycle: PUBLISHED until the validity date, then VALID; EXPIRED after the due date with switchToExpired', async ({
    assert,
  }) => {
    const later = canteenPosition(12, { validityDate: iso(clock.plus({ days: 2 })), switchToExpired: true })
    later.paymentOption[0].dueDate = iso(clock.plus({ days: 10 }))
    assert.equal((await create(later)).body.status, 'PUBLISHED')
    // Not payable yet.
    assert.throws(() => simulator.store.pay(`3${later.paymentOption[0].iuv}`), /PUBLISHED: notice .* cannot be paid/)
    clock = clock.plus({ days: 3 })
    assert.equal((await readJson(await api('GET', `/${later.iupd}`))).status, 'VALID')
    clock = clock.plus({ days: 8 })
    assert.equal((await readJson(await api('GET', `/${later.iupd}`))).status, 'EXPIRED')
    assert.throws(() => simulator.store.pay(`3${later.paymentOption[0].iuv}`), /EXPIRED/)

    // Without switchToExpired a late position stays payable.
    clock = DateTime.now().setZone('Europe/Rome')
    const lenient = canteenPosition(13)
    await create(lenient)
    clock = clock.plus({ days: 60 })
    assert.equal(simulator.store.pay(`3${lenient.paymentOption[0].iuv}`).amount, 4520)
  })

  test('instalments: PARTIALLY_PAID after one, PAID after all; the single payment closes once instalments start', async ({
    assert,
  }) => {
    const base = canteenPosition(14, {}, 6000)
    const single = base.paymentOption[0]
    const instalment = (n: number, amount: number) => ({
      ...single,
      iuv: canteenPosition(14 + n).paymentOption[0].iuv,
      amount,
      isPartialPayment: true,
      transfer: [{ ...single.transfer[0], amount }],
    })
    base.paymentOption = [single, instalment(1, 3000), instalment(2, 3000)]
    assert.equal((await create(base)).status, 201)
    simulator.store.pay(`3${base.paymentOption[1].iuv}`)
    assert.equal((await readJson(await api('GET', `/${base.iupd}`))).status, 'PARTIALLY_PAID')
    assert.throws(() => simulator.store.pay(`3${single.iuv}`), /single payment is no longer available/)
    assert.equal((await api('PUT', `/${base.iupd}?toPublish=true`, base)).status, 409)
    assert.equal((await api('POST', `/${base.iupd}/invalidate`)).status, 409)
    assert.equal((await api('DELETE', `/${base.iupd}`)).status, 409)
    simulator.store.pay(`3${base.paymentOption[2].iuv}`)
    assert.equal((await readJson(await api('GET', `/${base.iupd}`))).status, 'PAID')
  })

  test('update goes back through DRAFT and publishes with toPublish; publish only from DRAFT', async ({ assert }) => {
    const position = canteenPosition(17)
    await create(position, false)
    const updated = await api('PUT', `/${position.iupd}`, canteenPosition(17, {}, 5000))
    assert.equal((await readJson(updated)).status, 'DRAFT')
    assert.equal((await readJson(await api('POST', `/${position.iupd}/publish`))).status, 'VALID')
    assert.equal((await api('POST', `/${position.iupd}/publish`)).status, 409)
    const republished = await api('PUT', `/${position.iupd}?toPublish=true`, canteenPosition(17, {}, 5100))
    const body = await readJson(republished)
    assert.equal(body.status, 'VALID')
    assert.equal(body.paymentOption[0].amount, 5100)
    const mismatch = await api('PUT', `/${position.iupd}`, canteenPosition(18))
    assert.equal(mismatch.status, 400)
  })

  test('the list pages and filters by status', async ({ assert }) => {
    for (let i = 20; i < 25; i++) await create(canteenPosition(i), i !== 24)
    const page = await readJson(await api('GET', '?limit=2&page=1&orderby=IUPD&ordering=ASC&status=VALID'))
    assert.deepEqual(page.page_info, { page: 1, limit: 2, items_found: 2, total_pages: 2 })
    assert.deepEqual(
      page.payment_position_list.map((p: { iupd: string }) => p.iupd),
      [canteenPosition(22).iupd, canteenPosition(23).iupd]
    )
    assert.equal((await api('GET', '?limit=51')).status, 400)
  })

  test('concurrent creations of one position: exactly one 201, the others 409, one row', async ({ assert }) => {
    const position = canteenPosition(30)
    const answers = await Promise.all(Array.from({ length: 12 }, () => create(position)))
    assert.equal(answers.filter((a) => a.status === 201).length, 1)
    assert.equal(answers.filter((a) => a.status === 409).length, 11)
    const list = await readJson(await api('GET', '?limit=50'))
    assert.lengthOf(list.payment_position_list, 1)
  })

  test('concurrent payments of one notice: one receipt', async ({ assert }) => {
    const position = canteenPosition(31)
    await create(position)
    const nav = `3${position.paymentOption[0].iuv}`
    const answers = await Promise.all(
      Array.from({ length: 8 }, () =>
        fetch(`${simulator.url}/pay/${nav}`, {
          method: 'POST',
          body: new URLSearchParams({ org: ORG }),
          redirect: 'manual',
        })
      )
    )
    assert.equal(answers.filter((a) => a.status === 303).length, 1)
    assert.equal(answers.filter((a) => a.status === 409).length, 7)
    assert.equal(simulator.store.receipts(ORG, { page: 0, size: 10 }).results.length, 1)
  })

  test('an unknown notice on the checkout is a page that says so, in the chosen language', async ({ assert }) => {
    const answer = await fetch(`${simulator.url}/pay/301000000000099999?lang=en`)
    assert.equal(answer.status, 404)
    assert.include(await answer.text(), 'No notice with this code')
  })
})

test.group('GPD simulator: state on disk', () => {
  test('positions and payments survive a restart, and two simulators on one file see one state', async ({
    assert,
    cleanup,
  }) => {
    const dir = await mkdtemp(join(tmpdir(), 'gpd-sim-'))
    cleanup(() => rm(dir, { recursive: true, force: true }))
    const first = await gpdSimulator({ dataDir: dir })
    const second = await gpdSimulator({ dataDir: dir })
    cleanup(async () => {
      await first.close()
      await second.close()
    })
    const position = canteenPosition(40)
    const post = (sim: GpdSimulator) =>
      fetch(`${sim.urls.gpdUrl}/organizations/${ORG}/debtpositions?toPublish=true`, {
        method: 'POST',
        headers: { 'Ocp-Apim-Subscription-Key': KEY, 'content-type': 'application/json' },
        body: JSON.stringify(position),
      })
    const [a, b] = await Promise.all([post(first), post(second)])
    assert.sameMembers([a.status, b.status], [201, 409])
    second.store.pay(`3${position.paymentOption[0].iuv}`)
    await first.close()
    const restarted = await gpdSimulator({ dataDir: dir })
    cleanup(() => restarted.close())
    const view = restarted.store.get(ORG, position.iupd)
    assert.equal(view.status, 'PAID')
  })
})
