import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import { createHash, randomBytes } from 'node:crypto'
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import db from '@adonisjs/lucid/services/db'
import { jobQueue } from '#queue/queue_factory'
import Attachment from '#models/attachment'
import Enrolment from '#models/enrolment'
import User, { FiscalCodeTakenError } from '#models/user'
import { ENCRYPTED_COLUMNS } from '#models/data_at_rest'
import { DataCipher, currentDataCipher, setDataCipher } from '#services/infrastructure/data_cipher'
import { RequestContext } from '#services/infrastructure/request_context'
import { storagePath } from '#services/submissions/attachment_service'
import { reencryptAll, type ReencryptionProgress } from '#services/infrastructure/data_reencryption'
import { convertPersonalData } from '#database/migrations/0009_encrypt_personal_data'
import { FORM, refezioneTenant } from '#tests/functional/forms/world'
import { makeTenant, makeUser, transactionWithJobs } from '#tests/helpers/world'

const CHILD_CF = 'STTSGT90A01H501J'
const PARENT_CF = 'RSSMRA85T10A562S'

type World = Awaited<ReturnType<typeof refezioneTenant>>

/** The refezione sample with an ISEE and a medical diet (special categories beside the identifiers). */
function withIseeAndDiet(sample: Record<string, unknown>) {
  return {
    ...sample,
    household_residence: 'piacenza',
    has_siblings: false,
    family_card: false,
    isee_choice: 'declared',
    isee_value: 5000,
    inps_protocol: 'INPS-ISEE-2026-00987654B-01',
    special_diet: true,
    diet_type: 'medical',
    medical_diet_form: sample.identity_document,
    medical_certificate: sample.identity_document,
  }
}

async function sent(client: ApiClient, world: World, data: Record<string, unknown>) {
  const response = await client.post(`${world.base}/forms/${FORM}/submit`).json({ data }).loginAs(world.citizen)
  response.assertStatus(201)
  await jobQueue().drained()
  return response.body().submission.id as number
}

async function moved(client: ApiClient, world: World, id: number, status: string, reason?: string) {
  const response = await client
    .post(`${world.base}/submissions/${id}/status`)
    .json({ status, ...(reason ? { reason } : {}) })
    .loginAs(world.operator)
  response.assertStatus(200)
}

/** A tenant where a named citizen's child is enrolled, a second application was refused with a reason. */
async function populated(client: ApiClient) {
  const world = await refezioneTenant()
  await RequestContext.asSystem('test', async () => {
    const citizen = await User.findOrFail(world.citizen.id)
    citizen.fullName = 'Mario Rossi'
    citizen.fiscalCode = PARENT_CF
    await citizen.save()
  })
  // The refused application comes first: once one is accepted, the same child cannot apply again.
  const refused = await sent(client, world, withIseeAndDiet(world.sample))
  await moved(client, world, refused, 'rejected', 'Il documento di Giulia Rossi è illeggibile')
  const accepted = await sent(client, world, withIseeAndDiet(world.sample))
  await moved(client, world, accepted, 'accepted')
  const admin = await makeUser(world.tenant, ['tenant_admin'])
  return { ...world, admin, accepted, refused }
}

/** Raw rows of the registry's columns for a tenant, as stored. */
async function storedValues(tenantId: number) {
  const out: Array<{ where: string; value: unknown }> = []
  for (const spec of ENCRYPTED_COLUMNS) {
    const query = db.from(spec.table).select(spec.column, ...(spec.blindIndex ? [spec.blindIndex.column] : []))
    if (spec.table === 'users') {
      query.whereIn('id', db.from('memberships').select('user_id').where('tenant_id', tenantId))
    } else query.where('tenant_id', tenantId)
    for (const row of await query) {
      out.push({ where: `${spec.table}.${spec.column}`, value: row[spec.column] })
      if (spec.blindIndex)
        out.push({ where: `${spec.table}.${spec.blindIndex.column}`, value: row[spec.blindIndex.column] })
    }
  }
  return out
}

