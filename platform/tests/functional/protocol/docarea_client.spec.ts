import { test } from '@japa/runner'
import { createServer } from 'node:http'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DateTime } from 'luxon'
import testUtils from '@adonisjs/core/services/test_utils'
import db from '@adonisjs/lucid/services/db'
import { RequestContext } from '#services/infrastructure/request_context'
import { DocareaError, DocareaProtocol, DocareaUnavailableError } from '#integrations/docarea/docarea_client'
import { DOCAREA_ERRORS, DocareaSimulator } from '#integrations/docarea/docarea_simulator'
import { parseSegnatura } from '#integrations/docarea/segnatura'
import type { ProtocolRequest } from '#integrations/protocol'
import { makeTenant } from '#tests/helpers/world'

const USER = { codEnte: 'C_G535', username: 'sportello', password: 'segreta-di-prova' }

function request(key: string, overrides: Partial<ProtocolRequest> = {}): ProtocolRequest {
  return {
    idempotencyKey: key,
    direction: 'E',
    subject: `Domanda di iscrizione ${key}`,
    correspondent: { firstName: 'Maria', lastName: "D'Angelo & Figli", fiscalCode: 'DNGMRA80A41G535X' },
    document: {
      fileName: 'domanda.pdf',
      content: Buffer.from(`%PDF-1.4 ${key}\n%%EOF\n`),
      mimeType: 'application/pdf',
    },
    ...overrides,
  }
}

function client(
  simulator: DocareaSimulator,
  overrides: Partial<ConstructorParameters<typeof DocareaProtocol>[0]> = {}
) {
  return new DocareaProtocol({
    url: simulator.url,
    codEnte: USER.codEnte,
    username: USER.username,
    password: () => USER.password,
    timeoutMs: 5000,
    ...overrides,
  })
}

