import testUtils from '@adonisjs/core/services/test_utils'
import { jobQueue } from '#queue/queue_factory'
import Tenant from '#models/tenant'
import User from '#models/user'
import Membership from '#models/membership'
import { RequestContext } from '#services/infrastructure/request_context'
import type { Role } from '#services/tenants/roles'

/**
 * Test data with named shapes: a tenant, a user holding roles in it. Each
 * call makes new rows with unique names, inside the test's transaction.
 */
let counter = 0

export async function makeTenant(overrides: Partial<{ slug: string; name: string }> = {}) {
  counter++
  return RequestContext.asSystem('test', () =>
    Tenant.create({
      slug: overrides.slug ?? `comune-${process.pid}-${counter}`,
      name: overrides.name ?? `Comune di Prova ${counter}`,
      fiscalCode: '00000000000',
      settings: {},
    })
  )
}

export async function makeUser(
  tenant: Tenant | null,
  roles: Role[],
  overrides: Partial<{ isPlatformAdmin: boolean }> = {}
) {
  counter++
  return RequestContext.asSystem('test', async () => {
    const user = await User.create({
      email: `user${counter}-${process.pid}@test.example`,
      fullName: `Utente ${counter}`,
      fiscalCode: null,
      password: 'secret-password',
      isPlatformAdmin: overrides.isPlatformAdmin ?? false,
      locale: 'it',
    })
    if (tenant) await RequestContext.withTenant(tenant.ref, () => Membership.create({ userId: user.id, roles }))
    return user
  })
}

/**
 * Each test's global transaction, rolled back only once the jobs the test queued (protocol,
 * receipt, mail) have ended: Japa runs the cleanup of setup hooks before teardown hooks, so a
 * teardown hook waiting for the queue would wait after the rollback, too late.
 */
export async function transactionWithJobs() {
  const rollback = await testUtils.db().withGlobalTransaction()
  return async () => {
    await jobQueue().drained()
    await rollback()
  }
}
