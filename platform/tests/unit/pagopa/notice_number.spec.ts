import { test } from '@japa/runner'
import fc from 'fast-check'
import {
  checkDigits,
  formatNoticeNumber,
  MAX_BASE,
  noticeNumber,
  NoticeNumberError,
  parseNoticeNumber,
  RESERVED_SEGREGATION_CODES,
  segregationCodeProblem,
} from '#integrations/pagopa/notice_number'

test.group('Notice numbers (NAV) and IUV', () => {
  test('the verified vectors of the pagoPA specification', ({ assert }) => {
    // 3020320027000002 mod 93 = 51
    assert.equal(checkDigits('3020320027000002'), '51')
    assert.equal(noticeNumber('02', '0320027000002').nav, '302032002700000251')
    const first = noticeNumber('01', 1)
    assert.equal(first.nav, '301000000000000144')
    assert.equal(first.iuv, '01000000000000144')
    assert.equal(first.base, '0000000000001')
  })

  test('the check digits are the 16-digit prefix mod 93, computed exactly beyond 2^53', ({ assert }) => {
    // 3999999999999999 > Number.MAX_SAFE_INTEGER: a float would round it.
    assert.equal(checkDigits('3999999999999999'), (3999999999999999n % 93n).toString().padStart(2, '0'))
    assert.equal(
      noticeNumber('12', MAX_BASE).nav,
      `3129999999999999${(3129999999999999n % 93n).toString().padStart(2, '0')}`
    )
  })

  test('property: every NAV has 18 digits, starts with 3 + segregation code, IUV = last 17, and reads back', ({
    assert,
  }) => {
    const codes = fc
      .integer({ min: 0, max: 99 })
      .map((n) => String(n).padStart(2, '0'))
      .filter((c) => !(RESERVED_SEGREGATION_CODES as readonly string[]).includes(c))
    fc.assert(
      fc.property(codes, fc.bigInt({ min: 1n, max: MAX_BASE }), (code, base) => {
        const n = noticeNumber(code, base)
        assert.match(n.nav, /^3\d{17}$/)
        assert.equal(n.nav.slice(1, 3), code)
        assert.equal(n.iuv, n.nav.slice(1))
        assert.equal(BigInt(n.base), base)
        assert.equal(Number(n.nav.slice(16)), Number(BigInt(n.nav.slice(0, 16)) % 93n))
        assert.deepEqual(parseNoticeNumber(n.nav), n)
      }),
      { numRuns: 500 }
    )
  })

  test('property: distinct bases give distinct NAVs; a changed digit or two swapped digits fail the check', ({
    assert,
  }) => {
    // 93 = 3 × 31 and 31 divides no d × 10^k with 0 < |d| ≤ 9, so mod 93 catches every single-digit
    // change and every swap of two different adjacent digits.
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: MAX_BASE - 1n }),
        fc.integer({ min: 0, max: 15 }),
        fc.integer({ min: 1, max: 9 }),
        (base, pos, delta) => {
          const nav = noticeNumber('01', base).nav
          assert.notEqual(nav, noticeNumber('01', base + 1n).nav)
          const changed = `${nav.slice(0, pos)}${(Number(nav[pos]) + delta) % 10}${nav.slice(pos + 1)}`
          assert.isNull(parseNoticeNumber(changed), `${changed} (from ${nav}) should fail`)
          if (pos < 15 && nav[pos] !== nav[pos + 1]) {
            const swapped = `${nav.slice(0, pos)}${nav[pos + 1]}${nav[pos]}${nav.slice(pos + 2)}`
            assert.isNull(parseNoticeNumber(swapped), `${swapped} (from ${nav}) should fail`)
          }
        }
      ),
      { numRuns: 1000 }
    )
  })

  test('a wrong check digit or aux digit is not a notice number', ({ assert }) => {
    assert.isNull(parseNoticeNumber('301000000000000145'))
    assert.isNull(parseNoticeNumber('001000000000000144'))
    assert.isNull(parseNoticeNumber('30100000000000014'))
  })

  test('segregation codes: two digits, not a national reserved one', ({ assert }) => {
    assert.isNull(segregationCodeProblem('01'))
    assert.isNull(segregationCodeProblem('48'))
    for (const reserved of ['99', '98', '97', '96', '85', '81', '47']) {
      assert.match(segregationCodeProblem(reserved)!.en, /reserved for national services/)
      assert.throws(() => noticeNumber(reserved, 1), NoticeNumberError as never)
    }
    for (const wrong of ['1', '001', 'ab', 1, null]) assert.isNotNull(segregationCodeProblem(wrong))
  })

  test('bases outside 1 … 10^13 − 1 are refused', ({ assert }) => {
    assert.throws(() => noticeNumber('01', 0), /between 1 and/)
    assert.throws(() => noticeNumber('01', MAX_BASE + 1n), /between 1 and/)
  })

  test('printed in groups of four', ({ assert }) => {
    assert.equal(formatNoticeNumber('301000000000000144'), '3010 0000 0000 0001 44')
  })
})
