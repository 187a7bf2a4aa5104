import { test } from '@japa/runner'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DocareaProtocol } from '#integrations/docarea/docarea_client'
import { DocareaSimulator } from '#integrations/docarea/docarea_simulator'
import { buildSegnatura } from '#integrations/docarea/segnatura'

const USER = { codEnte: 'C_G535', username: 'sportello', password: 'segreta-di-prova' }
const REGISTRATIONS = 200
const CLIENTS = 12

test.group('DOCAREA simulator under concurrency', () => {
  test('hundreds of concurrent registrations: every one answered, numbers unique and gap-free, none lost', async ({
    assert,
  }) => {
    // With a data folder, as the demo runs it: the register is written on every request.
    const dataDir = join(tmpdir(), `docarea-load-${process.pid}-${Date.now()}`)
    let simulator = await new DocareaSimulator({ users: [USER], dataDir }).start()
    try {
      // Several clients (each with its own token and connections) hammering at once.
      const clients = Array.from(
        { length: CLIENTS },
        () =>
          new DocareaProtocol({
            url: simulator.url,
            codEnte: USER.codEnte,
            username: USER.username,
            password: () => USER.password,
            timeoutMs: 30_000,
          })
      )
      const outcomes = await Promise.allSettled(
        Array.from({ length: REGISTRATIONS }, async (_, i) => {
          const docarea = clients[i % CLIENTS]
          const docId = await docarea.inserimento({
            fileName: `domanda-${i}.pdf`,
            content: Buffer.from(`%PDF-1.4 domanda ${i}\n%%EOF\n`),
            mimeType: 'application/pdf',
          })
          const result = await docarea.protocollazione(
            buildSegnatura({
              subject: `Domanda n. ${i}`,
              direction: 'E',
              codEnte: USER.codEnte,
              correspondent: { firstName: 'Anna', lastName: `Bianchi ${i}`, fiscalCode: null },
              document: { id: docId, fileName: `domanda-${i}.pdf` },
            })
          )
          return { i, docId, number: result.lngNumPG }
        })
      )
      const failed = outcomes.filter((o) => o.status === 'rejected') as PromiseRejectedResult[]
      assert.deepEqual(
        failed.map((f) => String(f.reason?.message ?? f.reason)),
        [],
        'no registration fails'
      )
      const results = (outcomes as Array<PromiseFulfilledResult<{ i: number; docId: number; number: number }>>).map(
        (o) => o.value
      )
      const numbers = results.map((r) => r.number).sort((a, b) => a - b)
      assert.deepEqual(
        numbers,
        Array.from({ length: REGISTRATIONS }, (_, k) => k + 1),
        'numbers 1..N, each once'
      )
      assert.equal(new Set(results.map((r) => r.docId)).size, REGISTRATIONS, 'one document per request')

      // Nothing lost: after a restart the register holds every document with the number it answered.
      await simulator.close()
      simulator = await new DocareaSimulator({ users: [USER], dataDir }).start()
      const stored = new Map(simulator.documents().map((d) => [d.docId, d]))
      assert.equal(stored.size, REGISTRATIONS)
      for (const r of results) {
        assert.equal(stored.get(r.docId)?.registration?.number, r.number, `document ${r.docId}`)
        assert.equal(stored.get(r.docId)?.registration?.subject, `Domanda n. ${r.i}`)
      }
    } finally {
      await simulator.close()
      await rm(dataDir, { recursive: true, force: true })
    }
  }).timeout(60_000)
})