/** What the staff and the family read through the API: everything that is decrypted on the way out. */
async function readBack(client: ApiClient, world: Awaited<ReturnType<typeof populated>>) {
  const enrolments = await client.get(`${world.base}/enrolments`).loginAs(world.operator)
  enrolments.assertStatus(200)
  const eid = enrolments.body().enrolments[0].id
  const enrolment = await client.get(`${world.base}/enrolments/${eid}`).loginAs(world.operator)
  enrolment.assertStatus(200)
  const refused = await client.get(`${world.base}/submissions/${world.refused}`).loginAs(world.citizen)
  refused.assertStatus(200)
  const file = (world.sample.identity_document as { file_id: string }).file_id
  const download = await client.get(`${world.base}/attachments/${file}`).loginAs(world.citizen)
  download.assertStatus(200)
  const me = await client.get('/api/v1/auth/me').loginAs(world.citizen)
  const audit = await client.get(`${world.base}/audit?entity=enrolments`).loginAs(world.admin)
  audit.assertStatus(200)
  const created = audit.body().entries.find((e: { action: string }) => e.action === 'create')
  const { createdAt: _c, updatedAt: _u, ...enrolmentBody } = enrolment.body().enrolment
  return {
    enrolment: enrolmentBody,
    refused: { reason: refused.body().submission.statusReason, history: refused.body().submission.history },
    file: Buffer.from(download.body() as ArrayBuffer).toString('base64'),
    fullName: me.body().user.fullName,
    audit: { child: created.after.childFiscalCode, name: created.after.childFirstName, isee: created.after.isee },
  }
}

const newKey = () => randomBytes(32).toString('base64')
const devRing = () => process.env.DATA_ENCRYPTION_KEYS!

