import { test } from '@japa/runner'
import { redisOptionsOf } from '#services/infrastructure/redis_url'

test.group('REDIS_URL: the connection it names', () => {
  test('host, port and database number', ({ assert }) => {
    assert.deepEqual(redisOptionsOf('redis://10.0.0.5:6380/2'), {
      host: '10.0.0.5',
      port: 6380,
      username: undefined,
      password: undefined,
      db: 2,
    })
  })

  test('defaults: port 6379, database 0', ({ assert }) => {
    const options = redisOptionsOf('redis://cache')
    assert.equal(options.port, 6379)
    assert.equal(options.db, 0)
  })

  test('user and password are percent-decoded; rediss: turns TLS on', ({ assert }) => {
    const options = redisOptionsOf('rediss://sport%40ello:p%3Ass%2Fw@redis.example:6390/1')
    assert.equal(options.username, 'sport@ello')
    assert.equal(options.password, 'p:ss/w')
    assert.deepEqual(options.tls, {})
    assert.notProperty(redisOptionsOf('redis://redis.example'), 'tls')
  })
})
