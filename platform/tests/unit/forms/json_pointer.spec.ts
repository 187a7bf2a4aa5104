/**
 * JSON Pointers parsed once and kept: the same segments every time, escapes decoded, and the kept
 * arrays frozen so that a caller cannot change what the next one reads.
 */
import { test } from '@japa/runner'
import { getAt, parsePointer } from '#forms/json_pointer'

test.group('JSON Pointer: parsed segments kept', () => {
  test('the same pointer gives the same segments, escapes decoded, at every call', ({ assert }) => {
    assert.deepEqual(parsePointer('/a~1b/c~0d/0'), ['a/b', 'c~d', '0'])
    assert.deepEqual(parsePointer('/a~1b/c~0d/0'), ['a/b', 'c~d', '0'])
    assert.deepEqual(parsePointer(''), [])
    assert.throws(() => parsePointer('a/b'), /must start with "\/"/)
  })

  test('a kept array cannot be changed by a caller', ({ assert }) => {
    const segments = parsePointer('/student/fiscal_code') as string[]
    assert.throws(() => segments.push('x'))
    assert.deepEqual(parsePointer('/student/fiscal_code'), ['student', 'fiscal_code'])
    assert.equal(getAt({ student: { fiscal_code: 'X' } }, '/student/fiscal_code'), 'X')
  })

  test('more pointers than are kept still parse right', ({ assert }) => {
    for (let i = 0; i < 5000; i++) assert.deepEqual(parsePointer(`/p/${i}`), ['p', String(i)])
    assert.equal(getAt({ p: ['a', 'b'] }, '/p/1'), 'b')
  })
})
