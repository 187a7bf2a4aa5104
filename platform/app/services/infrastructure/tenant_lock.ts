import type { TransactionClientContract } from '@adonisjs/lucid/types/database'

/**
 * Work that numbers one tenant's records by "the greatest so far, plus one" must not run twice at
 * once: on PostgreSQL (several connections, READ COMMITTED) two transactions would read the same
 * greatest and collide on the number's unique key, or take the same rows. `lockForTenant` makes
 * them wait for each other, until the first commits or rolls back: an advisory lock keyed by what
 * is numbered and the tenant. SQLite writes one transaction at a time, so there it does nothing.
 *
 * The first key of each lock; the second is the tenant's id. No other lock of the platform uses them.
 */
export const TENANT_LOCKS = {
  /** The built-in protocol register's numbers and document ids (integrations/protocol.ts). */
  protocolRegister: 0x50524f01,
  /** Injunctions' numbers (billing/injunctions.ts). */
  injunction: 0x494e4a01,
  /** Collection records (ruoli): their numbers, and the injunctions each takes (billing/injunctions.ts). */
  collectionRecord: 0x434f4c01,
} as const

export async function lockForTenant(trx: TransactionClientContract, lock: keyof typeof TENANT_LOCKS, tenantId: number) {
  if (trx.dialect.name !== 'postgres') return
  await trx.rawQuery('select pg_advisory_xact_lock(?, ?)', [TENANT_LOCKS[lock], tenantId])
}
