import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import Tenant from '#models/tenant'
import type { JobDefinition } from '#queue/types'
import { writeAudit } from '#services/infrastructure/audit_service'
import { RequestContext } from '#services/infrastructure/request_context'

/**
 * The end of a renewed enrolment's school year. A renewal made while the year runs (in spring, for
 * September) leaves the old enrolment active, since the canteen's attendance, the kitchen's counts
 * and the families' requests still read it until 31 August (enrolment_changes.ts). Every night,
 * per tenant, the enrolments still active whose school year is over and that were renewed become
 * `ended`, each with an audit entry under the job's system actor giving the reason and the renewal.
 * Idempotent: only rows still active are changed, so a second run (or a run after a crash) finds
 * nothing more. An enrolment of a past year that was not renewed is left to the office: whether the
 * child goes on, moves or leaves is theirs to say. Billing still bills an ended enrolment for the
 * months of its own school year (monthly_fees.ts).
 */
export const ENROLMENTS_YEAR_END_JOB = 'platform.enrolments-year-end'
/** Every night at 03:40 Italian time: after the 02:00–03:00 hour that summer time skips or repeats. */
export const ENROLMENTS_YEAR_END_CRON = '40 3 * * *'
/** The reason written in the audit entry of each ending. */
export const YEAR_END_REASON = 'school_year_over_renewed'
const CHUNK = 500

/** The school year a day (YYYY-MM-DD) falls in, 1 September to 31 August: "2026/2027" for 2027-03-10. */
export function schoolYearOf(day: string) {
  const year = Number(day.slice(0, 4))
  const start = day.slice(5) >= '09-01' ? year : year - 1
  return `${start}/${start + 1}`
}

export interface YearEndReport {
  tenant: string
  ended: number
}

/**
 * Ends the current context's tenant's renewed enrolments whose school year is over on `now`
 * (Europe/Rome): a year "2025/2026" is over from 1 September 2026. Chunks of 500 by id, each chunk
 * in one transaction; each row changes only if it is still active, with its audit entry beside it.
 */
export async function endRenewedEnrolments(options: { now?: DateTime } = {}): Promise<number> {
  const ref = RequestContext.tenant()
  if (!ref) throw new Error('endRenewedEnrolments needs a tenant in context')
  const today = (options.now ?? DateTime.now()).setZone('Europe/Rome').toISODate()!
  // School years are written "YYYY/YYYY": as strings they sort as the years do.
  const current = schoolYearOf(today)
  let ended = 0
  let last = 0
  for (;;) {
    const rows: Array<{ id: number; school_year: string; renewed_id: number }> = await db
      .from('enrolments as e')
      .join('enrolments as r', (join) => {
        join.on('r.renewed_from_id', '=', 'e.id').andOn('r.tenant_id', '=', 'e.tenant_id')
      })
      .where('e.tenant_id', ref.id)
      .where('e.status', 'active')
      .where('e.school_year', '<', current)
      .where('e.id', '>', last)
      .orderBy('e.id')
      .limit(CHUNK)
      .select('e.id', 'e.school_year', 'r.id as renewed_id')
    if (rows.length === 0) return ended
    last = rows[rows.length - 1].id
    await db.transaction(async (trx) => {
      const stamp = DateTime.now().toFormat(trx.dialect.dateTimeFormat)
      for (const row of rows) {
        const changed = await trx
          .from('enrolments')
          .where('id', row.id)
          .where('tenant_id', ref.id)
          .where('status', 'active')
          .update({ status: 'ended', updated_at: stamp })
        if (Number(changed) !== 1) continue
        ended++
        await writeAudit(trx, {
          tenantId: ref.id,
          action: 'update',
          entity: 'enrolments',
          entityId: String(row.id),
          before: { status: 'active' },
          after: { status: 'ended', reason: YEAR_END_REASON, school_year: row.school_year, renewed_id: row.renewed_id },
        })
      }
    })
  }
}

/** Runs the year end for every tenant, each in its own context; one tenant's failure does not stop the others. */
export async function endRenewedEnrolmentsForAll(
  options: { now?: DateTime; log?: (message: string) => void } = {}
): Promise<{ reports: YearEndReport[]; failures: Array<{ tenant: string; error: string }> }> {
  const run = async () => {
    const tenants = await Tenant.query().select('id', 'slug').orderBy('slug')
    const reports: YearEndReport[] = []
    const failures: Array<{ tenant: string; error: string }> = []
    for (const tenant of tenants) {
      try {
        const ended = await RequestContext.withTenant(tenant.ref, () => endRenewedEnrolments({ now: options.now }))
        reports.push({ tenant: tenant.slug, ended })
        if (ended > 0) options.log?.(`${tenant.slug}: ${ended} renewed enrolment(s) ended with their school year`)
      } catch (error) {
        failures.push({ tenant: tenant.slug, error: (error as Error).message })
        options.log?.(`${tenant.slug}: year end failed: ${(error as Error).message}`)
      }
    }
    return { reports, failures }
  }
  // A job already runs as platform code under its own name; keep that name in the audit.
  return RequestContext.spansAllTenants() ? run() : RequestContext.asSystem('enrolments-year-end', run)
}

/** The nightly job: every tenant; a tenant that failed fails the run, so the queue tries again. */
export const enrolmentsYearEndJob: JobDefinition<Record<string, never>> = {
  attempts: 3,
  backoffMs: 60_000,
  async handle(_payload, ctx) {
    const { failures } = await endRenewedEnrolmentsForAll({ log: ctx.log })
    if (failures.length > 0) {
      throw new Error(`enrolments year end failed for ${failures.map((f) => f.tenant).join(', ')}`)
    }
  },
}
