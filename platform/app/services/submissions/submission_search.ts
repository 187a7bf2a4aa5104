/**
 * Search of submissions by codice fiscale and by name, with the data encrypted at rest.
 *
 * A submission's data are one encrypted column: SQL cannot look inside. At each sending, the
 * codici fiscali and the words of the names of the people the form names (the objects at the top
 * of the data holding `first_name`, `last_name` or `fiscal_code`: the paying parent, the child,
 * the applicant) are hashed with the data key (HMAC-SHA256, the blind index of data_cipher.ts) and
 * kept in `submission_search_terms`. A search hashes what the operator typed the same way and
 * matches the hashes:
 * - a codice fiscale (16 letters and digits in its shape) matches exactly, case and spaces aside;
 * - otherwise each word typed (at most five) must be a whole word of a name in the submission,
 *   case and accents aside: "rossi" finds Mario Rossi and Giulia Rossi, "ross" finds nothing.
 * Nothing else (parts of words, phonetic matches) is possible without storing the names in clear.
 * A key rotation (data:reencrypt) computes the terms again under the new key.
 */
import type { QueryClientContract, TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { ModelQueryBuilderContract } from '@adonisjs/lucid/types/model'
import db from '@adonisjs/lucid/services/db'
import type Submission from '#models/submission'
import SubmissionSearchTerm from '#models/submission_search_term'
import {
  DataCipher,
  FISCAL_CODE_INDEX,
  currentDataCipher,
  normaliseFiscalCode,
} from '#services/infrastructure/data_cipher'
import { isPlainObject } from '#forms/json_pointer'
import { CF_PATTERN } from '#forms/codice_fiscale'
import { RequestContext } from '#services/infrastructure/request_context'
import type { AlongsideWrite } from '#queue/types'

/** The blind-index purpose of name words (codici fiscali share the users' and children's purpose). */
export const NAME_WORD_INDEX = 'name_word'
const MAX_WORDS_PER_SUBMISSION = 40
const MAX_QUERY_WORDS = 5
export const MAX_QUERY_LENGTH = 100

/** "D'Angelo-Rossi Nicolò" → ["d", "angelo", "rossi", "nicolo"]: lower case, accents and marks gone. */
export function nameWords(text: string): string[] {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length >= 2)
}

/** The clear terms of a submission's data: codici fiscali and name words of the people it names. */
export function searchTermsOf(data: Record<string, unknown>): { fiscalCodes: string[]; words: string[] } {
  const fiscalCodes = new Set<string>()
  const words = new Set<string>()
  for (const value of Object.values(data)) {
    if (!isPlainObject(value)) continue
    if (typeof value.fiscal_code === 'string' && value.fiscal_code.trim()) {
      fiscalCodes.add(normaliseFiscalCode(value.fiscal_code))
    }
    for (const field of ['first_name', 'last_name']) {
      const name = value[field]
      if (typeof name === 'string') for (const w of nameWords(name.slice(0, 200))) words.add(w)
    }
  }
  return { fiscalCodes: [...fiscalCodes], words: [...words].slice(0, MAX_WORDS_PER_SUBMISSION) }
}

/** The keyed hashes a submission is found by, under the cipher's current key (also for key rotation). */
export function searchHashes(cipher: DataCipher, data: Record<string, unknown>): string[] {
  const { fiscalCodes, words } = searchTermsOf(data)
  return [
    ...new Set([
      ...fiscalCodes.map((cf) => cipher.blindIndex(FISCAL_CODE_INDEX, cf)),
      ...words.map((w) => cipher.blindIndex(NAME_WORD_INDEX, w)),
    ]),
  ]
}

/**
 * Rewrites the search terms of a submission, in the transaction of its sending: one statement for
 * all of them (a sending has a handful), after the old ones are deleted unless the row is `fresh`
 * (created in this very transaction, so it has none).
 */