test.group('DOCAREA client against the SOAP simulator', (group) => {
  let simulator: DocareaSimulator
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  group.each.setup(async () => {
    simulator = await new DocareaSimulator({ users: [USER] }).start()
    return () => simulator.close()
  })

  for (const attachments of ['swa', 'mtom'] as const) {
    test(`login, inserimento and protocollazione register a document (${attachments})`, async ({ assert }) => {
      const tenant = await makeTenant()
      const docarea = client(simulator, { attachments })
      const registration = await RequestContext.withTenant(tenant.ref, () => docarea.register(request('a-1')))

      const today = DateTime.now().setZone('Europe/Rome')
      assert.equal(registration.year, today.year)
      assert.equal(registration.number, 1)
      assert.equal(registration.date, today.toISODate())
      assert.equal(registration.label, `${today.year}/0000001`)
      assert.deepEqual(
        simulator.calls.map((c) => c.operation),
        ['login', 'inserimento', 'protocollazione']
      )
      // The file and the segnatura travelled as MIME parts, packaged as configured.
      assert.deepEqual(
        simulator.calls.slice(1).map((c) => c.packaging),
        [attachments, attachments]
      )
      const [stored] = simulator.documents()
      assert.equal(stored.docId, registration.docId)
      assert.equal(stored.fileName, 'domanda.pdf')
      assert.equal(stored.mimeType, 'application/pdf')
      assert.equal(stored.size, Buffer.byteLength('%PDF-1.4 a-1\n%%EOF\n'))
      assert.equal(stored.registration?.subject, 'Domanda di iscrizione a-1')

      const second = await RequestContext.withTenant(tenant.ref, () => docarea.register(request('a-2')))
      assert.equal(second.number, 2)
      // The token is kept: one login for both registrations.
      assert.equal(simulator.calls.filter((c) => c.operation === 'login').length, 1)
    })
  }

  test('registering the same key again answers from the local record, without calling DOCAREA', async ({ assert }) => {
    const tenant = await makeTenant()
    const docarea = client(simulator)
    const first = await RequestContext.withTenant(tenant.ref, () => docarea.register(request('same')))
    const callsAfterFirst = simulator.calls.length
    const again = await RequestContext.withTenant(tenant.ref, () => docarea.register(request('same')))
    const concurrent = await RequestContext.withTenant(tenant.ref, () =>
      Promise.all([docarea.register(request('twice')), docarea.register(request('twice'))])
    )
    assert.deepEqual(again, first)
    assert.deepEqual(concurrent[0], concurrent[1])
    assert.equal(
      simulator.calls.length,
      callsAfterFirst + 2,
      'only "twice" was sent, once: inserimento + protocollazione'
    )
    const rows = await db.from('protocol_entries').where('tenant_id', tenant.id).orderBy('number')
    assert.deepEqual(
      rows.map((r) => [r.idempotency_key, r.number]),
      [
        ['same', 1],
        ['twice', 2],
      ]
    )
    const audit = await db.from('audit_logs').where({ tenant_id: tenant.id, action: 'protocol.register' })
    assert.lengthOf(audit, 2)
  })

  test('an expired token is replaced by one new login', async ({ assert }) => {
    const tenant = await makeTenant()
    const docarea = client(simulator)
    await RequestContext.withTenant(tenant.ref, () => docarea.register(request('t-1')))
    simulator.expireTokens()
    const registration = await RequestContext.withTenant(tenant.ref, () => docarea.register(request('t-2')))
    assert.equal(registration.number, 2)
    assert.deepEqual(
      simulator.calls.map((c) => c.operation),
      ['login', 'inserimento', 'protocollazione', 'inserimento', 'login', 'inserimento', 'protocollazione']
    )
  })

  test('a refusal carries DOCAREA error number and text', async ({ assert }) => {
    const tenant = await makeTenant()
    const docarea = client(simulator, { password: () => 'sbagliata' })
    const error = await RequestContext.withTenant(tenant.ref, () => docarea.register(request('r-1'))).catch((e) => e)
    assert.instanceOf(error, DocareaError)
    assert.equal(error.operation, 'login')
    assert.equal(error.errNumber, DOCAREA_ERRORS.credentials.number)
    assert.equal(error.errString, DOCAREA_ERRORS.credentials.text)
    assert.include(error.message, String(DOCAREA_ERRORS.credentials.number))
    const rows = await db.from('protocol_entries').where('tenant_id', tenant.id)
    assert.lengthOf(rows, 0)
  })

  test('a malformed segnatura is refused and takes no number', async ({ assert }) => {
    const docarea = client(simulator)
    const docId = await docarea.inserimento(request('m-1').document)
    const malformed = await docarea
      .protocollazione('<Segnatura><Intestazione><Oggetto>x</Intestazione>')
      .catch((e) => e)
    assert.instanceOf(malformed, DocareaError)
    assert.equal(malformed.errNumber, DOCAREA_ERRORS.segnatura.number)
    assert.include(malformed.errString, 'well-formed')
    const incomplete = await docarea
      .protocollazione(
        `<Segnatura><Intestazione><Oggetto>x</Oggetto><Identificatore><CodiceAmministrazione>${USER.codEnte}</CodiceAmministrazione><Flusso>E</Flusso></Identificatore></Intestazione><Descrizione><Documento id="${docId}"/></Descrizione></Segnatura>`
      )
      .catch((e) => e)
    assert.instanceOf(incomplete, DocareaError)
    assert.equal(incomplete.errNumber, DOCAREA_ERRORS.segnatura.number)
    assert.include(incomplete.errString, 'Mittente')
    const unknownDoc = await docarea
      .protocollazione(
        `<Segnatura><Intestazione><Oggetto>x</Oggetto><Identificatore><CodiceAmministrazione>${USER.codEnte}</CodiceAmministrazione><Flusso>E</Flusso></Identificatore><Mittente><Persona><Cognome>Rossi</Cognome></Persona></Mittente></Intestazione><Descrizione><Documento id="${docId + 100}"/></Descrizione></Segnatura>`
      )
      .catch((e) => e)
    assert.equal(unknownDoc.errNumber, DOCAREA_ERRORS.document.number)
    // Refusals leave no gap: the next good registration is number 1.
    const tenant = await makeTenant()
    const registration = await RequestContext.withTenant(tenant.ref, () => docarea.register(request('m-2')))
    assert.equal(registration.number, 1)
  })

  test('the segnatura the simulator receives keeps apostrophes and ampersands', async ({ assert }) => {
    const tenant = await makeTenant()
    const docarea = client(simulator)
    const subject = `Domanda <urgente> "nidi" & refezione dell'anno`
    await RequestContext.withTenant(tenant.ref, () => docarea.register(request('x-1', { subject })))
    const [stored] = simulator.documents()
    assert.equal(stored.registration?.subject, subject)
    assert.equal(stored.registration?.direction, 'E')
  })

  test('numbers start again from 1 in a new year, per ente', async ({ assert }) => {
    await simulator.close()
    let now = DateTime.fromISO('2026-12-31T23:50:00', { zone: 'Europe/Rome' })
    simulator = await new DocareaSimulator({
      users: [USER, { codEnte: 'ALTRO', username: 'u', password: 'p' }],
      now: () => now,
    }).start()
    const tenant = await makeTenant()
    const other = await makeTenant()
    const docarea = client(simulator)
    const otherClient = client(simulator, { codEnte: 'ALTRO', username: 'u', password: () => 'p' })
    const a = await RequestContext.withTenant(tenant.ref, () => docarea.register(request('y-1')))
    const b = await RequestContext.withTenant(other.ref, () => otherClient.register(request('y-1')))
    now = DateTime.fromISO('2027-01-01T00:10:00', { zone: 'Europe/Rome' })
    const c = await RequestContext.withTenant(tenant.ref, () => docarea.register(request('y-2')))
    assert.deepEqual([a.label, a.date], ['2026/0000001', '2026-12-31'])
    assert.deepEqual([b.label, b.date], ['2026/0000001', '2026-12-31'])
    assert.deepEqual([c.label, c.date], ['2027/0000001', '2027-01-01'])
  })

  test('with a data folder the register survives a restart, and can continue an earlier register', async ({
    assert,
  }) => {
    const dataDir = join(tmpdir(), `docarea-${process.pid}-${Date.now()}`)
    try {
      await simulator.close()
      simulator = await new DocareaSimulator({ users: [USER], dataDir }).start()
      const tenant = await makeTenant()
      const first = await RequestContext.withTenant(tenant.ref, () => client(simulator).register(request('p-1')))
      await simulator.close()
      simulator = await new DocareaSimulator({ users: [USER], dataDir, continueFrom: () => 0 }).start()
      const second = await RequestContext.withTenant(tenant.ref, () => client(simulator).register(request('p-2')))
      assert.equal(second.number, first.number + 1)
      assert.isAbove(second.docId, first.docId)
      await simulator.close()
      simulator = await new DocareaSimulator({ users: [USER], dataDir, continueFrom: () => 41 }).start()
      const third = await RequestContext.withTenant(tenant.ref, () => client(simulator).register(request('p-3')))
      assert.equal(third.number, 42)
    } finally {
      await rm(dataDir, { recursive: true, force: true })
    }
  })

  test('a network failure is a retryable error, and nothing is recorded', async ({ assert }) => {
    // A port that was just free and is now closed: the connection is refused.
    const probe = createServer()
    probe.listen(0, '127.0.0.1')
    await once(probe, 'listening')
    const { port } = probe.address() as AddressInfo
    await new Promise((resolve) => probe.close(resolve))
    const tenant = await makeTenant()
    const docarea = client(simulator, { url: `http://127.0.0.1:${port}/JProtocolloDocArea/services/DOCAREAProtoSoap` })
    const error = await RequestContext.withTenant(tenant.ref, () => docarea.register(request('n-1'))).catch((e) => e)
    assert.instanceOf(error, DocareaUnavailableError)
    assert.isTrue(error.retryable)
    assert.equal(error.message.split(':')[0], 'DOCAREA login')
    assert.lengthOf(await db.from('protocol_entries').where('tenant_id', tenant.id), 0)
  })

  test('a server answering HTTP 500 without SOAP is a retryable error', async ({ assert }) => {
    const broken = createServer((_req, res) => {
      res.statusCode = 500
      res.end('<html>Service Unavailable</html>')
    })
    broken.listen(0, '127.0.0.1')
    await once(broken, 'listening')
    const { port } = broken.address() as AddressInfo
    try {
      const docarea = client(simulator, { url: `http://127.0.0.1:${port}/x` })
      const error = await docarea.login().catch((e) => e)
      assert.instanceOf(error, DocareaUnavailableError)
    } finally {
      broken.close()
    }
  })

  test('the segnatura sent names the document inserimento returned', async ({ assert }) => {
    const docarea = client(simulator)
    const docId = await docarea.inserimento(request('s-1').document)
    const { buildSegnatura } = await import('#integrations/docarea/segnatura')
    const xml = buildSegnatura({
      subject: 'Lettera',
      direction: 'U',
      codEnte: USER.codEnte,
      correspondent: { firstName: 'Anna', lastName: 'Bianchi', fiscalCode: null },
      document: { id: docId, fileName: 'lettera.pdf' },
    })
    assert.equal(parseSegnatura(xml).document.id, docId)
    const result = await docarea.protocollazione(xml)
    assert.equal(result.lngNumPG, 1)
    assert.match(result.strDataPG, /^\d{2}\/\d{2}\/\d{4}$/)
    const again = await docarea.protocollazione(xml).catch((e) => e)
    assert.equal(again.errNumber, DOCAREA_ERRORS.alreadyRegistered.number)
  })
})