test.group('Data at rest: personal identifiers', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('names, codici fiscali, birth dates, reasons, file names and the correspondent are stored encrypted', async ({
    client,
    assert,
  }) => {
    const world = await populated(client)
    const values = await storedValues(world.tenant.id)
    const clearTexts = ['Giulia', 'Rossi', CHILD_CF, PARENT_CF, '2017-03-04', 'illeggibile', 'carta_identita']
    for (const { where, value } of values) {
      if (value === null) continue
      for (const clear of clearTexts) assert.notInclude(String(value), clear, where)
      if (where.endsWith('_hash')) assert.match(String(value), /^dev1:[A-Za-z0-9_-]{43}$/, where)
      else assert.isTrue(DataCipher.isEncrypted(value), `${where}: ${String(value).slice(0, 20)}`)
    }
    const covered = new Set(values.filter((v) => v.value !== null).map((v) => v.where))
    for (const column of [
      'users.full_name',
      'users.fiscal_code',
      'users.fiscal_code_hash',
      'enrolments.child_first_name',
      'enrolments.child_last_name',
      'enrolments.child_fiscal_code',
      'enrolments.child_fiscal_code_hash',
      'enrolments.child_birth_date',
      'submissions.status_reason',
      'submission_events.reason',
      'attachments.file_name',
      'protocol_entries.correspondent',
    ]) {
      assert.isTrue(covered.has(column), `${column} was written by the scenario`)
    }

    // Read back in clear by those allowed to.
    const read = await readBack(client, world)
    assert.deepInclude(read.enrolment.child, { firstName: 'Giulia', fiscalCode: CHILD_CF, birthDate: '2017-03-04' })
    assert.equal(read.refused.reason, 'Il documento di Giulia Rossi è illeggibile')
    assert.equal(read.refused.history.at(-1).reason, 'Il documento di Giulia Rossi è illeggibile')
    assert.equal(read.fullName, 'Mario Rossi')
  })

  test('the audit log keeps identifiers encrypted (special categories as "[cifrato]"); tenant admins read them', async ({
    client,
    assert,
  }) => {
    const world = await populated(client)
    const enrolment = await RequestContext.withTenant(world.tenant.ref, () => Enrolment.query().firstOrFail())
    const raw = await db
      .from('audit_logs')
      .where({ entity: 'enrolments', entity_id: String(enrolment.id), action: 'create' })
      .firstOrFail()
    const after = typeof raw.after === 'string' ? JSON.parse(raw.after) : raw.after
    for (const key of ['childFirstName', 'childLastName', 'childFiscalCode', 'childBirthDate']) {
      assert.isTrue(DataCipher.isEncrypted(after[key]), key)
    }
    assert.equal(currentDataCipher().decrypt(after.childFiscalCode), CHILD_CF, 'an auditor with the key reads it')
    assert.notInclude(JSON.stringify(after), CHILD_CF)
    // The diet is in the service's details, which are kept as a special category.
    for (const key of ['isee', 'details', 'tariffFacts', 'tariffTrace']) assert.equal(after[key], '[cifrato]', key)
    assert.notProperty(after, 'childFiscalCodeHash')

    const user = await db
      .from('audit_logs')
      .where({ entity: 'users', entity_id: String(world.citizen.id) })
      .orderBy('id', 'desc')
      .firstOrFail()
    const userAfter = typeof user.after === 'string' ? JSON.parse(user.after) : user.after
    assert.isTrue(DataCipher.isEncrypted(userAfter.fiscalCode))
    assert.isTrue(DataCipher.isEncrypted(userAfter.fullName))

    const audit = await client.get(`${world.base}/audit?entity=enrolments`).loginAs(world.admin)
    audit.assertStatus(200)
    const created = audit.body().entries.find((e: { action: string; entityId: string }) => e.action === 'create')
    assert.equal(created.after.childFiscalCode, CHILD_CF)
    assert.equal(created.after.childFirstName, 'Giulia')
    assert.equal(created.after.isee, '[cifrato]')
    // Still only tenant admins.
    ;(await client.get(`${world.base}/audit`).loginAs(world.operator)).assertStatus(403)
  })

  test('files are encrypted on disk and downloaded as uploaded, with their length and SHA-256', async ({
    client,
    assert,
  }) => {
    const world = await refezioneTenant()
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n% Carta di identità di Mario Rossi\n'), randomBytes(4096)])
    const upload = await client
      .post(`${world.base}/forms/${FORM}/attachments?field=/identity_document`)
      .file('file', pdf, { filename: 'carta_mario_rossi.pdf' })
      .loginAs(world.citizen)
    upload.assertStatus(201)
    const reference = upload.body().attachment
    assert.equal(reference.sha256, createHash('sha256').update(pdf).digest('hex'))
    assert.equal(reference.size_bytes, pdf.length)
    assert.equal(reference.file_name, 'carta_mario_rossi.pdf')

    const onDisk = await readFile(storagePath(world.tenant.id, reference.file_id))
    assert.isTrue(DataCipher.isEncryptedFile(onDisk))
    assert.equal(onDisk.indexOf('Mario Rossi'), -1)
    assert.equal(onDisk.indexOf(pdf.subarray(100, 200)), -1)

    const download = await client.get(`${world.base}/attachments/${reference.file_id}`).loginAs(world.citizen)
    download.assertStatus(200)
    assert.equal(download.header('content-length'), String(pdf.length))
    assert.isTrue(Buffer.from(download.body() as ArrayBuffer).equals(pdf))
  })

  test('an upload leaves no copy in clear on disk, accepted, refused or too large', async ({ client, assert }) => {
    const world = await refezioneTenant()
    const marker = `Carta di identita ${randomBytes(12).toString('hex')}`
    const before = new Set(await readdir(tmpdir()))
    const upload = (bytes: Buffer, filename: string) =>
      client
        .post(`${world.base}/forms/${FORM}/attachments?field=/identity_document`)
        .file('file', bytes, { filename })
        .loginAs(world.citizen)
    const pdf = Buffer.concat([Buffer.from(`%PDF-1.4\n% ${marker}\n`), randomBytes(2048)])
    const accepted = await upload(pdf, 'carta.pdf')
    accepted.assertStatus(201)
    ;(await upload(Buffer.from(`MZ ${marker}`), 'carta.exe')).assertStatus(422)
    const tooLarge = Buffer.alloc(21 * 1024 * 1024, 0x20)
    tooLarge.write(marker)
    ;(await upload(tooLarge, 'grande.pdf')).assertStatus(413)

    // The framework's own processing streamed each file to a new file in the temporary directory.
    const leftInClear: string[] = []
    for (const name of await readdir(tmpdir())) {
      if (before.has(name)) continue
      const path = join(tmpdir(), name)
      const info = await stat(path).catch(() => null)
      if (!info?.isFile() || info.size > 32 * 1024 * 1024) continue
      if ((await readFile(path).catch(() => Buffer.alloc(0))).includes(marker)) leftInClear.push(path)
    }
    assert.deepEqual(leftInClear, [])
    // The one copy kept is the stored, encrypted one, and it reads back whole.
    const stored = await readFile(storagePath(world.tenant.id, accepted.body().attachment.file_id))
    assert.isTrue(DataCipher.isEncryptedFile(stored))
    assert.equal(stored.indexOf(marker), -1)
    const download = await client
      .get(`${world.base}/attachments/${accepted.body().attachment.file_id}`)
      .loginAs(world.citizen)
    assert.isTrue(Buffer.from(download.body() as ArrayBuffer).equals(pdf))
  })

  test('a file stored in clear before encryption stays readable', async ({ client, assert }) => {
    const world = await refezioneTenant()
    const legacy = await legacyPlainFile(world)
    const download = await client.get(`${world.base}/attachments/${legacy.fileId}`).loginAs(world.citizen)
    download.assertStatus(200)
    assert.isTrue(Buffer.from(download.body() as ArrayBuffer).equals(legacy.bytes))
  })

  test('users are found by codice fiscale through its blind index, and one code belongs to one user', async ({
    assert,
  }) => {
    const tenant = await makeTenant()
    const [first, second] = [await makeUser(tenant, ['citizen']), await makeUser(tenant, ['citizen'])]
    await RequestContext.asSystem('test', async () => {
      const user = await User.findOrFail(first.id)
      user.fiscalCode = ' rssmra85t10a562s '
      await user.save()
      assert.equal((await User.findOrFail(first.id)).fiscalCode, PARENT_CF)
      assert.equal((await User.findByFiscalCode(PARENT_CF))?.id, first.id)
      assert.equal((await User.findByFiscalCode('rssmra85t10a562s'))?.id, first.id)
      assert.isNull(await User.findByFiscalCode('BNCLRA80A41G535X'))

      const other = await User.findOrFail(second.id)
      other.fiscalCode = PARENT_CF
      await assert.rejects(() => other.save(), FiscalCodeTakenError as never)
    })
  })
})

