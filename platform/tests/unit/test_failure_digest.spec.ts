import { test } from '@japa/runner'
import { EventEmitter } from 'node:events'
import { FailureDigest } from '#tests/helpers/failure_digest'

test.group('The failure digest at the end of a run', () => {
  test('lists each failed test with its file and the first lines of its message, without colours', ({ assert }) => {
    const emitter = new EventEmitter()
    const digest = new FailureDigest()
    digest.plugin({ emitter } as never)
    const locator = new Error(
      `\u001b[31mlocator.fill: Timeout 30000ms exceeded.\u001b[39m\nCall log:\n  - waiting for getByLabel('Valida dal')\n${'  - more\n'.repeat(20)}`
    )
    emitter.emit('test:end', {
      title: { original: 'a designer', expanded: 'a designer publishes' },
      meta: { fileName: 'tests/browser/designer_rulesets.spec.ts' },
      hasError: true,
      errors: [{ phase: 'test', error: locator }],
    })
    emitter.emit('test:end', { title: { expanded: 'passes' }, meta: {}, hasError: false, errors: [] })
    emitter.emit('test:end', {
      title: { expanded: 'passes the second time' },
      meta: { fileName: 'tests/browser/tablet.spec.ts' },
      hasError: false,
      errors: [],
      retryAttempt: 2,
    })
    // The group of a failed test fails too, with no error of its own: not listed a second time.
    emitter.emit('group:end', { title: 'Designer', hasError: true, errors: [] })
    emitter.emit('group:end', {
      title: 'Setup broke',
      hasError: true,
      errors: [{ phase: 'setup', error: new Error('no db') }],
    })
    let printed = ''
    digest.print((text) => (printed += text))
    assert.include(printed, '✖ tests/browser/designer_rulesets.spec.ts › a designer publishes')
    assert.include(
      printed,
      "[test] Error: locator.fill: Timeout 30000ms exceeded.\n    Call log:\n      - waiting for getByLabel('Valida dal')"
    )
    assert.notInclude(printed, '\u001b[')
    assert.notInclude(printed, '› passes\n')
    assert.include(
      printed,
      'Passed only after a failed attempt (1):\n↻ tests/browser/tablet.spec.ts › passes the second time: passed on attempt 2'
    )
    assert.notInclude(printed, 'group: Designer')
    assert.include(printed, '› group: Setup broke\n    [setup] Error: no db')
    assert.include(printed, 'Failed (2):')
    assert.isBelow(printed.split('\n').length, 20, 'a long call log is cut')
  })
})
