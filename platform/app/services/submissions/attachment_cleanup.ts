import { unlink } from 'node:fs/promises'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import Attachment from '#models/attachment'
import Submission from '#models/submission'
import Tenant from '#models/tenant'
import { storagePath } from '#services/submissions/attachment_service'
import { writeAudit } from '#services/infrastructure/audit_service'
import { RequestContext } from '#services/infrastructure/request_context'
import type { JobDefinition } from '#queue/types'
import { SettingsError } from '#services/tenants/settings_error'

/**
 * Storage limitation (GDPR art. 5(1)(e)): uploaded files that no submission
 * needs are deleted, row and bytes. A file goes when it is linked to no
 * submission, no non-draft submission's data refers to it, and either
 *  - nothing refers to it and it is older than `unreferenced_days`, or
 *  - only drafts refer to it and none of them was saved in the last `stale_draft_days`.
 * Drafts are never changed: a draft that still names a deleted file gets, on
 * submit, the "upload it again" error of checkReferences at that field.
 */
export const ATTACHMENTS_CLEANUP_JOB = 'platform.attachments-cleanup'
/** Every night at 03:15 Italian time: after the 02:00–03:00 hour that summer time skips or repeats. */
export const ATTACHMENTS_CLEANUP_CRON = '15 3 * * *'

/**
 * Defaults when a tenant sets nothing: a month is ample between uploading a file and
 * saving the draft that names it; half a year covers a draft left over a whole call.
 */
export const DEFAULT_RETENTION = { unreferencedDays: 30, staleDraftDays: 180 } as const
const MAX_DAYS = 3650
const SUBMISSION_CHUNK = 500

export interface RetentionPolicy {
  unreferencedDays: number
  staleDraftDays: number
}

export class AttachmentSettingsError extends SettingsError {
  constructor(field: string, messages: { it: string; en: string }) {
    super('attachments', field, messages)
    this.name = 'AttachmentSettingsError'
  }
}

const FIELDS = { unreferenced_days: 'unreferencedDays', stale_draft_days: 'staleDraftDays' } as const

/** Reads and checks `settings.attachments`; the error names the field at fault, in Italian and English. */
export function parseAttachmentSettings(value: unknown): RetentionPolicy {
  const policy: RetentionPolicy = { ...DEFAULT_RETENTION }
  if (value === undefined || value === null) return policy
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new AttachmentSettingsError('', {
      it: 'deve essere un oggetto con "unreferenced_days" e/o "stale_draft_days"',
      en: 'must be an object with "unreferenced_days" and/or "stale_draft_days"',
    })
  }
  for (const [key, days] of Object.entries(value)) {
    if (!(key in FIELDS)) {
      throw new AttachmentSettingsError(key, {
        it: 'campo sconosciuto: sono ammessi solo "unreferenced_days" e "stale_draft_days"',
        en: 'unknown field: only "unreferenced_days" and "stale_draft_days" are allowed',
      })
    }
    if (!Number.isInteger(days) || (days as number) < 1 || (days as number) > MAX_DAYS) {
      throw new AttachmentSettingsError(key, {
        it: `deve essere un numero intero di giorni tra 1 e ${MAX_DAYS}, non ${JSON.stringify(days)}`,
        en: `must be a whole number of days between 1 and ${MAX_DAYS}, not ${JSON.stringify(days)}`,
      })
    }
    policy[FIELDS[key as keyof typeof FIELDS]] = days as number
  }
  return policy
}

export interface CleanupItem {
  file_id: string
  form_key: string
  field: string
  size_bytes: number
  created_at: string
  reason: 'unreferenced' | 'stale_drafts'
  /** For `stale_drafts`: the drafts that still name the file. */
  draft_ids?: number[]
}

export interface TenantCleanupReport {
  tenant: string
  dry_run: boolean
  policy: { unreferenced_days: number; stale_draft_days: number }
  deleted: CleanupItem[]
  count: number
  bytes: number
  /** Rows deleted whose bytes were already gone from storage. */
  missing_files: number
}

/** Every `file_id` named anywhere in a form's data (forms/_shared/common.json#/$defs/attachment). */
export function referencedFileIds(data: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(data)) {
    for (const item of data) referencedFileIds(item, into)
  } else if (data && typeof data === 'object') {
    for (const [key, value] of Object.entries(data)) {
      if (key === 'file_id' && typeof value === 'string') into.add(value)
      else referencedFileIds(value, into)
    }
  }
  return into
}

/** Which drafts (id → last saved) and whether any other submission refer to each file of the tenant. */
async function referencesInTenant() {
  const byDrafts = new Map<string, Array<{ id: number; touched: DateTime }>>()
  const bySubmissions = new Set<string>()
  let lastId = 0
  for (;;) {
    const chunk = await Submission.query()
      .select('id', 'status', 'data', 'created_at', 'updated_at')
      .where('id', '>', lastId)
      .orderBy('id')
      .limit(SUBMISSION_CHUNK)
    for (const submission of chunk) {
      for (const fileId of referencedFileIds(submission.data)) {
        if (submission.status !== 'draft') bySubmissions.add(fileId)
        else {
          const touched = submission.updatedAt ?? submission.createdAt
          byDrafts.set(fileId, [...(byDrafts.get(fileId) ?? []), { id: submission.id, touched }])
        }
      }
    }
    if (chunk.length < SUBMISSION_CHUNK) break
    lastId = chunk[chunk.length - 1].id
  }
  return { byDrafts, bySubmissions }
}

