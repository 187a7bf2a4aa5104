/**
 * What one sending costs the database: the statements a real submit runs, from the session read to
 * the answer, counted on the app's own connection. The count is a ceiling that only goes down: a
 * change that adds statements to every sending fails here (see docs/security.md, "Under load").
 */
import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { RequestContext } from '#services/infrastructure/request_context'
import { transactionWithJobs } from '#tests/helpers/world'
import Submission from '#models/submission'
import { currentDataCipher } from '#services/infrastructure/data_cipher'
import { searchHashes } from '#services/submissions/submission_search'
import { FORM, forChild, refezioneTenant } from './world.js'

/**
 * The ceiling: lower it when a change saves a statement, never raise it without saying why. On
 * PostgreSQL a sending's search terms and documents' link go with its job's row in one statement
 * (data-modifying WITH clauses, job_store.ts): two round trips fewer than SQLite's separate calls.
 */
const MAX_STATEMENTS = 14
const MAX_STATEMENTS_POSTGRES = 12

const BASE = `http://${process.env.HOST === '0.0.0.0' ? '127.0.0.1' : process.env.HOST}:${process.env.PORT}`

const DISPATCHER = /^(update|select)\b.*\bfrom [`"]jobs[`"]|^update [`"]jobs[`"]/i

/** Every statement run on behalf of a request of `userId`, by the context it ran in (jobs have their own). */
function statementsOf(userId: number) {
  const byContext = new Map<object, string[]>()
  const listener = (query: { sql: string }) => {
    const store = RequestContext.current()
    if (!store) return
    // The in-process queue's dispatcher, woken by the commit, claims and completes the receipt job
    // from the request's context: that is the job's work (jobs.spec.ts), not the sending's.
    if (DISPATCHER.test(query.sql)) return
    const list = byContext.get(store) ?? []
    list.push(query.sql)
    byContext.set(store, list)
  }
  const knex = db.connection().getWriteClient()
  knex.on('query', listener)
  return {
    stop() {
      knex.off('query', listener)
      return [...byContext]
        .filter(([store]) => (store as { actor?: { userId: number | null } }).actor?.userId === userId)
        .flatMap(([, l]) => l)
    },
  }
}

async function loginCookie(email: string) {
  const response = await fetch(`${BASE}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'secret-password' }),
  })
  return response.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ')
}

test.group('Forms: the statements of one sending', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('a real submit runs at most the statements counted here, session included', async ({ assert }) => {
    const { citizen, base, sample } = await refezioneTenant()
    const cookie = await loginCookie(citizen.email)
    const send = (n: number) =>
      fetch(`${BASE}${base}/forms/${FORM}/submit`, {
        method: 'POST',
        headers: { 'cookie': cookie, 'content-type': 'application/json', 'accept': 'application/json' },
        body: JSON.stringify({ data: forChild(sample, n) }),
      })
    // The first sending warms what a process keeps (the form version, the compiled validator).
    assert.equal((await send(1)).status, 201)
    const counting = statementsOf(citizen.id)
    const response = await send(2)
    const statements = counting.stop()
    assert.equal(response.status, 201, await response.text())
    // 33 before: the session touched at every request, the form's service read twice, the answer's
    // version and history read back, one insert per search term after a delete on a new row (23
    // without those); the school catalog (3), the enabled services, the form and its head version
    // read at every request (17 with them kept under the tenant's content stamp). 18: the canteen's
    // form reads the family's overdue debt (one indexed read of its open positions). 17: the tenant
    // and the user's membership in it read together by the tenant middleware. 16: a new sending's two
    // history steps (created, sent) written by one insert. 15: the services a domain event reaches are
    // those the request found enabled (kept under the tenant's content stamp), not read again. 14: the
    // user read with the tenant and the membership by one statement (user_with_tenant_provider.ts).
    const postgres = db.connection().dialect.name === 'postgres'
    assert.isAtMost(statements.length, postgres ? MAX_STATEMENTS_POSTGRES : MAX_STATEMENTS, statements.join('\n'))
    // An unchanged session is not written at every request (session_touch.ts).
    assert.notMatch(statements.join('\n'), /update [`"]sessions[`"]/)
  })
  test('the terms, the documents and the job of a sending are written as before, in one statement on PostgreSQL', async ({
    assert,
  }) => {
    const { tenant, citizen, base, sample } = await refezioneTenant()
    const cookie = await loginCookie(citizen.email)
    const counting = statementsOf(citizen.id)
    const response = await fetch(`${BASE}${base}/forms/${FORM}/submit`, {
      method: 'POST',
      headers: { 'cookie': cookie, 'content-type': 'application/json', 'accept': 'application/json' },
      body: JSON.stringify({ data: forChild(sample, 3) }),
    })
    const statements = counting.stop()
    assert.equal(response.status, 201)
    const id = ((await response.json()) as { submission: { id: number } }).submission.id
    const stored = await RequestContext.withTenant(tenant.ref, () => Submission.findOrFail(id))
    // The same rows as separate statements write: every term of the data, the identity document
    // linked, the receipt job under its key, all in the sending's tenant.
    const terms = await db.from('submission_search_terms').where('submission_id', id).orderBy('term')
    assert.sameMembers(
      terms.map((t) => t.term),
      searchHashes(currentDataCipher(), stored.data ?? {})
    )
    assert.isAbove(terms.length, 0)
    assert.isTrue(terms.every((t) => Number(t.tenant_id) === tenant.id))
    const linked = await db.from('attachments').where('submission_id', id)
    assert.lengthOf(linked, 1)
    assert.equal(Number(linked[0].tenant_id), tenant.id)
    // The key ends with the sending's time to the millisecond, which SQLite's column does not keep.
    const job = await db.from('jobs').whereLike('key', `receipt:${tenant.id}:${id}:%`).first()
    assert.exists(job, 'the receipt job')
    assert.deepEqual(JSON.parse(job.payload), { submissionId: id })
    assert.equal(Number(job.tenant_id), tenant.id)
    const together = statements.filter((sql) => /^with\b.*\binsert into "jobs"/is.test(sql))
    if (db.connection().dialect.name === 'postgres') {
      assert.lengthOf(together, 1, statements.join('\n'))
      assert.match(together[0], /insert into "submission_search_terms"/)
      assert.match(
        together[0],
        /update "attachments" set "submission_id" = \$\d+ where "attachments"."tenant_id" = \$\d+/
      )
    } else {
      assert.lengthOf(together, 0)
    }
  })
})