/** A row and a file written as before encryption: the file's bytes in clear. */
async function legacyPlainFile(world: World) {
  const bytes = Buffer.from('%PDF-1.4\n% certificato salvato prima della cifratura\n%%EOF\n')
  const fileId = `legacy-${randomBytes(8).toString('hex')}`
  const path = storagePath(world.tenant.id, fileId)
  await mkdir(dirname(path), { recursive: true })
  await writeFile(path, bytes)
  await RequestContext.withTenant(world.tenant.ref, () =>
    Attachment.create({
      fileId,
      uploadedByUserId: world.citizen.id,
      formKey: FORM,
      fieldPath: '/identity_document',
      submissionId: null,
      fileName: 'certificato.pdf',
      contentType: 'application/pdf',
      sizeBytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    })
  )
  return { fileId, bytes, path }
}

test.group('Data at rest: key rotation', (group) => {
  let original: DataCipher
  group.each.setup(async () => {
    original = currentDataCipher()
    const rollback = await transactionWithJobs()
    return async () => {
      // Files are outside the transaction: put them back under the development key, then roll back.
      const back = new DataCipher(`${devRing()},${[...ringKeys].join(',')}`)
      setDataCipher(back)
      await reencryptAll()
      ringKeys.clear()
      setDataCipher(original)
      await rollback()
    }
  })
  const ringKeys = new Set<string>()
  const rotateTo = (id: string, keepOld = true) => {
    const spec = `${id}:${newKey()}`
    ringKeys.add(spec)
    setDataCipher(new DataCipher(keepOld ? `${spec},${devRing()}` : spec))
    return spec
  }

  test('rotation rewrites every column, index, audit value and file under the new key; all reads back without the old one', async ({
    client,
    assert,
  }) => {
    const world = await populated(client)
    const legacy = await legacyPlainFile(world)
    const before = await readBack(client, world)

    const spec = rotateTo('rot')
    const progress: ReencryptionProgress[] = []
    const report = await reencryptAll({ batchSize: 2, onProgress: (p) => void progress.push(p) })
    assert.isFalse(report.interrupted)
    assert.equal(report.failureCount, 0, JSON.stringify(report.failures))
    assert.equal(report.keyId, 'rot')
    // Progress: per stage, done grows to the total, with a rate.
    for (const stage of new Set(progress.map((p) => p.stage))) {
      const steps = progress.filter((p) => p.stage === stage)
      assert.equal(steps.at(-1)!.done, steps.at(-1)!.total, stage)
      assert.isTrue(
        steps.every((p, i) => i === 0 || p.done > steps[i - 1].done),
        stage
      )
      assert.isTrue(steps.every((p) => p.perSecond >= 0))
    }
    assert.isAbove(progress.filter((p) => p.stage === 'users').length, 1, 'batches of 2')

    for (const { where, value } of await storedValues(world.tenant.id)) {
      if (value === null) continue
      assert.isTrue(String(value).startsWith(where.endsWith('_hash') ? 'rot:' : 'enc:v1:rot:'), where)
    }
    const audits = await db.from('audit_logs').where('tenant_id', world.tenant.id)
    for (const row of audits) assert.notInclude(JSON.stringify([row.before, row.after]), 'enc:v1:dev1:')
    assert.isTrue(audits.some((row) => JSON.stringify(row.after).includes('enc:v1:rot:')))
    for (const attachment of await db.from('attachments').where('tenant_id', world.tenant.id)) {
      const bytes = await readFile(storagePath(world.tenant.id, attachment.file_id))
      assert.equal(DataCipher.fileKeyId(bytes), 'rot', attachment.file_id)
    }

    // The old key leaves the ring: everything reads back the same.
    setDataCipher(new DataCipher(spec))
    assert.deepEqual(await readBack(client, world), before)
    const legacyDownload = await client.get(`${world.base}/attachments/${legacy.fileId}`).loginAs(world.citizen)
    assert.isTrue(Buffer.from(legacyDownload.body() as ArrayBuffer).equals(legacy.bytes))
    await RequestContext.asSystem('test', async () => {
      assert.equal((await User.findByFiscalCode(PARENT_CF))?.id, world.citizen.id)
    })
    // A finished rotation leaves nothing to do.
    const again = await reencryptAll()
    assert.deepEqual(
      again.stages.map((s) => s.rewritten + s.total * (s.stage === 'audit_logs' ? 0 : 1)),
      again.stages.map(() => 0)
    )
    assert.equal(again.files.rewritten, 0)
    assert.equal(again.failureCount, 0)
  }).timeout(60_000)

  test('an interrupted rotation leaves everything readable and the next run finishes it', async ({
    client,
    assert,
  }) => {
    const world = await populated(client)
    for (let i = 0; i < 5; i++) {
      const user = await makeUser(world.tenant, ['citizen'])
      await RequestContext.asSystem('test', async () => {
        const row = await User.findOrFail(user.id)
        row.fullName = `Persona ${i}`
        await row.save()
      })
    }
    const before = await readBack(client, world)
    const onOldKey = async () =>
      Number(
        (
          await db
            .from('users')
            .whereIn('id', db.from('memberships').select('user_id').where('tenant_id', world.tenant.id))
            .where('full_name', 'like', 'enc:v1:dev1:%')
            .count('* as n')
            .first()
        )?.n
      )
    const usersBefore = await onOldKey()
    assert.isAbove(usersBefore, 4)

    const spec = rotateTo('rot')
    // Ctrl-C after the first batch of users: the run stops there.
    let batches = 0
    const stopped = await reencryptAll({
      batchSize: 2,
      onProgress: (p) => void (p.stage === 'users' && batches++),
      shouldStop: () => batches >= 1,
    })
    assert.isTrue(stopped.interrupted)
    const left = await onOldKey()
    assert.isAbove(left, 0)
    assert.isBelow(left, usersBefore)
    // Half rotated, the ring still reads everything.
    assert.deepEqual(await readBack(client, world), before)

    // A crash in the middle of the next run (between batches of the audit stage) loses nothing either.
    await assert.rejects(() =>
      reencryptAll({
        batchSize: 2,
        onProgress: (p) => {
          if (p.stage === 'audit_logs') throw new Error('killed')
        },
      })
    )
    assert.equal(await onOldKey(), 0, 'the users were finished by the second run before it was killed')

    const resumed = await reencryptAll({ batchSize: 2 })
    assert.isFalse(resumed.interrupted)
    assert.equal(resumed.failureCount, 0)
    assert.equal(resumed.stages.find((s) => s.stage === 'users')!.total, 0, 'nothing left of the users to redo')
    setDataCipher(new DataCipher(spec))
    assert.deepEqual(await readBack(client, world), before)
  }).timeout(60_000)

  test('while a rotation is under way, the same child is still found by the index under the old key', async ({
    client,
    assert,
  }) => {
    const world = await populated(client)
    const first = await RequestContext.withTenant(world.tenant.ref, () => Enrolment.query().firstOrFail())
    assert.match(first.childFiscalCodeHash!, /^dev1:/)
    rotateTo('rot')
    // A new application for the same child, before the rows are re-encrypted: the duplicate check
    // finds the enrolment by its index under the old key, and refuses it.
    const refusedDuring = await client
      .post(`${world.base}/forms/${FORM}/submit`)
      .json({ data: { ...withIseeAndDiet(world.sample), isee_value: 12000 } })
      .loginAs(world.citizen)
    refusedDuring.assertStatus(422)
    assert.equal(refusedDuring.body().errors[0].rule, 'duplicate:enrolment')
    assert.include(refusedDuring.body().errors[0].message, `n. ${first.id}`)
    // Once the rotation has run, the index is under the new key, and the child is still found.
    await reencryptAll()
    const rotated = await RequestContext.withTenant(world.tenant.ref, () => Enrolment.findOrFail(first.id))
    assert.match(rotated.childFiscalCodeHash!, /^rot:/)
    const refusedAfter = await client
      .post(`${world.base}/forms/${FORM}/submit`)
      .json({ data: withIseeAndDiet(world.sample) })
      .loginAs(world.citizen)
    refusedAfter.assertStatus(422)
    assert.equal(refusedAfter.body().errors[0].rule, 'duplicate:enrolment')
    const after = await RequestContext.withTenant(world.tenant.ref, () => Enrolment.query())
    assert.deepEqual(
      after.map((e) => [e.id, e.submissionId]),
      [[first.id, world.accepted]]
    )
  }).timeout(60_000)
})