/** What the policy deletes in the tenant of the current context, as of `now`. */
export async function planTenantCleanup(policy: RetentionPolicy, now: DateTime) {
  const unreferencedBefore = now.minus({ days: policy.unreferencedDays })
  const staleBefore = now.minus({ days: policy.staleDraftDays })
  // A draft names only files uploaded before it was last saved, so whatever may go is older than the shorter period.
  const oldest = unreferencedBefore < staleBefore ? staleBefore : unreferencedBefore
  const candidates = (await Attachment.query().whereNull('submission_id').orderBy('id')).filter(
    (a) => a.createdAt < oldest
  )
  if (candidates.length === 0) return []
  const { byDrafts, bySubmissions } = await referencesInTenant()
  const plan: Array<{ attachment: Attachment; item: CleanupItem }> = []
  for (const attachment of candidates) {
    if (bySubmissions.has(attachment.fileId)) continue
    const drafts = byDrafts.get(attachment.fileId) ?? []
    const base = {
      file_id: attachment.fileId,
      form_key: attachment.formKey,
      field: attachment.fieldPath,
      size_bytes: attachment.sizeBytes,
      created_at: attachment.createdAt.toUTC().toISO()!,
    }
    if (drafts.length === 0) {
      if (attachment.createdAt < unreferencedBefore)
        plan.push({ attachment, item: { ...base, reason: 'unreferenced' } })
    } else if (drafts.every((d) => d.touched < staleBefore)) {
      const draftIds = drafts.map((d) => d.id).sort((a, b) => a - b)
      plan.push({ attachment, item: { ...base, reason: 'stale_drafts', draft_ids: draftIds } })
    }
  }
  return plan
}

/**
 * Deletes (or, dry, lists) what the policy of the current context's tenant lets go. Each file
 * goes in its own transaction: the row and its audit entry, then the bytes before the commit,
 * so a file that cannot be removed keeps its row and is tried again next time.
 */
export async function cleanupTenantAttachments(
  options: { dryRun?: boolean; now?: DateTime } = {}
): Promise<TenantCleanupReport> {
  const ref = RequestContext.tenant()
  if (!ref) throw new Error('cleanupTenantAttachments needs a tenant in context')
  const tenant = await Tenant.findOrFail(ref.id)
  const policy = parseAttachmentSettings(tenant.settings?.attachments)
  const plan = await planTenantCleanup(policy, options.now ?? DateTime.now())
  const report: TenantCleanupReport = {
    tenant: tenant.slug,
    dry_run: options.dryRun === true,
    policy: { unreferenced_days: policy.unreferencedDays, stale_draft_days: policy.staleDraftDays },
    deleted: plan.map((p) => p.item),
    count: plan.length,
    bytes: plan.reduce((sum, p) => sum + p.item.size_bytes, 0),
    missing_files: 0,
  }
  if (report.dry_run) return report
  for (const { attachment, item } of plan) {
    await db.transaction(async (trx) => {
      await Attachment.query({ client: trx }).where('id', attachment.id).delete()
      // Who and why, the file's id, size and field: never its name or content.
      await writeAudit(trx, {
        tenantId: tenant.id,
        action: 'retention_delete',
        entity: 'attachments',
        entityId: String(attachment.id),
        before: {
          file_id: item.file_id,
          form_key: item.form_key,
          field: item.field,
          size_bytes: item.size_bytes,
          reason: item.reason,
          ...(item.draft_ids ? { draft_ids: item.draft_ids } : {}),
        },
        after: null,
      })
      try {
        await unlink(storagePath(tenant.id, attachment.fileId))
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
        report.missing_files++
      }
    })
  }
  return report
}

/** Runs the cleanup for one tenant (by slug) or every tenant, each inside its own tenant context. */
export async function cleanupAttachments(
  options: { tenant?: string; dryRun?: boolean; now?: DateTime; log?: (message: string) => void } = {}
): Promise<{ reports: TenantCleanupReport[]; failures: Array<{ tenant: string; error: string }> }> {
  const run = async () => {
    const query = Tenant.query().orderBy('slug')
    if (options.tenant !== undefined) query.where('slug', options.tenant)
    const tenants = await query
    if (options.tenant !== undefined && tenants.length === 0) throw new Error(`unknown tenant "${options.tenant}"`)
    const reports: TenantCleanupReport[] = []
    const failures: Array<{ tenant: string; error: string }> = []
    for (const tenant of tenants) {
      try {
        const report = await RequestContext.withTenant(tenant.ref, () =>
          cleanupTenantAttachments({ dryRun: options.dryRun, now: options.now })
        )
        reports.push(report)
        options.log?.(
          `${tenant.slug}: ${report.dry_run ? 'would delete' : 'deleted'} ${report.count} attachment(s), ` +
            `${report.bytes} bytes (${report.missing_files} already missing from storage)`
        )
      } catch (error) {
        // One tenant's trouble does not keep the others' files.
        failures.push({ tenant: tenant.slug, error: (error as Error).message })
        options.log?.(`${tenant.slug}: cleanup failed: ${(error as Error).message}`)
      }
    }
    return { reports, failures }
  }
  // A job or command already runs as platform code under its own name; keep that name in the audit.
  return RequestContext.spansAllTenants() ? run() : RequestContext.asSystem('attachments-cleanup', run)
}

/** The nightly job: every tenant; a tenant that failed fails the run, so the queue tries again. */
export const attachmentsCleanupJob: JobDefinition<Record<string, never>> = {
  attempts: 2,
  backoffMs: 60_000,
  async handle(_payload, ctx) {
    const { failures } = await cleanupAttachments({ log: ctx.log })
    if (failures.length > 0) {
      throw new Error(`attachments cleanup failed for ${failures.map((f) => f.tenant).join(', ')}`)
    }
  },
}
