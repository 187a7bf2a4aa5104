import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import type { LucidModel, ModelQueryBuilderContract } from '@adonisjs/lucid/types/model'
import type Enrolment from '#models/enrolment'
import { isPlainObject } from '#forms/json_pointer'
import { normaliseCodiceFiscale } from '#shared/normalise'
import { FISCAL_CODE_INDEX, currentDataCipher, normaliseFiscalCode } from '#services/infrastructure/data_cipher'

/**
 * "The same child", in one place. Applications and enrolments name the child by codice fiscale:
 * two records are for the same child when their keys (the codice fiscale in capitals, without
 * spaces) are equal. Enrolments keep the codice fiscale encrypted, with a keyed hash beside it
 * (data_at_rest.ts): `whereSameChild` matches that hash, under every key of the ring while a
 * rotation is under way.
 */

/** The child an application is for (`student` in the school forms, `child` in the nursery ones). */
export function childInData(
  data: Record<string, unknown>
): { key: string; pointer: string; name: string | null } | null {
  for (const field of ['student', 'child']) {
    const child = data[field]
    if (!isPlainObject(child)) continue
    // An unborn child has no codice fiscale yet: nothing to recognise it by.
    if (child.unborn === true) return null
    const key = childKey(child.fiscal_code)
    if (!key) return null
    const name = [child.first_name, child.last_name].filter((p) => typeof p === 'string' && p).join(' ')
    return { key, pointer: `/${field}/fiscal_code`, name: name || null }
  }
  return null
}

/** The key of a child's codice fiscale, or null when there is none. */
export function childKey(fiscalCode: unknown): string | null {
  if (typeof fiscalCode !== 'string' || fiscalCode.trim() === '') return null
  return normaliseFiscalCode(normaliseCodiceFiscale(fiscalCode))
}

export function sameChild(a: string | null, b: string | null): boolean {
  return a !== null && b !== null && a === b
}

/**
 * The blind index of the child an application is for, kept beside its encrypted data so that the
 * duplicate check finds the child's other applications without decrypting anyone else's. An
 * application that names no child (an unborn one, a form without a child) has the index of the
 * empty text, which no codice fiscale has: every row is indexed, and a rotation rewrites them all.
 */
export function childIndexOf(data: unknown): string {
  const child = isPlainObject(data) ? childInData(data) : null
  return currentDataCipher().blindIndex(FISCAL_CODE_INDEX, child?.key ?? '')
}

/**
 * Narrows a query of submissions (any model with `child_key_hash`: named generically, since the
 * submission model computes its index with `childIndexOf`) to the applications that may be for this
 * child: by the index alone, so the database seeks it (tenant and index) instead of reading every
 * application of the form. Every row has one: the model writes it, migrations 0019 and 0044 wrote
 * it for the rows before, and a rotation rewrites it.
 */
export function whereChildMayBe<Model extends LucidModel>(query: ModelQueryBuilderContract<Model>, key: string) {
  return query.whereIn('child_key_hash', currentDataCipher().blindIndexes(FISCAL_CODE_INDEX, key))
}

/**
 * Writes the child's index of the applications that have none (all of them with `everyRow`), in
 * batches by id: the migrations' work, decrypting each row's data with the key ring.
 */
export async function indexApplicationChildren(client: QueryClientContract, options: { everyRow: boolean }) {
  const cipher = currentDataCipher()
  const batch = 500
  let last = 0
  for (;;) {
    const query = client.from('submissions').select('id', 'data').where('id', '>', last).orderBy('id').limit(batch)
    if (!options.everyRow) query.whereNull('child_key_hash')
    const rows = await query
    if (rows.length === 0) break
    for (const row of rows) {
      await client
        .from('submissions')
        .where('id', row.id)
        .update({ child_key_hash: childIndexOf(cipher.clearJson(row.data)) })
    }
    last = rows[rows.length - 1].id
  }
}

/** Narrows an enrolment query to one child, by the blind index of its codice fiscale. */
export function whereSameChild(query: ModelQueryBuilderContract<typeof Enrolment>, key: string) {
  return query.whereIn('child_fiscal_code_hash', currentDataCipher().blindIndexes(FISCAL_CODE_INDEX, key))
}
