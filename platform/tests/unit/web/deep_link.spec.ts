import { test } from '@japa/runner'
import { hashAddressOf } from '../../../web/src/app/deep_link.js'

const at = (pathname: string, search = '', hash = '') => hashAddressOf({ pathname, search, hash })

test.group('Portal: a page address in path form becomes its hash route', () => {
  test('paths, the old prefix, queries and addresses already in hash form', ({ assert }) => {
    assert.isNull(at('/'), 'the portal itself stays')
    assert.isNull(at('/', '', '#/t/piacenza/ufficio'), 'a hash route stays')
    assert.equal(at('/t/piacenza/ufficio/report'), '/#/t/piacenza/ufficio/report')
    assert.equal(at('/t/piacenza/ufficio/report/'), '/#/t/piacenza/ufficio/report', 'a trailing slash goes')
    assert.equal(at('/t/piacenza/ufficio/domande', '?status=accepted'), '/#/t/piacenza/ufficio/domande?status=accepted')
    assert.equal(at('/portale/t/piacenza/domande'), '/#/t/piacenza/domande')
    assert.equal(at('/portale/'), '/')
    assert.equal(at('/portale/', '', '#/t/piacenza'), '/#/t/piacenza', 'the hash route wins over the path')
    assert.equal(at('/piattaforma/enti'), '/#/piattaforma/enti')
  })
})
