import db from '@adonisjs/lucid/services/db'
import Tenant from '#models/tenant'
import User from '#models/user'
import Membership from '#models/membership'
import type { JobDefinition } from '#queue/types'
import { jobQueue } from '#queue/queue_factory'
import { RequestContext } from '#services/infrastructure/request_context'
import { parseDirectorySettings } from '#services/infrastructure/directory_settings'
import { readDirectoryPeople } from '#services/infrastructure/directory_login'

/**
 * Keeping the back office aligned with the directory between logins (Allegato A: back-office users
 * authenticate with the body's Active Directory credentials, "kept aligned with it"). A login
 * already applies what the directory says; without this, a person disabled or removed there kept
 * their access (open sessions included) until they tried to log in again. Every hour a job per
 * tenant with a directory reads again, as the service account, each account the directory created
 * here: removed, disabled or in no group giving a role → the membership is deleted (open sessions
 * lose access at their next request); groups changed → the roles follow. Each change is a model
 * write, audited with the actor `directory-sync:<tenant>`. Idempotent: a second run finds nothing
 * to change. A directory that does not answer changes nothing (the job fails and is retried).
 */
export const DIRECTORY_SYNC_JOB = 'directory.sync'
export const DIRECTORY_SYNC_TENANT_JOB = 'directory.sync.tenant'
/** Hourly, at minute 20 (Europe/Rome). */
export const DIRECTORY_SYNC_CRON = '20 * * * *'
/** Accounts read per connection round. */
const BATCH = 200

export interface DirectorySyncReport {
  checked: number
  revoked: number
  rolesChanged: number
  /** Login names several directory entries answer to: left as they are, for a person to look at. */
  ambiguous: string[]
}

/** Aligns the accounts one tenant's directory created with what the directory says now. */
export async function syncDirectory(tenant: Tenant): Promise<DirectorySyncReport> {
  const report: DirectorySyncReport = { checked: 0, revoked: 0, rolesChanged: 0, ambiguous: [] }
  if (tenant.settings.directory === undefined || tenant.settings.directory === null) return report
  const settings = parseDirectorySettings(tenant.settings.directory)
  const actor = { userId: null, label: `directory-sync:${tenant.slug}` }
  let last = 0
  for (;;) {
    const users = await User.query()
      .where('directory_tenant_id', tenant.id)
      .whereNotNull('directory_login')
      .where('id', '>', last)
      .orderBy('id')
      .limit(BATCH)
    if (users.length === 0) return report
    last = users[users.length - 1].id
    const people = await readDirectoryPeople(
      settings,
      users.map((u) => u.directoryLogin!)
    )
    for (const user of users) {
      report.checked++
      const person = people.get(user.directoryLogin!)
      if (person === 'ambiguous') {
        report.ambiguous.push(user.directoryLogin!)
        continue
      }
      const roles = person && !person.disabled ? person.roles : []
      await RequestContext.run({ tenant: tenant.ref, actor }, () =>
        db.transaction(async (trx) => {
          const membership = await Membership.query({ client: trx }).where('user_id', user.id).first()
          if (!membership) return
          membership.useTransaction(trx)
          if (roles.length === 0) {
            await membership.delete()
            report.revoked++
          } else if (JSON.stringify([...membership.roles].sort()) !== JSON.stringify(roles)) {
            membership.roles = roles
            await membership.save()
            report.rolesChanged++
          }
        })
      )
    }
  }
}

/** One tenant's sync, as a job: the tenant by id, each run on its own (a directory down fails only its own). */
export const directorySyncTenantJob: JobDefinition<{ tenantId: number }> = {
  attempts: 3,
  backoffMs: 60_000,
  async handle(payload) {
    const tenant = await RequestContext.asSystem('directory-sync', () => Tenant.find(payload.tenantId))
    if (tenant) await syncDirectory(tenant)
  },
}

/** The hourly schedule: a job per tenant with a directory, named by tenant and hour so it runs once. */
export const directorySyncJob: JobDefinition<Record<string, never>> = {
  attempts: 3,
  backoffMs: 60_000,
  async handle() {
    const tenants = await RequestContext.asSystem('directory-sync', () =>
      Tenant.query().select('id', 'slug', 'settings').orderBy('id')
    )
    const hour = new Date().toISOString().slice(0, 13)
    for (const tenant of tenants) {
      if (tenant.settings?.directory === undefined || tenant.settings?.directory === null) continue
      await jobQueue().enqueue(
        DIRECTORY_SYNC_TENANT_JOB,
        { tenantId: tenant.id },
        { jobId: `directory-sync:${tenant.id}:${hour}` }
      )
    }
  },
}
