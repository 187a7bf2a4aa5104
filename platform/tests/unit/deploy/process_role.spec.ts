import { test } from '@japa/runner'
import { dutiesOf, ProcessRoleError, roleFromEnv } from '#services/infrastructure/process_role'

test.group('Process role', () => {
  test('defaults to everything in one process outside production', ({ assert }) => {
    assert.equal(roleFromEnv({ NODE_ENV: 'development' }), 'all')
    assert.equal(roleFromEnv({}), 'all')
    assert.equal(roleFromEnv({ NODE_ENV: 'test', PROCESS_ROLE: ' worker ' }), 'worker')
  })

  test('must be said in production, and be one of web, worker, all', ({ assert }) => {
    assert.throws(() => roleFromEnv({ NODE_ENV: 'production' }), ProcessRoleError, /PROCESS_ROLE must be set/)
    assert.throws(() => roleFromEnv({ NODE_ENV: 'production', PROCESS_ROLE: 'both' }), /got "both"/)
    assert.equal(roleFromEnv({ NODE_ENV: 'production', PROCESS_ROLE: 'web' }), 'web')
  })

  test('web writes jobs but runs none; worker runs jobs and schedules without HTTP', ({ assert }) => {
    assert.deepInclude(dutiesOf('web'), { http: true, consumers: false, scheduler: false })
    assert.deepInclude(dutiesOf('worker'), { http: false, consumers: true, scheduler: true })
    assert.deepInclude(dutiesOf('all'), { http: true, consumers: true, scheduler: true })
  })
})