test.group('Data at rest: converting rows stored in clear (migration 0009)', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('identifiers in clear, in rows and audit entries, are encrypted and indexed; down decrypts them back', async ({
    client,
    assert,
  }) => {
    const world = await populated(client)
    const before = await readBack(client, world)
    const enrolment = await RequestContext.withTenant(world.tenant.ref, () => Enrolment.query().firstOrFail())
    const auditOf = async () => {
      const row = await db
        .from('audit_logs')
        .where({ entity: 'enrolments', entity_id: String(enrolment.id), action: 'create' })
        .firstOrFail()
      return typeof row.after === 'string' ? JSON.parse(row.after) : row.after
    }

    // As `down` leaves them, and as they were before this migration: in clear, with no index.
    await convertPersonalData(db.connection(), 'decrypt')
    await db.from('users').where('id', world.citizen.id).update({ fiscal_code_hash: null })
    await db.from('enrolments').where('id', enrolment.id).update({ child_fiscal_code_hash: null })
    const clearUser = await db.from('users').where('id', world.citizen.id).firstOrFail()
    assert.equal(clearUser.full_name, 'Mario Rossi')
    assert.equal(clearUser.fiscal_code, PARENT_CF)
    const clearChild = await db.from('enrolments').where('id', enrolment.id).firstOrFail()
    assert.equal(clearChild.child_fiscal_code, CHILD_CF)
    assert.equal(clearChild.child_birth_date, '2017-03-04')
    assert.equal((await auditOf()).childFiscalCode, CHILD_CF)
    const reason = await db.from('submissions').where('id', world.refused).firstOrFail()
    assert.equal(reason.status_reason, 'Il documento di Giulia Rossi è illeggibile')

    await convertPersonalData(db.connection(), 'encrypt')
    const user = await db.from('users').where('id', world.citizen.id).firstOrFail()
    assert.isTrue(DataCipher.isEncrypted(user.full_name))
    assert.isTrue(DataCipher.isEncrypted(user.fiscal_code))
    assert.equal(user.fiscal_code_hash, currentDataCipher().blindIndex('fiscal_code', PARENT_CF))
    const child = await db.from('enrolments').where('id', enrolment.id).firstOrFail()
    for (const column of ['child_first_name', 'child_last_name', 'child_fiscal_code', 'child_birth_date']) {
      assert.isTrue(DataCipher.isEncrypted(child[column]), column)
    }
    assert.equal(child.child_fiscal_code_hash, currentDataCipher().blindIndex('fiscal_code', CHILD_CF))
    const audit = await auditOf()
    assert.isTrue(DataCipher.isEncrypted(audit.childFiscalCode))
    assert.equal(audit.isee, '[cifrato]')
    assert.isTrue(
      DataCipher.isEncrypted((await db.from('submissions').where('id', world.refused).firstOrFail()).status_reason)
    )
    // Converting twice changes nothing, and the application reads what it read before.
    const snapshot = await storedValues(world.tenant.id)
    await convertPersonalData(db.connection(), 'encrypt')
    assert.deepEqual(await storedValues(world.tenant.id), snapshot)
    assert.deepEqual(await readBack(client, world), before)
  }).timeout(60_000)
})
