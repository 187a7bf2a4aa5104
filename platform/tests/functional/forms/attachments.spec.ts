import { test } from '@japa/runner'
import { createHash } from 'node:crypto'
import { FORM, refezioneTenant } from './world.js'
import { transactionWithJobs } from '../../helpers/world.js'

const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n')
const EXE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200, 1)])
const FIELD = '/disability_104_certificate'

test.group('Attachments', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('the type comes from the content: a PDF named .png is a PDF, a program named .pdf is refused', async ({
    client,
    assert,
  }) => {
    const { citizen, base } = await refezioneTenant()
    const ok = await client
      .post(`${base}/forms/${FORM}/attachments`)
      .qs({ field: FIELD })
      .file('file', PDF, { filename: 'certificato.png' })
      .loginAs(citizen)
    ok.assertStatus(201)
    assert.equal(ok.body().attachment.content_type, 'application/pdf')
    assert.equal(ok.body().attachment.sha256, createHash('sha256').update(PDF).digest('hex'))
    assert.equal(ok.body().attachment.size_bytes, PDF.length)

    const disguised = await client
      .post(`${base}/forms/${FORM}/attachments`)
      .qs({ field: FIELD })
      .file('file', EXE, { filename: 'certificato.pdf' })
      .loginAs(citizen)
    disguised.assertStatus(422)
    assert.equal(disguised.body().errors[0].rule, 'attachment:type')
    assert.equal(disguised.body().errors[0].path, FIELD)
    // The citizen reads kinds of file in words, never MIME types.
    assert.include(disguised.body().errors[0].message, 'PDF, JPEG o PNG')
    assert.notInclude(disguised.body().errors[0].message, '/')
    const english = await client
      .post(`${base}/forms/${FORM}/attachments`)
      .qs({ field: FIELD })
      .header('accept-language', 'en')
      .file('file', EXE, { filename: 'certificato.pdf' })
      .loginAs(citizen)
    assert.include(english.body().errors[0].message, 'PDF, JPEG or PNG')
    assert.notInclude(english.body().errors[0].message, 'application/')
  })

  test('too large, empty, missing or for a field without attachments: refused with a clear message', async ({
    client,
    assert,
  }) => {
    const { citizen, base } = await refezioneTenant()
    const big = Buffer.concat([PDF, Buffer.alloc(5 * 1024 * 1024)])
    const tooBig = await client
      .post(`${base}/forms/${FORM}/attachments`)
      .qs({ field: FIELD })
      .file('file', big, { filename: 'grande.pdf' })
      .loginAs(citizen)
    tooBig.assertStatus(413)
    assert.include(tooBig.body().errors[0].message, '5 MB')

    const wrongField = await client
      .post(`${base}/forms/${FORM}/attachments`)
      .qs({ field: '/payer' })
      .file('file', PDF, { filename: 'a.pdf' })
      .loginAs(citizen)
    wrongField.assertStatus(422)
    assert.equal(wrongField.body().errors[0].rule, 'attachment:field')

    const none = await client.post(`${base}/forms/${FORM}/attachments`).qs({ field: FIELD }).loginAs(citizen)
    none.assertStatus(422)
  })

  test('a submission accepts only files uploaded for it, links them, and only entitled people download them', async ({
    client,
    assert,
  }) => {
    const { citizen, otherCitizen, operator, base, sample } = await refezioneTenant()
    const upload = await client
      .post(`${base}/forms/${FORM}/attachments`)
      .qs({ field: FIELD })
      .file('file', PDF, { filename: 'certificato.pdf' })
      .loginAs(citizen)
    const reference = upload.body().attachment

    const forged = await client
      .post(`${base}/forms/${FORM}/submit`)
      .json({ data: { ...sample, disability_104: true, [FIELD.slice(1)]: { ...reference, sha256: 'f'.repeat(64) } } })
      .loginAs(citizen)
    forged.assertStatus(422)
    assert.deepEqual(
      forged.body().errors.map((e: { rule: string }) => e.rule),
      ['attachment:unknown']
    )

    const foreign = await client
      .post(`${base}/forms/${FORM}/submit`)
      .json({ data: { ...sample, disability_104: true, [FIELD.slice(1)]: reference } })
      .loginAs(otherCitizen)
    foreign.assertStatus(422)

    const accepted = await client
      .post(`${base}/forms/${FORM}/submit`)
      .json({ data: { ...sample, disability_104: true, [FIELD.slice(1)]: reference } })
      .loginAs(citizen)
    accepted.assertStatus(201)

    const url = `${base}/attachments/${reference.file_id}`
    const mine = await client.get(url).loginAs(citizen)
    mine.assertStatus(200)
    assert.equal(mine.header('content-type'), 'application/pdf')
    ;(await client.get(url).loginAs(operator)).assertStatus(200)
    ;(await client.get(url).loginAs(otherCitizen)).assertStatus(404)
  })
})