export async function indexForSearch(
  trx: TransactionClientContract,
  submission: Submission,
  options: { fresh?: boolean; alongside?: AlongsideWrite[] } = {}
) {
  if (!options.fresh) {
    await SubmissionSearchTerm.query({ client: trx }).where('submission_id', submission.id).delete()
  }
  const terms = searchHashes(currentDataCipher(), submission.data ?? {})
  if (terms.length === 0) return
  // Written past the model (one multi-row insert), so its tenant check is made here: the rows take
  // the submission's tenant, which must be the tenant of the context, as for any tenant-owned write.
  const tenant = RequestContext.tenant()
  if (tenant && tenant.id !== submission.tenantId) {
    throw new Error('submission_search_terms: refusing to write rows of another tenant')
  }
  const insert = trx
    .insertQuery()
    .table(SubmissionSearchTerm.table)
    .multiInsert(terms.map((term) => ({ tenant_id: submission.tenantId, submission_id: submission.id, term })))
  // A new sending's terms go with its job's row (one statement on PostgreSQL, enqueueReceipt).
  if (options.alongside) options.alongside.push(insert)
  else await insert
}

/**
 * Narrows a (tenant-scoped) submissions query to those matching what was typed. Hashes are taken
 * under every key of the ring, so a search keeps working while a key rotation is under way.
 */
export function whereMatches(query: ModelQueryBuilderContract<typeof Submission>, tenantId: number, text: string) {
  const cipher = currentDataCipher()
  const compact = normaliseFiscalCode(text)
  // A codice fiscale by its shape, not by its length alone: "Giulia Rossi Verdi" is sixteen letters
  // too, and is three words of a name.
  const groups = CF_PATTERN.test(compact)
    ? [cipher.blindIndexes(FISCAL_CODE_INDEX, compact)]
    : nameWords(text)
        .slice(0, MAX_QUERY_WORDS)
        .map((w) => cipher.blindIndexes(NAME_WORD_INDEX, w))
  // Nothing searchable typed (one letter, punctuation): nothing matches, rather than everything.
  if (groups.length === 0) return query.whereRaw('1 = 0')
  // One subquery joining the terms of every word on the submission, rather than one `id IN (...)`
  // per word: the database intersects the words' (index-only) lists first, then looks up the few
  // submissions left by key. With one subquery per word, PostgreSQL scanned every submission of the
  // tenant to meet each list (a common surname is 10% of an office's applications).
  const [first, ...others] = groups
  const matching = db
    .from('submission_search_terms as t0')
    .select('t0.submission_id')
    .where('t0.tenant_id', tenantId)
    .whereIn('t0.term', first)
  others.forEach((hashes, i) => {
    const alias = `t${i + 1}`
    matching.join(`submission_search_terms as ${alias}`, (on) =>
      on
        .on(`${alias}.submission_id`, '=', 't0.submission_id')
        .andOnVal(`${alias}.tenant_id`, '=', tenantId)
        .andOnIn(`${alias}.term`, hashes)
    )
  })
  return query.whereIn('id', matching)
}

/**
 * Gives the search terms to the sent submissions that have none: those sent before the terms
 * existed (migration 0016), which the inbox's search would otherwise never find. Idempotent: a
 * submission with terms is left alone, so a second run writes nothing; one whose data name no one
 * gets none and is read again by a later run, harmlessly. Runs past the tenant scope (every
 * tenant's rows, each term taking its submission's tenant), in batches by id.
 */
export async function backfillSearchTerms(client: QueryClientContract, batch = 500): Promise<number> {
  const cipher = currentDataCipher()
  let last = 0
  let indexed = 0
  for (;;) {
    const rows = await client
      .from('submissions')
      .select('id', 'tenant_id', 'data')
      .whereNotNull('submitted_at')
      .where('id', '>', last)
      .whereNotExists((q) =>
        q
          .from('submission_search_terms')
          .select('id')
          .whereRaw('submission_search_terms.submission_id = submissions.id')
      )
      .orderBy('id')
      .limit(batch)
    if (rows.length === 0) return indexed
    const terms = rows.flatMap((row) => {
      const clear = cipher.clearJson(row.data)
      const hashes = searchHashes(cipher, isPlainObject(clear) ? clear : {})
      if (hashes.length) indexed++
      return hashes.map((term) => ({ tenant_id: row.tenant_id, submission_id: row.id, term }))
    })
    // Slices keep a statement under SQLite's bound-parameter limit (40 words + codes per submission).
    for (let i = 0; i < terms.length; i += 300) {
      await client
        .insertQuery()
        .table('submission_search_terms')
        .multiInsert(terms.slice(i, i + 300))
    }
    last = rows[rows.length - 1].id
  }
}
