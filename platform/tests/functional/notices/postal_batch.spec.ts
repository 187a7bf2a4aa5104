import { test } from '@japa/runner'
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import yauzl from 'yauzl'
import { PostChannel } from '#integrations/post/postal_batch'
import { postalRoot } from '#integrations/notices/notice_channels'
import env from '#start/env'
import { renderPaymentNotice } from '#integrations/pagopa/payment_notice_pdf'
import type { NoticeMessage } from '#integrations/notices/notice_channel'
import { NoticeRefusedError } from '#integrations/notices/notice_channel'

async function zipEntries(path: string): Promise<string[]> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true }, (error, file) => (error ? reject(error) : resolve(file!)))
  )
  const names: string[] = []
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      names.push(entry.fileName)
      zip.readEntry()
    })
    zip.on('end', resolve)
    zip.on('error', reject)
    zip.readEntry()
  })
  return names
}

async function letter(key: string, name: string, registered = false): Promise<NoticeMessage> {
  const pdf = await renderPaymentNotice({
    subject: 'Refezione scolastica marzo 2026',
    creditor: { name: 'Comune di Piacenza', fiscalCode: '00229080338' },
    debtor: { fiscalCode: 'RSSMRA85T10A562S', fullName: name },
    single: { nav: '301000000000000144', amountCents: 4520, dueDate: '2026-04-30' },
  })
  return {
    idempotencyKey: key,
    recipient: {
      name,
      address: { lines: ['Via Roma 1', 'presso Bianchi'], postalCode: '29121', city: 'Piacenza', province: 'PC' },
    },
    subject: 'Avviso di pagamento',
    text: 'Avviso',
    attachments: [{ filename: 'avviso.pdf', content: pdf, contentType: 'application/pdf' }],
    registered,
  }
}

test.group('Post: the mass-mailing batch', () => {
  test('each letter is a PDF in the day’s batch; closing writes the manifest and the zip', async ({
    assert,
    cleanup,
  }) => {
    const root = await mkdtemp(join(tmpdir(), 'posta-'))
    cleanup(() => rm(root, { recursive: true, force: true }))
    const channel = new PostChannel(root, () => '2026-04-01')
    const first = await channel.send(await letter('sollecito:iupd-1:post', 'Mario Rossi', true))
    assert.deepEqual(first, { status: 'sent', providerId: '2026-04-01/sollecito_iupd-1_post.pdf' })
    await channel.send(await letter('sollecito:iupd-2:post', 'Anna "Nina" Bianchi; D’Angelo'))
    // Sent again (a retry): the same envelope, not a second one.
    await channel.send(await letter('sollecito:iupd-1:post', 'Mario Rossi', true))

    const { manifest, zip, count } = await channel.batch('2026-04-01').close({ zip: true })
    assert.equal(count, 2)
    const csv = await readFile(manifest, 'utf8')
    const rows = csv
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n')
    assert.equal(
      rows[0],
      'progressivo;riferimento;destinatario;indirizzo;cap;comune;provincia;nazione;documento;pagine;raccomandata'
    )
    assert.equal(
      rows[1],
      '1;sollecito:iupd-1:post;Mario Rossi;Via Roma 1, presso Bianchi;29121;Piacenza;PC;IT;sollecito_iupd-1_post.pdf;1;S'
    )
    assert.equal(
      rows[2],
      '2;sollecito:iupd-2:post;"Anna ""Nina"" Bianchi; D’Angelo";Via Roma 1, presso Bianchi;29121;Piacenza;PC;IT;sollecito_iupd-2_post.pdf;1;N'
    )
    assert.sameMembers(await zipEntries(zip!), [
      'manifest.csv',
      'sollecito_iupd-1_post.pdf',
      'sollecito_iupd-2_post.pdf',
    ])
    assert.notInclude(await readdir(join(root, '2026-04-01')), 'sollecito_iupd-1_post.pdf.part')
  })

  test('no address is undeliverable; an address without postcode or a missing PDF is refused', async ({
    assert,
    cleanup,
  }) => {
    const root = await mkdtemp(join(tmpdir(), 'posta-'))
    cleanup(() => rm(root, { recursive: true, force: true }))
    const channel = new PostChannel(root)
    const base = await letter('k', 'Mario Rossi')
    assert.equal((await channel.send({ ...base, recipient: { name: 'X' } })).status, 'undeliverable')
    const noCap = await channel
      .send({ ...base, recipient: { name: 'X', address: { lines: ['Via Roma 1'], postalCode: '', city: 'Piacenza' } } })
      .catch((e) => e)
    assert.instanceOf(noCap, NoticeRefusedError)
    assert.equal(noCap.field, 'recipient.address')
    const noPdf = await channel.send({ ...base, attachments: [] }).catch((e) => e)
    assert.equal(noPdf.field, 'attachments')
  })
})

test.group('Post: where the batches are kept', () => {
  test("a tenant's batches are in the file store every process shares (STORAGE_PATH)", async ({ assert, cleanup }) => {
    const previous = env.get('STORAGE_PATH')
    cleanup(() => env.set('STORAGE_PATH', previous))
    env.set('STORAGE_PATH', '/var/lib/sportello/storage')
    assert.equal(postalRoot({ id: 7 }), '/var/lib/sportello/storage/postal/7')
  })
})
