import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import { randomBytes } from 'node:crypto'
import { access, readFile } from 'node:fs/promises'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import { jobQueue } from '#queue/queue_factory'
import { codiceFiscaleCheckChar } from '#forms/codice_fiscale'
import { findCurrentForm } from '#services/definitions/form_service'
import { DataCipher, currentDataCipher, setDataCipher } from '#services/infrastructure/data_cipher'
import { reencryptAll } from '#services/infrastructure/data_reencryption'
import { RequestContext } from '#services/infrastructure/request_context'
import { storagePath, storeUpload } from '#services/submissions/attachment_service'
import { cleanupTenantAttachments } from '#services/submissions/attachment_cleanup'
import { DOCUMENT_MAX_BYTES } from '#services/documents/document_service'
import { FORM, refezioneTenant } from '#tests/functional/forms/world'
import { makeTenant, makeUser, transactionWithJobs } from '#tests/helpers/world'

const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n')
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 7)])
const EXE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200, 1)])
const code = (first15: string) => `${first15}${codiceFiscaleCheckChar(first15)}`
const CHILD_CF = code('BNCLCU15A01G535')

async function world(client: ApiClient) {
  const w = await refezioneTenant()
  const admin = await makeUser(w.tenant, ['tenant_admin'])
  const child = await client
    .post(`${w.base}/people`)
    .json({ kind: 'child', first_name: 'Luca', last_name: 'Bianchi', fiscal_code: CHILD_CF })
    .loginAs(w.operator)
  child.assertStatus(201)
  const personId: number = child.body().person.id
  const upload = (
    fields: Record<string, string | number>,
    file: { bytes: Buffer; name: string } | null = { bytes: PDF, name: 'certificato.pdf' }
  ) => {
    const request = client.post(`${w.base}/documents`).loginAs(w.operator)
    for (const [name, value] of Object.entries({ person_id: personId, ...fields })) request.field(name, String(value))
    if (file) request.file('file', file.bytes, { filename: file.name })
    return request
  }
  return { ...w, admin, personId, upload }
}

