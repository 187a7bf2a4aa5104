import { test } from '@japa/runner'
import { FORM, refezioneTenant } from '../forms/world.js'
import { transactionWithJobs } from '../../helpers/world.js'

const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n')
const FIELD = '/disability_104_certificate'

test.group('No request takes the process down', (group) => {
  group.each.setup(() => transactionWithJobs())

  for (const name of ['Ștefan_CI.pdf', 'документ.pdf', 'a"b\\c;%0D%0A.pdf']) {
    test(`a file named ${JSON.stringify(name)} downloads with an RFC 6266 name, and /health answers after`, async ({
      client,
      assert,
    }) => {
      const { citizen, operator, base } = await refezioneTenant()
      const upload = await client
        .post(`${base}/forms/${FORM}/attachments`)
        .qs({ field: FIELD })
        .file('file', PDF, { filename: name })
        .loginAs(citizen)
      upload.assertStatus(201)
      const fileId = upload.body().attachment.file_id
      for (const reader of [citizen, operator]) {
        const download = await client.get(`${base}/attachments/${fileId}`).loginAs(reader)
        download.assertStatus(200)
        const disposition = download.header('content-disposition') ?? ''
        assert.match(disposition, /^attachment; filename="[\x20-\x7e]+"; filename\*=UTF-8''[A-Za-z0-9%._~!-]+$/)
        const encoded = /filename\*=UTF-8''(.+)$/.exec(disposition)![1]
        // The stored name (unsafe characters replaced at upload) comes back intact in filename*.
        assert.equal(decodeURIComponent(encoded), upload.body().attachment.file_name)
      }
      const health = await client.get('/health')
      health.assertStatus(200)
    })
  }

  test('an upload whose body ends half-way through the file is a 400, and the next upload works', async ({
    client,
    assert,
  }) => {
    const { citizen, base } = await refezioneTenant()
    const boundary = 'sportello-cut'
    const head = `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="a.pdf"\r\ncontent-type: application/pdf\r\n\r\n`
    // The file's bytes start and the body stops: no closing boundary.
    const cut = await client
      .post(`${base}/forms/${FORM}/attachments`)
      .qs({ field: FIELD })
      .loginAs(citizen)
      .unsafeJson(head + PDF.toString('latin1').slice(0, 20))
      .type(`multipart/form-data; boundary=${boundary}`)
    cut.assertStatus(400)
    assert.equal(
      cut.body().errors[0].message,
      'Il caricamento si è interrotto o non è leggibile: allegare di nuovo il file.'
    )
    ;(await client.get('/health')).assertStatus(200)
    const whole = await client
      .post(`${base}/forms/${FORM}/attachments`)
      .qs({ field: FIELD })
      .file('file', PDF, { filename: 'a.pdf' })
      .loginAs(citizen)
    whole.assertStatus(201)
    assert.equal(whole.body().attachment.size_bytes, PDF.length)
  })
})
