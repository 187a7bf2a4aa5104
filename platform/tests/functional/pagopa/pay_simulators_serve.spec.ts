import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import { spawn } from 'node:child_process'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { GPD_PATH } from '#integrations/pagopa/pagopa_paths'
import { DEMO_PAY, useDemoPay } from '#integrations/pay_demo'
import Tenant from '#models/tenant'
import { RequestContext } from '#services/infrastructure/request_context'
import { freePort, PLATFORM_ROOT } from '#tests/helpers/processes'
import { makeTenant } from '#tests/helpers/world'

const KEYS = { PAGOPA_KEY_PIACENZA: 'gpd-key-of-this-test', SMS_KEY_PIACENZA: 'sms-key', IO_KEY_PIACENZA: 'io-key' }

test.group('The demo simulators as a process of their own (simulators:serve)', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('pagoPA, the SMS gateway and App IO answer on the ports given, with the keys of the environment', async ({
    assert,
    cleanup,
  }) => {
    const dir = await mkdtemp(join(tmpdir(), 'sportello-pay-sim-'))
    cleanup(() => rm(dir, { recursive: true, force: true }))
    const [gpd, sms, io] = [await freePort(), await freePort(), await freePort()]
    const child = spawn(
      process.execPath,
      ['ace.js', 'simulators:serve', `--gpd-port=${gpd}`, `--sms-port=${sms}`, `--io-port=${io}`, `--pay-dir=${dir}`],
      { cwd: PLATFORM_ROOT, env: { ...process.env, ...KEYS }, stdio: ['ignore', 'pipe', 'pipe'] }
    )
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    cleanup(() => {
      if (child.exitCode === null) child.kill('SIGKILL')
    })
    const started = Date.now()
    while (!output.includes('App IO simulator on')) {
      assert.isNull(child.exitCode, output)
      assert.isBelow(Date.now() - started, 60_000, output)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }

    const positions = `http://127.0.0.1:${gpd}${GPD_PATH}/organizations/${DEMO_PAY.pagopa.fiscalCode}/debtpositions`
    const withKey = await fetch(positions, { headers: { 'Ocp-Apim-Subscription-Key': KEYS.PAGOPA_KEY_PIACENZA } })
    assert.equal(withKey.status, 200, await withKey.clone().text())
    const wrongKey = await fetch(positions, { headers: { 'Ocp-Apim-Subscription-Key': 'another' } })
    assert.equal(wrongKey.status, 401)
    const smsList = await fetch(`http://127.0.0.1:${sms}/v1/messages`, {
      headers: { authorization: `Bearer ${KEYS.SMS_KEY_PIACENZA}` },
    })
    assert.equal(smsList.status, 200)
    assert.equal((await fetch(`http://127.0.0.1:${sms}/v1/messages`)).status, 401)
    const ioMessages = await fetch(`http://127.0.0.1:${io}/sim/messages`)
    assert.deepEqual(await ioMessages.json(), { messages: [] })
    // Their state lives under the folder given.
    assert.includeMembers(await readdir(dir), ['pagopa'])

    child.kill('SIGTERM')
    assert.equal(await exited, 0, output)
  }).timeout(90_000)

  test('the seeder points the demo tenant at the host the simulators run on, and leaves written blocks alone', async ({
    assert,
  }) => {
    await RequestContext.asSystem('test', async () => {
      // The demo tenant, as a fresh database has it before the seeder points it anywhere.
      const tenant = (await Tenant.findBy('slug', DEMO_PAY.tenant)) ?? (await makeTenant({ slug: DEMO_PAY.tenant }))
      tenant.settings = {}
      await tenant.save()
      const demo = tenant
      await useDemoPay(tenant, { gpd: 2590, sms: 2591, io: 2592 }, 'simulators')
      const pointed = await Tenant.findOrFail(demo.id)
      assert.equal((pointed.settings.pagopa as { baseUrl: string }).baseUrl, 'http://simulators:2590')
      const notices = pointed.settings.notices as { sms: { url: string }; io: { url: string } }
      assert.equal(notices.sms.url, 'http://simulators:2591')
      assert.equal(notices.io.url, 'http://simulators:2592')

      // A second seeding on another host changes nothing that is written.
      await useDemoPay(pointed, { gpd: 2590, sms: 2591, io: 2592 })
      const again = await Tenant.findOrFail(demo.id)
      assert.equal((again.settings.pagopa as { baseUrl: string }).baseUrl, 'http://simulators:2590')
    })
  })
})