test.group('Documents of a person: upload, read, delete', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('uploaded for a child, encrypted at rest, listed with its expiry, previewed and downloaded, every read audited', async ({
    client,
    assert,
  }) => {
    const { base, operator, tenant, personId, upload } = await world(client)
    const soon = DateTime.now().plus({ days: 10 }).toISODate()!
    const made = await upload(
      { type: 'identity', issued_on: '2020-01-10', expires_on: soon, notes: 'Carta rinnovata' },
      {
        bytes: PDF,
        name: 'Ștefan "CI".pdf',
      }
    )
    made.assertStatus(201)
    const document = made.body().document
    assert.include(document, { type: 'identity', validity: 'expiring', contentType: 'application/pdf' })
    assert.equal(document.notes, 'Carta rinnovata')

    // At rest: the row names nobody in clear, the file is ciphertext under the current key.
    const row = await db.from('documents').where('id', document.id).first()
    assert.notInclude(JSON.stringify(row), CHILD_CF)
    assert.notInclude(JSON.stringify(row), 'rinnovata')
    assert.isTrue(DataCipher.isEncrypted(row.notes))
    const attachment = await db.from('attachments').where('id', row.attachment_id).first()
    const stored = await readFile(storagePath(tenant.id, attachment.file_id))
    assert.isFalse(stored.includes(PDF.subarray(0, 8)))
    assert.equal(DataCipher.fileKeyId(stored), currentDataCipher().currentKeyId)

    const list = await client.get(`${base}/documents`).qs({ person_id: personId }).loginAs(operator)
    list.assertStatus(200)
    assert.deepEqual(
      list.body().documents.map((d: { id: number }) => d.id),
      [document.id]
    )
    assert.equal(list.body().subject.fiscalCode, CHILD_CF)

    const download = await client.get(`${base}/documents/${document.id}/file`).loginAs(operator)
    download.assertStatus(200)
    assert.isTrue(Buffer.from(download.body() as ArrayBuffer).equals(PDF))
    // RFC 6266 with an ASCII stand-in and the real name in RFC 5987 encoding.
    assert.equal(
      download.header('content-disposition'),
      `attachment; filename="Stefan _CI_.pdf"; filename*=UTF-8''%C8%98tefan%20_CI_.pdf`
    )
    assert.equal(download.header('x-content-type-options'), 'nosniff')
    const preview = await client.get(`${base}/documents/${document.id}/file`).qs({ inline: '1' }).loginAs(operator)
    assert.match(preview.header('content-disposition') ?? '', /^inline; /)

    const audit = await db.from('audit_logs').where('tenant_id', tenant.id).where('entity', 'documents')
    assert.sameMembers(
      audit.map((a) => a.action),
      ['create', 'read', 'download', 'preview']
    )
    assert.isTrue(audit.every((a) => a.actor_user_id === operator.id))
  })

  test('bounds: PDF, JPEG or PNG by content, 10 MB, dates and types checked, identity needs an expiry', async ({
    client,
    assert,
  }) => {
    const { upload, base, operator } = await world(client)
    const rule = async (request: ReturnType<typeof upload>, status: number) => {
      const answer = await request
      answer.assertStatus(status)
      return answer.body().errors[0] as { rule: string; path: string; message: string }
    }
    const disguised = await rule(upload({ type: 'l104' }, { bytes: EXE, name: 'certificato.pdf' }), 422)
    assert.deepInclude(disguised, { rule: 'document:fileType', path: '/file' })
    assert.include(disguised.message, 'PDF, un JPEG o un PNG')
    const big = Buffer.concat([PDF, Buffer.alloc(DOCUMENT_MAX_BYTES)])
    assert.equal((await rule(upload({ type: 'l104' }, { bytes: big, name: 'grande.pdf' }), 413)).rule, 'document:size')
    assert.equal(
      (await rule(upload({ type: 'l104' }, { bytes: Buffer.alloc(0), name: 'a.pdf' }), 422)).rule,
      'document:empty'
    )
    assert.equal((await rule(upload({ type: 'l104' }, null), 422)).rule, 'document:missing')
    assert.equal((await rule(upload({ type: 'passport' }), 422)).path, '/type')
    assert.equal((await rule(upload({ type: 'identity' }), 422)).rule, 'document:expiryRequired')
    assert.equal((await rule(upload({ type: 'l104', issued_on: '2024-02-30' }), 422)).path, '/issued_on')
    assert.equal(
      (await rule(upload({ type: 'l104', issued_on: '2024-02-10', expires_on: '2024-01-01' }), 422)).rule,
      'document:expiryBeforeIssue'
    )
    assert.equal((await rule(upload({ type: 'l104', colour: 'red' }), 422)).path, '/colour')
    const png = await upload({ type: 'medical_diet' }, { bytes: PNG, name: 'certificato.jpg' })
    png.assertStatus(201)
    assert.equal(png.body().document.contentType, 'image/png')
    assert.equal(png.body().document.validity, 'no_expiry')
    const none = await client.get(`${base}/documents`).loginAs(operator)
    none.assertStatus(422)
    assert.equal(none.body().errors[0].rule, 'document:subject')
  })

  test('only operators and tenant admins: not the kitchen, school staff or citizens; other tenants see nothing', async ({
    client,
    assert,
  }) => {
    const { base, tenant, admin, citizen, personId, upload } = await world(client)
    const made = await upload({ type: 'medical_diet' })
    made.assertStatus(201)
    const id = made.body().document.id
    ;(await client.get(`${base}/documents`).qs({ person_id: personId }).loginAs(admin)).assertStatus(200)
    const kitchen = await makeUser(tenant, ['kitchen'])
    const school = await makeUser(tenant, ['school_staff'])
    for (const user of [kitchen, school, citizen]) {
      ;(await client.get(`${base}/documents`).qs({ person_id: personId }).loginAs(user)).assertStatus(403)
      ;(await client.get(`${base}/documents/${id}/file`).loginAs(user)).assertStatus(403)
      ;(await client.delete(`${base}/documents/${id}`).json({ reason: 'prova' }).loginAs(user)).assertStatus(403)
      ;(await client.patch(`${base}/documents/${id}`).json({ notes: 'prova' }).loginAs(user)).assertStatus(403)
      const post = client.post(`${base}/documents`).loginAs(user).field('person_id', String(personId))
      ;(await post.field('type', 'other').file('file', PDF, { filename: 'a.pdf' })).assertStatus(403)
    }

    const other = await makeTenant()
    const stranger = await makeUser(other, ['operator'])
    const otherBase = `/api/v1/t/${other.slug}`
    ;(await client.get(`${otherBase}/documents/${id}/file`).loginAs(stranger)).assertStatus(404)
    ;(await client.patch(`${otherBase}/documents/${id}`).json({ notes: 'prova' }).loginAs(stranger)).assertStatus(404)
    ;(await client.delete(`${otherBase}/documents/${id}`).json({ reason: 'prova' }).loginAs(stranger)).assertStatus(404)
    ;(await client.get(`${otherBase}/documents`).qs({ person_id: personId }).loginAs(stranger)).assertStatus(404)
    // The same codice fiscale in another tenant finds none of this tenant's documents.
    const twin = await client
      .post(`${otherBase}/people`)
      .json({ kind: 'child', first_name: 'Luca', last_name: 'Bianchi', fiscal_code: CHILD_CF })
      .loginAs(stranger)
    const theirs = await client.get(`${otherBase}/documents`).qs({ person_id: twin.body().person.id }).loginAs(stranger)
    theirs.assertStatus(200)
    assert.deepEqual(theirs.body().documents, [])
    // Nor through the generic attachment route.
    const fileId = (
      await db
        .from('attachments')
        .where('id', (await db.from('documents').where('id', id).first()).attachment_id)
        .first()
    ).file_id
    ;(await client.get(`${otherBase}/attachments/${fileId}`).loginAs(stranger)).assertStatus(404)
  })

  test('deleted with a reason: the file goes, the reason is in the audit, readable by the tenant admin', async ({
    client,
    assert,
  }) => {
    const { base, operator, admin, tenant, upload } = await world(client)
    const made = await upload({ type: 'foster_care', notes: 'Decreto del tribunale' })
    const id = made.body().document.id
    const attachmentId = (await db.from('documents').where('id', id).first()).attachment_id
    const fileId = (await db.from('attachments').where('id', attachmentId).first()).file_id

    const silent = await client.delete(`${base}/documents/${id}`).json({}).loginAs(operator)
    silent.assertStatus(422)
    assert.equal(silent.body().errors[0].path, '/reason')
    ;(
      await client.delete(`${base}/documents/${id}`).json({ reason: 'Caricato per errore' }).loginAs(operator)
    ).assertStatus(204)
    assert.isNull(await db.from('documents').where('id', id).first())
    assert.isNull(await db.from('attachments').where('id', attachmentId).first())
    await assert.rejects(() => access(storagePath(tenant.id, fileId)))
    ;(await client.get(`${base}/documents/${id}/file`).loginAs(operator)).assertStatus(404)

    const stored = await db.from('audit_logs').where('entity', 'documents').where('action', 'delete').first()
    assert.notInclude(JSON.stringify(stored.before), 'per errore')
    assert.notInclude(JSON.stringify(stored.before), 'tribunale')
    const viewed = await client.get(`${base}/audit`).qs({ entity: 'documents', action: 'delete' }).loginAs(admin)
    viewed.assertStatus(200)
    assert.equal(viewed.body().entries[0].before.deletionReason, 'Caricato per errore')
    assert.equal(viewed.body().entries[0].actorUserId, operator.id)
  })

  test('an accepted application files its certificates among the child documents, found from the register', async ({
    client,
    assert,
  }) => {
    const { base, tenant, citizen, operator, sample } = await world(client)
    const uploadFor = (field: string, name: string) =>
      RequestContext.withTenant(tenant.ref, async () =>
        storeUpload({
          tenantId: tenant.id,
          userId: citizen.id,
          form: (await findCurrentForm(FORM))!.definition,
          field,
          fileName: name,
          bytes: PDF,
          lang: 'it',
        })
      )
    const dietForm = await uploadFor('/medical_diet_form', 'modulo_dieta.pdf')
    const certificate = await uploadFor('/medical_certificate', 'certificato_medico.pdf')
    const sent = await client
      .post(`${base}/forms/${FORM}/submit`)
      .json({
        data: {
          ...sample,
          special_diet: true,
          diet_type: 'medical',
          medical_diet_form: dietForm.reference,
          medical_certificate: certificate.reference,
        },
      })
      .loginAs(citizen)
    sent.assertStatus(201)
    const submissionId = sent.body().submission.id
    await jobQueue().drained()
    assert.equal(
      await db
        .from('documents')
        .where('tenant_id', tenant.id)
        .count('* as n')
        .first()
        .then((r) => Number(r.n)),
      0
    )
    ;(
      await client.post(`${base}/submissions/${submissionId}/status`).json({ status: 'accepted' }).loginAs(operator)
    ).assertStatus(200)

    const enrolment = await db.from('enrolments').where('tenant_id', tenant.id).first()
    const list = await client.get(`${base}/documents`).qs({ enrolment_id: enrolment.id }).loginAs(operator)
    list.assertStatus(200)
    const filed = list.body().documents as Array<{ type: string; fileName: string; submissionId: number }>
    assert.sameMembers(
      filed.map((d) => d.fileName),
      ['modulo_dieta.pdf', 'certificato_medico.pdf']
    )
    assert.isTrue(filed.every((d) => d.type === 'medical_diet' && d.submissionId === submissionId))
    const student = sample.student as { fiscal_code: string }
    assert.equal(list.body().subject.fiscalCode, student.fiscal_code.toUpperCase())
    // The identity document of the sample is the payer's (`document_of`): filed as theirs, not the child's.
    const payer = sample.payer as { fiscal_code: string; first_name: string; last_name: string }
    const parent = await client
      .post(`${base}/people`)
      .json({
        kind: 'parent',
        first_name: payer.first_name,
        last_name: payer.last_name,
        fiscal_code: payer.fiscal_code,
      })
      .loginAs(operator)
    const theirs = await client.get(`${base}/documents`).qs({ person_id: parent.body().person.id }).loginAs(operator)
    assert.deepEqual(
      theirs.body().documents.map((d: { type: string; fileName: string }) => [d.type, d.fileName]),
      [['identity', 'carta_identita.pdf']]
    )

    // The offices record the dates of a filed certificate afterwards (audited; the notes never in clear there).
    const certificateDoc = filed.find((d) => d.fileName === 'certificato_medico.pdf') as unknown as { id: number }
    const wrongDates = await client
      .patch(`${base}/documents/${certificateDoc.id}`)
      .json({ issued_on: '2026-09-01', expires_on: '2026-06-30' })
      .loginAs(operator)
    wrongDates.assertStatus(422)
    assert.equal(wrongDates.body().errors[0].rule, 'document:expiryBeforeIssue')
    const dated = await client
      .patch(`${base}/documents/${certificateDoc.id}`)
      .json({ issued_on: '2025-09-01', expires_on: '2026-06-30', notes: 'Celiachia' })
      .loginAs(operator)
    dated.assertStatus(200)
    assert.include(dated.body().document, { issuedOn: '2025-09-01', expiresOn: '2026-06-30', notes: 'Celiachia' })
    const change = await db
      .from('audit_logs')
      .where('entity', 'documents')
      .where('entity_id', String(certificateDoc.id))
      .where('action', 'update')
      .first()
    const after = typeof change.after === 'string' ? JSON.parse(change.after) : change.after
    assert.equal(after.expiresOn, '2026-06-30')
    assert.notInclude(JSON.stringify(change.after), 'Celiachia')

    // Deleting a filed document keeps the application's own file.
    const one = (await db.from('documents').where('tenant_id', tenant.id).where('type', 'medical_diet').first())!
    ;(await client.delete(`${base}/documents/${one.id}`).json({ reason: 'Doppione' }).loginAs(operator)).assertStatus(
      204
    )
    assert.isNotNull(await db.from('attachments').where('id', one.attachment_id).first())
  })

  test('retention per type: an expired identity document goes after a year, an L. 104 certification is kept; the offices’ files are not taken by the attachment cleanup', async ({
    client,
    assert,
  }) => {
    const { base, tenant, admin, upload } = await world(client)
    const longAgo = DateTime.now().minus({ days: 400 }).toISODate()!
    const identity = (await upload({ type: 'identity', expires_on: longAgo })).body().document.id
    const l104 = (await upload({ type: 'l104', expires_on: longAgo })).body().document.id
    const fresh = (await upload({ type: 'other' })).body().document.id

    const wrong = await client
      .patch(base)
      .header('accept-language', 'en')
      .json({ settings: { documents: { retention_days: { identity: 0 } } } })
      .loginAs(admin)
    wrong.assertStatus(422)
    assert.equal(wrong.body().errors[0].path, '/settings/documents/retention_days/identity')
    assert.include(wrong.body().errors[0].message, 'whole number of days')

    // Two months on: the attachment cleanup (30 days for unreferenced files) leaves document files alone.
    const report = await RequestContext.withTenant(tenant.ref, () =>
      cleanupTenantAttachments({ now: DateTime.now().plus({ days: 60 }) })
    )
    // Only the citizen's unused upload of the world goes, none of the offices' document files.
    assert.deepEqual(
      report.deleted.map((d) => d.form_key),
      [FORM]
    )
    assert.deepEqual(report.documents, { count: 1, by_type: { identity: 1 } })
    const left = (await db.from('documents').where('tenant_id', tenant.id)).map((d) => d.id)
    assert.sameMembers(left, [l104, fresh])
    assert.notInclude(left, identity)
    const files = await db.from('attachments').where('tenant_id', tenant.id).where('form_key', '_documents')
    assert.lengthOf(files, 2)
    const deletion = await db.from('audit_logs').where('entity', 'documents').where('entity_id', String(identity))
    assert.include(
      deletion.map((a) => a.action),
      'delete'
    )

    // A shorter period for L. 104 certifications, set by the tenant admin.
    ;(
      await client
        .patch(base)
        .json({ settings: { documents: { retention_days: { l104: 300 } } } })
        .loginAs(admin)
    ).assertStatus(200)
    await RequestContext.withTenant(tenant.ref, () => cleanupTenantAttachments())
    assert.deepEqual(
      (await db.from('documents').where('tenant_id', tenant.id)).map((d) => d.id),
      [fresh]
    )
  })
})

