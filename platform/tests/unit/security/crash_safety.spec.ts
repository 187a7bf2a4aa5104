import { test } from '@japa/runner'
import { contentDisposition } from '#services/infrastructure/content_disposition'
import { invalidHeaders } from '#middleware/response_guard_middleware'
import { judge } from '#services/infrastructure/process_safety'

test.group('Headers built from user data', () => {
  test('content-disposition: ASCII fallback plus the UTF-8 name in filename*', ({ assert }) => {
    assert.equal(
      contentDisposition('attachment', 'Ștefan_CI.pdf'),
      `attachment; filename="Stefan_CI.pdf"; filename*=UTF-8''%C8%98tefan_CI.pdf`
    )
    assert.equal(
      contentDisposition('inline', 'документ.pdf'),
      `inline; filename="________.pdf"; filename*=UTF-8''%D0%B4%D0%BE%D0%BA%D1%83%D0%BC%D0%B5%D0%BD%D1%82.pdf`
    )
    const hostile = contentDisposition('attachment', 'a"b\\c\r\nset-cookie: x=1\u0000.pdf')
    assert.deepEqual(invalidHeaders({ 'content-disposition': hostile }), [])
    assert.notInclude(hostile, '\r')
  })

  test('the response guard names every header Node would refuse', ({ assert }) => {
    assert.deepEqual(
      invalidHeaders({
        'content-type': 'application/pdf',
        'content-disposition': 'attachment; filename="Ștefan.pdf"',
        'x-list': ['ok', 'bad\nvalue'],
      }),
      ['content-disposition', 'x-list']
    )
  })

  test('process policy: errors of one request keep the process serving, unknown ones stop it gracefully', ({
    assert,
  }) => {
    const invalidChar = Object.assign(new TypeError('Invalid character in header content'), {
      code: 'ERR_INVALID_CHAR',
    })
    assert.equal(judge('uncaughtException', invalidChar), 'continue')
    assert.equal(judge('uncaughtException', Object.assign(new Error('x'), { code: 'ECONNRESET' })), 'continue')
    assert.equal(judge('unhandledRejection', new Error('forgotten promise')), 'continue')
    assert.equal(judge('uncaughtException', new Error('unknown state')), 'shutdown')
  })
})
