import { test } from '@japa/runner'

test.group('GET /health', () => {
  test('reports the database and the queue as up', async ({ client, assert }) => {
    const response = await client.get('/health')
    response.assertStatus(200)
    assert.equal(response.body().status, 'ok')
    assert.isTrue(response.body().database.ok)
    assert.isTrue(response.body().queue.ok)
    assert.include(['in-process', 'bullmq'], response.body().queue.driver)
  })
})