test.group('Documents of a person: key rotation', (group) => {
  let original: DataCipher
  const ringKeys = new Set<string>()
  group.each.setup(async () => {
    original = currentDataCipher()
    const rollback = await transactionWithJobs()
    return async () => {
      // Files are outside the transaction: back under the development key, then roll back.
      setDataCipher(new DataCipher(`${process.env.DATA_ENCRYPTION_KEYS!},${[...ringKeys].join(',')}`))
      await reencryptAll()
      ringKeys.clear()
      setDataCipher(original)
      await rollback()
    }
  })

  test('rotating the key re-encrypts the documents, their files and notes; they read back without the old key', async ({
    client,
    assert,
  }) => {
    const { base, operator, tenant, personId, upload } = await world(client)
    const made = await upload({ type: 'l104', issued_on: '2023-05-02', notes: 'Rivedibile nel 2027' })
    made.assertStatus(201)
    const id = made.body().document.id

    const spec = `docrot:${randomBytes(32).toString('base64')}`
    ringKeys.add(spec)
    setDataCipher(new DataCipher(`${spec},${process.env.DATA_ENCRYPTION_KEYS!}`))
    const report = await reencryptAll()
    assert.equal(report.failureCount, 0, JSON.stringify(report.failures))
    const row = await db.from('documents').where('id', id).first()
    assert.match(row.subject_fiscal_code, /^enc:v1:docrot:/)
    assert.match(row.notes, /^enc:v1:docrot:/)
    assert.match(row.subject_fiscal_code_hash, /^docrot:/)
    const attachment = await db.from('attachments').where('id', row.attachment_id).first()
    assert.equal(DataCipher.fileKeyId(await readFile(storagePath(tenant.id, attachment.file_id))), 'docrot')

    // The old key leaves the ring: the list (by the rotated hash), the notes and the file read back.
    setDataCipher(new DataCipher(spec))
    const list = await client.get(`${base}/documents`).qs({ person_id: personId }).loginAs(operator)
    list.assertStatus(200)
    assert.equal(list.body().documents[0].notes, 'Rivedibile nel 2027')
    const download = await client.get(`${base}/documents/${id}/file`).loginAs(operator)
    download.assertStatus(200)
    assert.isTrue(Buffer.from(download.body() as ArrayBuffer).equals(PDF))
  }).timeout(60_000)
})
