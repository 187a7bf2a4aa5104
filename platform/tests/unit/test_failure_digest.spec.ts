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

  test('names the slowest files of a long run, and nothing of that in a short one', ({ assert }) => {
    const emitter = new EventEmitter()
    const digest = new FailureDigest()
    digest.plugin({ emitter } as never)
    const end = (fileName: string, duration: number) =>
      emitter.emit('test:end', { title: { expanded: 't' }, meta: { fileName }, hasError: false, errors: [], duration })
    end('tests/unit/fast.spec.ts', 5)
    assert.deepEqual(digest.slowest(3, 2), [], 'one test is not a long run')
    end('tests/browser/slow.spec.ts', 40_000)
    end('tests/browser/slow.spec.ts', 2_000)
    end('tests/functional/middle.spec.ts', 9_000)
    end('tests/unit/other.spec.ts', 1)
    const lines = digest.slowest(3, 2)
    assert.deepEqual(lines.slice(1), [
      '    42.0 s  tests/browser/slow.spec.ts',
      '     9.0 s  tests/functional/middle.spec.ts',
      '     0.0 s  tests/unit/fast.spec.ts',
    ])
    assert.include(lines[0], 'of 5 tests, 51 s in tests')
  })
})
