import { DateTime } from 'luxon'
import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { jobQueue } from '#queue/queue_factory'
import { randomBytes } from 'node:crypto'
import { DataCipher, currentDataCipher, setDataCipher } from '#services/infrastructure/data_cipher'
import { reencryptAll } from '#services/infrastructure/data_reencryption'
import { makeUser } from '#tests/helpers/world'
import { INBOX_PAGE_SIZE } from '#controllers/inbox_controller'
import { backfillSearchTerms, nameWords, searchTermsOf } from '#services/submissions/submission_search'
import { FORM, forChild, refezioneTenant } from './world.js'
import { transactionWithJobs } from '../../helpers/world.js'

type Row = { id: number; status: string; child: { name: string; fiscalCode: string }; applicant: { name: string } }

test.group('Back office: the inbox of applications', (group) => {
  group.each.setup(() => transactionWithJobs())

  test('names are searched by whole words, case and accents aside; codici fiscali as they are', ({ assert }) => {
    assert.deepEqual(nameWords("D'Angelo-Rossi Nicolò"), ['angelo', 'rossi', 'nicolo'])
    const terms = searchTermsOf({
      payer: { first_name: 'Mario', last_name: 'Rossi', fiscal_code: 'rssmra85t10a562s' },
      student: { first_name: 'Giulia', last_name: 'Rossi', fiscal_code: 'STTSGT90A01H501J' },
      siblings: [{ first_name: 'Not', last_name: 'Indexed' }],
      note: 'Ferrari',
    })
    assert.sameMembers(terms.fiscalCodes, ['RSSMRA85T10A562S', 'STTSGT90A01H501J'])
    assert.sameMembers(terms.words, ['mario', 'rossi', 'giulia'])
  })

  test('a search by several words finds exactly the applications naming every word, and counts them', async ({
    client,
    assert,
  }) => {
    const { citizen, operator, base, sample } = await refezioneTenant()
    const firsts = ['Giulia', 'Marco', 'Sofia']
    const lasts = ['Rossi', 'Bianchi', 'Rossi Verdi']
    const sent: Array<{ id: number; words: string[] }> = []
    for (let n = 0; n < 9; n++) {
      const data = forChild(sample, n)
      const student = data.student as Record<string, unknown>
      student.first_name = firsts[n % 3]
      student.last_name = lasts[Math.floor(n / 3)]
      const answer = await client.post(`${base}/forms/${FORM}/submit`).json({ data }).loginAs(citizen)
      answer.assertStatus(201)
      sent.push({ id: answer.body().submission.id, words: searchTermsOf(data).words })
    }
    await jobQueue().drained()
    const queries = ['rossi', 'Rossi Giulia', 'giulia ROSSI verdi', 'rossi rossi', 'Bianchi Sofia Marco', 'verdi mario']
    for (const q of queries) {
      const wanted = nameWords(q)
      const expected = sent.filter((s) => wanted.every((w) => s.words.includes(w))).map((s) => s.id)
      const found = await client.get(`${base}/inbox`).qs({ q }).loginAs(operator)
      found.assertStatus(200)
      const ids = found.body().submissions.map((r: Row) => r.id)
      assert.sameMembers(
        ids,
        expected,
        `"${q}" should find ${expected.join(', ') || 'nothing'}, found ${ids.join(', ')}`
      )
      assert.equal(found.body().total, expected.length, `"${q}": the counts should add up to the applications found`)
    }
  })

  test('filters, search, counts per status and keyset pages; the data stay encrypted', async ({ client, assert }) => {
    const { tenant, citizen, operator, base, sample } = await refezioneTenant()
    const ids: number[] = []
    for (let n = 0; n < INBOX_PAGE_SIZE + 3; n++) {
      const data = forChild(sample, n)
      if (n === 4) (data.student as Record<string, unknown>).last_name = 'Nicolò'
      const sent = await client.post(`${base}/forms/${FORM}/submit`).json({ data }).loginAs(citizen)
      sent.assertStatus(201)
      ids.push(sent.body().submission.id)
    }
    await jobQueue().drained()
    const move = (id: number, status: string, reason?: string) =>
      client.post(`${base}/submissions/${id}/status`).json({ status, reason }).loginAs(operator)
    ;(await move(ids[0], 'needs_completion', 'Manca il documento')).assertStatus(200)
    ;(await move(ids[1], 'rejected', 'Fuori termine')).assertStatus(200)
    // A draft is the citizen's own: never in the inbox.
    const draft = await client.post(`${base}/forms/${FORM}/submissions`).json({ data: sample }).loginAs(citizen)
    draft.assertStatus(201)

    const all = await client.get(`${base}/inbox`).loginAs(operator)
    all.assertStatus(200)
    assert.equal(all.body().total, ids.length)
    assert.equal(all.body().counts.needs_completion, 1)
    assert.equal(all.body().counts.rejected, 1)
    assert.equal(all.body().counts.protocolled + all.body().counts.submitted, ids.length - 2)
    const first: Row[] = all.body().submissions
    assert.lengthOf(first, INBOX_PAGE_SIZE)
    assert.equal(first[0].id, ids.at(-1))
    assert.equal(first[0].applicant.name, 'Mario Rossi')
    assert.notInclude(
      first.map((r) => r.id),
      draft.body().submission.id
    )

    // The next page starts after the last one seen, and ends the list.
    const second = await client.get(`${base}/inbox`).qs({ after: all.body().next }).loginAs(operator)
    second.assertStatus(200)
    assert.deepEqual(
      [...first, ...second.body().submissions].map((r: Row) => r.id),
      [...ids].reverse()
    )
    assert.isNull(second.body().next)
    const oldest = await client.get(`${base}/inbox`).qs({ sort: 'oldest' }).loginAs(operator)
    assert.equal(oldest.body().submissions[0].id, ids[0])

    // By status: the page narrows, the counts stay those of the other filters.
    const completing = await client.get(`${base}/inbox`).qs({ status: 'needs_completion' }).loginAs(operator)
    assert.deepEqual(
      completing.body().submissions.map((r: Row) => r.id),
      [ids[0]]
    )
    assert.equal(completing.body().total, ids.length)

    // By the child's codice fiscale, in any case and with spaces; by a name word, accents aside.
    const child = forChild(sample, 7).student as { fiscal_code: string }
    const byCode = await client
      .get(`${base}/inbox`)
      .qs({ q: ` ${child.fiscal_code.toLowerCase().slice(0, 6)} ${child.fiscal_code.toLowerCase().slice(6)}` })
      .loginAs(operator)
    assert.deepEqual(
      byCode.body().submissions.map((r: Row) => r.id),
      [ids[7]]
    )
    const byName = await client.get(`${base}/inbox`).qs({ q: 'NICOLO figlio' }).loginAs(operator)
    assert.deepEqual(
      byName.body().submissions.map((r: Row) => r.id),
      [ids[4]]
    )
    assert.equal(byName.body().total, 1)
    const partial = await client.get(`${base}/inbox`).qs({ q: 'nico' }).loginAs(operator)
    assert.lengthOf(partial.body().submissions, 0)
    const payer = await client.get(`${base}/inbox`).qs({ q: 'rssmra85t10a562s' }).loginAs(operator)
    assert.equal(payer.body().total, ids.length)

    // Dates and school year of sending.
    // Days are the ente's (Europe/Rome): in the last hour or two of a UTC day, Rome is already on the next.
    const today = DateTime.now().setZone('Europe/Rome').toISODate()!
    const dated = await client.get(`${base}/inbox`).qs({ from: today, to: today }).loginAs(operator)
    assert.equal(dated.body().total, ids.length)
    const before = await client.get(`${base}/inbox`).qs({ to: '2020-01-01' }).loginAs(operator)
    assert.equal(before.body().total, 0)
    const year = Number(today.slice(0, 4)) - (Number(today.slice(5, 7)) < 3 ? 1 : 0)
    const thisYear = await client
      .get(`${base}/inbox`)
      .qs({ school_year: `${year}/${year + 1}` })
      .loginAs(operator)
    assert.equal(thisYear.body().total, ids.length)
    const lastYear = await client
      .get(`${base}/inbox`)
      .qs({ school_year: `${year - 1}/${year}` })
      .loginAs(operator)
    assert.equal(lastYear.body().total, 0)
    const otherForm = await client.get(`${base}/inbox`).qs({ form: 'trasporto.iscrizione' }).loginAs(operator)
    assert.equal(otherForm.body().total, 0)

    // What is stored to search by is hashes, never the names or codes.
    const terms = await db.from('submission_search_terms').where('tenant_id', tenant.id).select('term')
    assert.isAbove(terms.length, 0)
    for (const { term } of terms) {
      assert.notMatch(term, /rossi|mario|figlio|STTSGT/i)
    }
  })

  test('by school: the page and the counts narrow to the applications naming that school', async ({
    client,
    assert,
  }) => {
    const { citizen, operator, base, sample } = await refezioneTenant()
    const ids: number[] = []
    for (let n = 0; n < 4; n++) {
      const data = forChild(sample, n)
      if (n % 2 === 1) Object.assign(data, { school_id: 'pc-primaria-carducci', class_year: '1', section: 'A' })
      const sent = await client.post(`${base}/forms/${FORM}/submit`).json({ data }).loginAs(citizen)
      sent.assertStatus(201)
      ids.push(sent.body().submission.id)
    }
    await jobQueue().drained()
    ;(
      await client
        .post(`${base}/submissions/${ids[1]}/status`)
        .json({ status: 'rejected', reason: 'Fuori termine' })
        .loginAs(operator)
    ).assertStatus(200)

    const carducci = await client.get(`${base}/inbox`).qs({ school: 'pc-primaria-carducci' }).loginAs(operator)
    carducci.assertStatus(200)
    assert.deepEqual(
      carducci.body().submissions.map((r: Row) => r.id),
      [ids[3], ids[1]]
    )
    assert.equal(carducci.body().total, 2)
    assert.equal(carducci.body().counts.rejected, 1)
    const rejected = await client
      .get(`${base}/inbox`)
      .qs({ school: 'pc-primaria-carducci', status: 'rejected' })
      .loginAs(operator)
    assert.deepEqual(
      rejected.body().submissions.map((r: Row) => r.id),
      [ids[1]]
    )
    const alberoni = await client.get(`${base}/inbox`).qs({ school: 'pc-primaria-alberoni' }).loginAs(operator)
    assert.deepEqual(
      alberoni.body().submissions.map((r: Row) => r.id),
      [ids[2], ids[0]]
    )
    assert.equal(alberoni.body().counts.rejected, 0)
    const none = await client.get(`${base}/inbox`).qs({ school: 'pc-nido-girasole' }).loginAs(operator)
    assert.equal(none.body().total, 0)
    // What is exported follows the same filter.
    const csv = await client
      .get(`${base}/inbox/export`)
      .qs({ format: 'csv', school: 'pc-primaria-carducci' })
      .loginAs(operator)
    csv.assertStatus(200)
    assert.lengthOf(csv.text().trim().split('\n'), 3)
    // The school is kept in clear beside the encrypted data, and nothing else of it.
    const stored = await db.from('submissions').whereIn('id', ids).orderBy('id').select('school_code', 'data')
    assert.deepEqual(
      stored.map((r) => r.school_code),
      ['pc-primaria-alberoni', 'pc-primaria-carducci', 'pc-primaria-alberoni', 'pc-primaria-carducci']
    )
    assert.notInclude(String(stored[0].data), 'alberoni')
    const wrong = await client.get(`${base}/inbox`).qs({ school: 'Not A Code!' }).loginAs(operator)
    wrong.assertStatus(422)
    assert.equal(wrong.body().errors[0].path, '/school')
  })

  test('applications sent before the search terms existed are found once the backfill has run, which runs once', async ({
    client,
    assert,
  }) => {
    const { tenant, citizen, operator, base, sample } = await refezioneTenant()
    const ids: number[] = []
    for (let n = 0; n < 3; n++) {
      const sent = await client
        .post(`${base}/forms/${FORM}/submit`)
        .json({ data: forChild(sample, n) })
        .loginAs(citizen)
      sent.assertStatus(201)
      ids.push(sent.body().submission.id)
    }
    const draft = await client.post(`${base}/forms/${FORM}/submissions`).json({ data: sample }).loginAs(citizen)
    draft.assertStatus(201)
    await jobQueue().drained()
    // As they were before migration 0016: sent, without terms.
    const before = await db.from('submission_search_terms').whereIn('submission_id', ids).count('* as n')
    await db.from('submission_search_terms').whereIn('submission_id', [ids[0], ids[1]]).delete()
    const child = forChild(sample, 1).student as { fiscal_code: string }
    const search = (q: string) => client.get(`${base}/inbox`).qs({ q }).loginAs(operator)
    assert.equal((await search(child.fiscal_code)).body().total, 0)
    assert.equal((await search('rossi')).body().total, 1)

    assert.equal(await backfillSearchTerms(db.connection()), 2)
    const byCode = await search(child.fiscal_code)
    assert.deepEqual(
      byCode.body().submissions.map((r: Row) => r.id),
      [ids[1]]
    )
    const byName = await search('Mario Rossi')
    assert.sameMembers(
      byName.body().submissions.map((r: Row) => r.id),
      ids
    )
    const after = await db.from('submission_search_terms').whereIn('submission_id', ids).count('* as n')
    assert.equal(Number(after[0].n), Number(before[0].n))
    const rows = await db.from('submission_search_terms').where('tenant_id', tenant.id).select('term')
    for (const { term } of rows) assert.notMatch(term, /rossi|mario|STTSGT/i)
    // Run again (migration:run on a database already done): nothing more is written.
    assert.equal(await backfillSearchTerms(db.connection()), 0)
    const again = await db.from('submission_search_terms').whereIn('submission_id', ids).count('* as n')
    assert.equal(Number(again[0].n), Number(before[0].n))
    // A draft is never searched: it gets no terms.
    assert.lengthOf(await db.from('submission_search_terms').where('submission_id', draft.body().submission.id), 0)
  })

  test('wrong parameters are named, one by one; only operators and administrators read it', async ({
    client,
    assert,
  }) => {
    const { tenant, citizen, operator, base } = await refezioneTenant()
    const bad = await client
      .get(`${base}/inbox`)
      .qs({
        status: 'draft',
        sort: 'sideways',
        from: '2026-13-01',
        school_year: '2026/2028',
        after: 'x',
        q: 'x'.repeat(101),
      })
      .loginAs(operator)
    bad.assertStatus(422)
    assert.sameMembers(
      bad.body().errors.map((e: { path: string }) => e.path),
      ['/status', '/sort', '/from', '/school_year', '/after', '/q']
    )
    assert.include(bad.body().errors[0].message, 'submitted')
    const swapped = await client.get(`${base}/inbox`).qs({ from: '2026-05-01', to: '2026-04-01' }).loginAs(operator)
    swapped.assertStatus(422)
    for (const roles of [['citizen'], ['kitchen'], ['school_staff'], ['designer']] as const) {
      const user = roles[0] === 'citizen' ? citizen : await makeUser(tenant, [...roles])
      const refused = await client.get(`${base}/inbox`).loginAs(user)
      refused.assertStatus(403)
    }
    const admin = await makeUser(tenant, ['tenant_admin'])
    ;(await client.get(`${base}/inbox`).loginAs(admin)).assertStatus(200)
  })

  test('staff read the form version an application was made on, and preview its attachment inline', async ({
    client,
    assert,
  }) => {
    const { citizen, operator, base, sample } = await refezioneTenant()
    const sent = await client.post(`${base}/forms/${FORM}/submit`).json({ data: sample }).loginAs(citizen)
    sent.assertStatus(201)
    const id = sent.body().submission.id
    const form = await client.get(`${base}/submissions/${id}/form`).loginAs(operator)
    form.assertStatus(200)
    assert.equal(form.body().formKey, FORM)
    assert.equal(form.body().version, sent.body().submission.formVersion)
    assert.properties(form.body().definition.schema, ['properties'])
    ;(await client.get(`${base}/submissions/${id}/form`).loginAs(citizen)).assertStatus(403)

    const fid = (sample.identity_document as { file_id: string }).file_id
    const download = await client.get(`${base}/attachments/${fid}`).loginAs(operator)
    download.assertStatus(200)
    assert.match(download.header('content-disposition') ?? '', /^attachment;/)
    const preview = await client.get(`${base}/attachments/${fid}`).qs({ inline: '1' }).loginAs(operator)
    assert.match(preview.header('content-disposition') ?? '', /^inline;/)
    assert.equal(preview.header('content-type'), 'application/pdf')
  })

  test('after a key rotation the search terms are under the new key, and names are still found without the old one', async ({
    client,
    assert,
  }) => {
    const { citizen, operator, base, sample } = await refezioneTenant()
    const sent = await client.post(`${base}/forms/${FORM}/submit`).json({ data: sample }).loginAs(citizen)
    sent.assertStatus(201)
    await jobQueue().drained()
    const original = currentDataCipher()
    const newKey = `rot:${randomBytes(32).toString('base64')}`
    try {
      setDataCipher(new DataCipher(`${newKey},${process.env.DATA_ENCRYPTION_KEYS!}`))
      const report = await reencryptAll()
      assert.equal(report.failureCount, 0, JSON.stringify(report.failures))
      const terms = await db.from('submission_search_terms').where('submission_id', sent.body().submission.id)
      assert.isAbove(terms.length, 0)
      for (const { term } of terms) assert.match(term, /^rot:/)
      // Only the new key: the old hashes would match nothing.
      setDataCipher(new DataCipher(newKey))
      const found = await client.get(`${base}/inbox`).qs({ q: 'giulia ROSSI' }).loginAs(operator)
      found.assertStatus(200)
      assert.deepEqual(
        found.body().submissions.map((r: Row) => r.id),
        [sent.body().submission.id]
      )
    } finally {
      // Files live outside the transaction: back under the development key.
      setDataCipher(new DataCipher(`${process.env.DATA_ENCRYPTION_KEYS!},${newKey}`))
      await reencryptAll()
      setDataCipher(original)
    }
  })
})
