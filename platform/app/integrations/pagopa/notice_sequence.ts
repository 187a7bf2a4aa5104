import { DateTime } from 'luxon'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { MAX_BASE, noticeNumber, NoticeNumberError, type NoticeNumber } from '#integrations/pagopa/notice_number'

/**
 * The per-tenant sequence of IUV bases (table pagopa_notice_sequences): no gaps, no reuse.
 *
 * The next base is taken with one `UPDATE … SET last_base = last_base + 1 … RETURNING last_base`
 * inside the caller's transaction, the one that also writes the position the number is for:
 * - PostgreSQL: the UPDATE takes the row's lock and holds it until that transaction ends. A concurrent
 *   caller waits on the lock; if the first commits, it re-reads the row and gets the next number; if
 *   the first rolls back, its increment vanishes and the waiting caller gets the same number instead.
 * - SQLite: the UPDATE takes the database's write lock, held until the transaction ends (inside one
 *   process knex has a single connection, so transactions run one after another; across processes
 *   the second writer waits on the file lock). The outcome is the same.
 * Either way the numbers of committed transactions are consecutive and a number is never given to
 * two committed positions. The price is that positions of one tenant are numbered one at a time:
 * keep the transaction that takes a number short (no network calls inside it).
 */
export class NoticeSequenceExhaustedError extends NoticeNumberError {
  constructor(tenantId: number) {
    super(
      `The IUV sequence of tenant ${tenantId} reached ${MAX_BASE}: no more notice numbers with this segregation code`,
      {
        it: `La sequenza dei codici IUV dell'ente ha raggiunto ${MAX_BASE}: chiedere a pagoPA un nuovo codice di segregazione`,
        en: `The ente's IUV sequence reached ${MAX_BASE}: ask pagoPA for a new segregation code`,
      }
    )
  }
}

function rowsOf(result: unknown): Array<Record<string, unknown>> {
  // pg answers { rows }, better-sqlite3 an array of rows.
  if (Array.isArray(result)) return result as Array<Record<string, unknown>>
  return ((result as { rows?: Array<Record<string, unknown>> }).rows ?? []) as Array<Record<string, unknown>>
}

/** Takes the tenant's next IUV base inside `trx` and builds its NAV and IUV. */
export async function nextNoticeNumber(
  trx: TransactionClientContract,
  tenantId: number,
  segregationCode: string
): Promise<NoticeNumber> {
  if (!trx.isTransaction) throw new Error('nextNoticeNumber must run inside the transaction that stores the position')
  const now = DateTime.now().toFormat(trx.dialect.dateTimeFormat)
  await trx.rawQuery(
    'INSERT INTO pagopa_notice_sequences (tenant_id, last_base, updated_at) VALUES (?, 0, ?) ON CONFLICT (tenant_id) DO NOTHING',
    [tenantId, now]
  )
  const result = await trx.rawQuery(
    'UPDATE pagopa_notice_sequences SET last_base = last_base + 1, updated_at = ? WHERE tenant_id = ? AND last_base < ? RETURNING last_base',
    [now, tenantId, Number(MAX_BASE)]
  )
  const [row] = rowsOf(result)
  if (!row) throw new NoticeSequenceExhaustedError(tenantId)
  return noticeNumber(segregationCode, BigInt(String(row.last_base)))
}

/**
 * `count` consecutive bases at once, by one UPDATE in the caller's transaction (the same lock and
 * the same guarantees as `nextNoticeNumber`): the monthly run numbers a batch of positions together.
 */
export async function nextNoticeNumbers(
  trx: TransactionClientContract,
  tenantId: number,
  segregationCode: string,
  count: number
): Promise<NoticeNumber[]> {
  if (!trx.isTransaction) throw new Error('nextNoticeNumbers must run inside the transaction that stores the positions')
  if (!Number.isSafeInteger(count) || count < 1) throw new Error('nextNoticeNumbers: count must be a positive integer')
  const now = DateTime.now().toFormat(trx.dialect.dateTimeFormat)
  await trx.rawQuery(
    'INSERT INTO pagopa_notice_sequences (tenant_id, last_base, updated_at) VALUES (?, 0, ?) ON CONFLICT (tenant_id) DO NOTHING',
    [tenantId, now]
  )
  const result = await trx.rawQuery(
    'UPDATE pagopa_notice_sequences SET last_base = last_base + ?, updated_at = ? WHERE tenant_id = ? AND last_base <= ? RETURNING last_base',
    [count, now, tenantId, Number(MAX_BASE) - count]
  )
  const [row] = rowsOf(result)
  if (!row) throw new NoticeSequenceExhaustedError(tenantId)
  const last = BigInt(String(row.last_base))
  const out: NoticeNumber[] = []
  for (let i = BigInt(count) - 1n; i >= 0n; i--) out.push(noticeNumber(segregationCode, last - i))
  return out
}

/** The last base a tenant's committed positions used (0 when none): for reports and checks. */
export async function lastNoticeBase(client: Pick<TransactionClientContract, 'from'>, tenantId: number) {
  const row = await client.from('pagopa_notice_sequences').where('tenant_id', tenantId).first()
  return row ? BigInt(String(row.last_base)) : 0n
}
