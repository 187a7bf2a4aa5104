import { test } from '@japa/runner'
import { existsSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import ace from '@adonisjs/core/services/ace'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import AttachmentsCleanup from '#commands/attachments_cleanup'
import Attachment from '#models/attachment'
import type Tenant from '#models/tenant'
import type User from '#models/user'
import { jobQueue } from '#queue/queue_factory'
import {
  ATTACHMENTS_CLEANUP_JOB,
  cleanupAttachments,
  type TenantCleanupReport,
} from '#services/submissions/attachment_cleanup'
import { storagePath, storeUpload } from '#services/submissions/attachment_service'
import { findCurrentForm } from '#services/definitions/form_service'
import { RequestContext } from '#services/infrastructure/request_context'
import { makeUser, transactionWithJobs } from '#tests/helpers/world'
import { FORM, refezioneTenant } from './world.js'

const FIELD = '/disability_104_certificate'
const PDF = Buffer.from('%PDF-1.4\n% certificato di prova\n%%EOF\n')

/** Every file a test stored: the rollback takes the rows, this takes the bytes left on disk. */
const written: string[] = []

async function upload(tenant: Tenant, user: User, field = FIELD) {
  const attachment = await RequestContext.withTenant(tenant.ref, async () =>
    storeUpload({
      tenantId: tenant.id,
      userId: user.id,
      form: (await findCurrentForm(FORM))!.definition,
      field,
      fileName: 'certificato_medico.pdf',
      bytes: PDF,
      lang: 'it',
    })
  )
  written.push(storagePath(tenant.id, attachment.fileId))
  return attachment
}

/** A refezione tenant (see world.ts) whose sample identity document is removed from disk after the test. */
async function world() {
  const made = await refezioneTenant()
  written.push(storagePath(made.tenant.id, (made.sample.identity_document as { file_id: string }).file_id))
  return made
}

function stamp(daysAgo: number) {
  return DateTime.now().minus({ days: daysAgo }).toFormat(db.connection().dialect.dateTimeFormat)
}

async function uploadedDaysAgo(attachment: Attachment | { file_id: string }, days: number) {
  const fileId = attachment instanceof Attachment ? attachment.fileId : attachment.file_id
  await db
    .from('attachments')
    .where('file_id', fileId)
    .update({ created_at: stamp(days) })
}

async function draftSavedDaysAgo(id: number, days: number) {
  await db
    .from('submissions')
    .where('id', id)
    .update({ updated_at: stamp(days) })
}

async function row(tenant: Tenant, fileId: string) {
  return RequestContext.withTenant(tenant.ref, () => Attachment.query().where('file_id', fileId).first())
}

async function isKept(tenant: Tenant, fileId: string) {
  const stored = await row(tenant, fileId)
  return { row: stored !== null, bytes: existsSync(storagePath(tenant.id, fileId)) }
}

function reportOf(reports: TenantCleanupReport[], tenant: Tenant) {
  const report = reports.find((r) => r.tenant === tenant.slug)
  if (!report) throw new Error(`no report for ${tenant.slug}`)
  return report
}

test.group('Attachments retention cleanup', (group) => {
  group.each.setup(() => transactionWithJobs())
  group.each.teardown(async () => {
    for (const path of written.splice(0)) await rm(path, { force: true })
  })

  test('keeps linked files, files of a fresh draft and young ones; deletes an old unreferenced file, row and bytes', async ({
    client,
    assert,
  }) => {
    const { tenant, citizen, base, sample } = await world()
    const identity = sample.identity_document as { file_id: string }

    // Linked on submit, then a year old: the submission needs it.
    ;(await client.post(`${base}/forms/${FORM}/submit`).json({ data: sample }).loginAs(citizen)).assertStatus(201)
    await uploadedDaysAgo(identity, 365)
    assert.isNotNull((await row(tenant, identity.file_id))!.submissionId)

    // Named by a draft saved today, though the file is old.
    const inDraft = await upload(tenant, citizen)
    const draft = await client
      .post(`${base}/forms/${FORM}/submissions`)
      .json({ data: { applicant_kind: 'parent', disability_104: true, [FIELD.slice(1)]: inDraft.reference } })
      .loginAs(citizen)
    draft.assertStatus(201)
    await uploadedDaysAgo(inDraft, 365)

    const old = await upload(tenant, citizen)
    await uploadedDaysAgo(old, 31)
    const young = await upload(tenant, citizen)
    await uploadedDaysAgo(young, 29)
    assert.isTrue(existsSync(storagePath(tenant.id, old.fileId)))

    const { reports, failures } = await cleanupAttachments({ tenant: tenant.slug })
    assert.deepEqual(failures, [])
    const report = reportOf(reports, tenant)
    assert.deepEqual(
      report.deleted.map((d) => [d.file_id, d.reason, d.field, d.size_bytes]),
      [[old.fileId, 'unreferenced', FIELD, PDF.length]]
    )
    assert.equal(report.count, 1)
    assert.equal(report.bytes, PDF.length)
    assert.equal(report.missing_files, 0)

    assert.deepEqual(await isKept(tenant, old.fileId), { row: false, bytes: false })
    assert.deepEqual(await isKept(tenant, young.fileId), { row: true, bytes: true })
    assert.deepEqual(await isKept(tenant, inDraft.fileId), { row: true, bytes: true })
    assert.deepEqual(await isKept(tenant, identity.file_id), { row: true, bytes: true })

    // One audit row per deletion, by the system, with id, size and field, never the name or the content.
    const audits = await db
      .from('audit_logs')
      .where({ tenant_id: tenant.id, entity: 'attachments', action: 'retention_delete' })
    assert.lengthOf(audits, 1)
    assert.equal(audits[0].entity_id, String(old.id))
    assert.equal(audits[0].actor_label, 'system:attachments-cleanup')
    assert.isNull(audits[0].actor_user_id)
    // A text column on SQLite, JSON on PostgreSQL.
    const raw = audits[0].before
    const before = typeof raw === 'string' ? JSON.parse(raw) : raw
    assert.deepInclude(before, { file_id: old.fileId, field: FIELD, size_bytes: PDF.length, reason: 'unreferenced' })
    assert.notInclude(JSON.stringify(before), 'certificato_medico')
    assert.notProperty(before, 'sha256')

    // A second run finds nothing more to do.
    assert.equal(reportOf((await cleanupAttachments({ tenant: tenant.slug })).reports, tenant).count, 0)
  })

  test('files named only by drafts untouched for the longer period go; the draft then reports the field on submit', async ({
    client,
    assert,
  }) => {
    const { tenant, citizen, base, sample } = await world()
    const staleFile = await upload(tenant, citizen)
    const stale = await client
      .post(`${base}/forms/${FORM}/submissions`)
      .json({ data: { ...sample, disability_104: true, [FIELD.slice(1)]: staleFile.reference } })
      .loginAs(citizen)
    stale.assertStatus(201)
    await uploadedDaysAgo(staleFile, 200)
    await draftSavedDaysAgo(stale.body().submission.id, 181)

    const recentFile = await upload(tenant, citizen)
    const recent = await client
      .post(`${base}/forms/${FORM}/submissions`)
      .json({ data: { applicant_kind: 'parent', disability_104: true, [FIELD.slice(1)]: recentFile.reference } })
      .loginAs(citizen)
    await uploadedDaysAgo(recentFile, 200)
    await draftSavedDaysAgo(recent.body().submission.id, 179)

    const report = reportOf((await cleanupAttachments({ tenant: tenant.slug })).reports, tenant)
    assert.deepEqual(report.deleted, [
      {
        file_id: staleFile.fileId,
        form_key: FORM,
        field: FIELD,
        size_bytes: PDF.length,
        created_at: report.deleted[0].created_at,
        reason: 'stale_drafts',
        draft_ids: [stale.body().submission.id],
      },
    ])
    assert.deepEqual(await isKept(tenant, staleFile.fileId), { row: false, bytes: false })
    assert.deepEqual(await isKept(tenant, recentFile.fileId), { row: true, bytes: true })

    // The draft itself is untouched, and sending it names the missing file at its field.
    const resumed = await client.get(`${base}/submissions/${stale.body().submission.id}`).loginAs(citizen)
    assert.equal(resumed.body().submission.data[FIELD.slice(1)].file_id, staleFile.fileId)
    const sent = await client
      .post(`${base}/submissions/${stale.body().submission.id}/submit`)
      .header('accept-language', 'en')
      .loginAs(citizen)
    sent.assertStatus(422)
    assert.deepEqual(
      sent.body().errors.map((e: { path: string; rule: string }) => [e.path, e.rule]),
      [[FIELD, 'attachment:unknown']]
    )
  })

  test("one tenant's run never touches another tenant's files", async ({ assert }) => {
    const a = await world()
    const b = await world()
    const fileA = await upload(a.tenant, a.citizen)
    const fileB = await upload(b.tenant, b.citizen)
    await uploadedDaysAgo(fileA, 90)
    await uploadedDaysAgo(fileB, 90)

    const { reports } = await cleanupAttachments({ tenant: a.tenant.slug })
    assert.deepEqual(
      reports.map((r) => r.tenant),
      [a.tenant.slug]
    )
    assert.deepEqual(await isKept(a.tenant, fileA.fileId), { row: false, bytes: false })
    assert.deepEqual(await isKept(b.tenant, fileB.fileId), { row: true, bytes: true })
    // Inside tenant A's context, tenant B's row is out of sight whatever the run does.
    assert.isNull(await row(a.tenant, fileB.fileId))
    const auditTenants = await db
      .from('audit_logs')
      .where({ entity: 'attachments', action: 'retention_delete' })
      .whereIn('tenant_id', [a.tenant.id, b.tenant.id])
      .select('tenant_id')
    assert.deepEqual(
      auditTenants.map((r) => r.tenant_id),
      [a.tenant.id]
    )
  })

  test('a dry run lists what would go and deletes nothing; a missing file on disk is no error', async ({ assert }) => {
    const { tenant, citizen } = await world()
    const old = await upload(tenant, citizen)
    await uploadedDaysAgo(old, 45)
    const dry = reportOf((await cleanupAttachments({ tenant: tenant.slug, dryRun: true })).reports, tenant)
    assert.isTrue(dry.dry_run)
    assert.deepEqual(
      dry.deleted.map((d) => d.file_id),
      [old.fileId]
    )
    assert.deepEqual(await isKept(tenant, old.fileId), { row: true, bytes: true })
    const audits = await db.from('audit_logs').where({ tenant_id: tenant.id, action: 'retention_delete' })
    assert.lengthOf(audits, 0)

    await rm(storagePath(tenant.id, old.fileId))
    const real = reportOf((await cleanupAttachments({ tenant: tenant.slug })).reports, tenant)
    assert.equal(real.count, 1)
    assert.equal(real.missing_files, 1)
    assert.isNull(await row(tenant, old.fileId))
  })

  test('the period is the tenant setting, checked when a tenant admin saves it', async ({ client, assert }) => {
    const { tenant, citizen, base } = await world()
    const admin = await makeUser(tenant, ['tenant_admin'])
    const wrong = await client
      .patch(base)
      .header('accept-language', 'en')
      .json({ settings: { attachments: { unreferenced_days: 0 } } })
      .loginAs(admin)
    wrong.assertStatus(422)
    assert.equal(wrong.body().errors[0].field, 'settings.attachments.unreferenced_days')
    assert.include(wrong.body().errors[0].message, 'whole number of days')
    const unknown = await client
      .patch(base)
      .json({ settings: { attachments: { days: 10 } } })
      .loginAs(admin)
    unknown.assertStatus(422)
    assert.include(unknown.body().errors[0].message, 'campo sconosciuto')

    const saved = await client
      .patch(base)
      .json({ settings: { attachments: { unreferenced_days: 10 } } })
      .loginAs(admin)
    saved.assertStatus(200)

    const eleven = await upload(tenant, citizen)
    await uploadedDaysAgo(eleven, 11)
    const nine = await upload(tenant, citizen)
    await uploadedDaysAgo(nine, 9)
    const report = reportOf((await cleanupAttachments({ tenant: tenant.slug })).reports, tenant)
    assert.deepEqual(report.policy, { unreferenced_days: 10, stale_draft_days: 180 })
    assert.deepEqual(
      report.deleted.map((d) => d.file_id),
      [eleven.fileId]
    )
  })

  test('the nightly job runs through the queue for every tenant, as the system', async ({ assert }) => {
    const a = await world()
    const b = await world()
    const fileA = await upload(a.tenant, a.citizen)
    const fileB = await upload(b.tenant, b.citizen)
    await uploadedDaysAgo(fileA, 40)
    await uploadedDaysAgo(fileB, 40)

    await jobQueue().enqueue(ATTACHMENTS_CLEANUP_JOB, {})
    await jobQueue().drained()

    assert.deepEqual(await isKept(a.tenant, fileA.fileId), { row: false, bytes: false })
    assert.deepEqual(await isKept(b.tenant, fileB.fileId), { row: false, bytes: false })
    const labels = await db
      .from('audit_logs')
      .where({ entity: 'attachments', action: 'retention_delete' })
      .whereIn('tenant_id', [a.tenant.id, b.tenant.id])
      .select('actor_label')
    assert.deepEqual(
      labels.map((r) => r.actor_label),
      [`system:job:${ATTACHMENTS_CLEANUP_JOB}`, `system:job:${ATTACHMENTS_CLEANUP_JOB}`]
    )
  })

  test('attachments:cleanup prints JSON of what it deleted, or with --dry-run of what it would delete', async ({
    assert,
  }) => {
    const { tenant, citizen } = await world()
    const old = await upload(tenant, citizen)
    await uploadedDaysAgo(old, 60)
    ace.ui.switchMode('raw')
    try {
      const dry = await ace.create(AttachmentsCleanup, [`--tenant=${tenant.slug}`, '--dry-run'])
      await dry.exec()
      dry.assertSucceeded()
      const listed = JSON.parse(dry.logger.getLogs().at(-1)!.message)
      assert.isTrue(listed.dry_run)
      assert.deepEqual(
        listed.tenants[0].deleted.map((d: { file_id: string }) => d.file_id),
        [old.fileId]
      )
      assert.deepEqual(await isKept(tenant, old.fileId), { row: true, bytes: true })

      const real = await ace.create(AttachmentsCleanup, [`--tenant=${tenant.slug}`])
      await real.exec()
      real.assertSucceeded()
      const done = JSON.parse(real.logger.getLogs().at(-1)!.message)
      assert.deepInclude(done.tenants[0], { tenant: tenant.slug, dry_run: false, count: 1, bytes: PDF.length })
      assert.deepEqual(await isKept(tenant, old.fileId), { row: false, bytes: false })
      const audit = await db.from('audit_logs').where({ tenant_id: tenant.id, action: 'retention_delete' }).first()
      assert.equal(audit.actor_label, 'system:cli:attachments:cleanup')

      const unknown = await ace.create(AttachmentsCleanup, ['--tenant=comune-che-non-esiste'])
      await unknown.exec()
      assert.equal(unknown.exitCode, 2)
    } finally {
      ace.ui.switchMode('normal')
    }
  })
})
