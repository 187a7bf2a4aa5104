import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'

test.group('GET /health (liveness)', () => {
  test('answers that the process is up, with its role, touching nothing else', async ({ client, assert }) => {
    const response = await client.get('/health')
    response.assertStatus(200)
    assert.deepEqual(response.body(), { status: 'ok', role: 'all' })
  })
})

test.group('GET /ready (readiness)', () => {
  test('reports the database, the queue and the migrations as ready', async ({ client, assert }) => {
    const response = await client.get('/ready')
    response.assertStatus(200)
    assert.equal(response.body().status, 'ready')
    assert.isTrue(response.body().checks.database.ok)
    assert.isTrue(response.body().checks.queue.ok)
    assert.include(['in-process', 'bullmq'], response.body().checks.queue.driver)
    assert.isTrue(response.body().checks.migrations.ok)
    assert.deepEqual(response.body().errors, [])
  })

  test('is 503 naming a migration this build has and the database lacks', async ({ client, assert }) => {
    const last = await db.from('adonis_schema').orderBy('id', 'desc').first()
    // The newest migration as if not yet applied, then put back.
    await db
      .from('adonis_schema')
      .where('id', last.id)
      .update({ name: `${last.name}-hidden` })
    try {
      const response = await client.get('/ready')
      response.assertStatus(503)
      assert.equal(response.body().status, 'unavailable')
      assert.deepEqual(response.body().checks.migrations.pending, [last.name])
      assert.deepEqual(
        response.body().errors.map((e: { path: string; rule: string }) => [e.path, e.rule]),
        [['migrations', 'ready:migrations']]
      )
      assert.include(response.body().errors[0].message, 'migration:run --force')
    } finally {
      await db.from('adonis_schema').where('id', last.id).update({ name: last.name })
    }
  })
})
