/**
 * The demo's codes pass the checks the platform applies to anyone else's: a body's numeric codice
 * fiscale its check digit (the same rule as the partita IVA), a person's codice fiscale its check
 * character (DM 23/12/1976), an IBAN its ISO 13616 check digits. The demo is what a comune tries
 * first: a code the platform would refuse from a citizen must not be in it.
 */
import { test } from '@japa/runner'
import { isValidCodiceFiscale, isValidIban } from '#forms/codice_fiscale'
import { validIban, validNumericFiscalCode } from '#integrations/pagopa/pagopa_settings'
import { DEMO_PAY } from '#integrations/pay_demo'
import { DEMO_CHILD } from '#services/content/demo_enrolment'
import { DEMO_TENANTS, DEMO_USERS } from '#services/content/demo_seeder'
import { loadDefaultForms } from '#services/content/default_content'

const MONTHS = 'ABCDEHLMPRST'

/** Birth date and sex written in a personal codice fiscale (digits only: the demo uses no omocodia). */
function birthIn(code: string) {
  const day = Number(code.slice(9, 11))
  const month = MONTHS.indexOf(code[8]) + 1
  return { yy: code.slice(6, 8), month, day: day > 40 ? day - 40 : day, female: day > 40 }
}

/** Every string of `value` under a key named `key`, with where it is. */
function stringsAt(value: unknown, key: string, path = ''): Array<[string, string]> {
  if (Array.isArray(value)) return value.flatMap((v, i) => stringsAt(v, key, `${path}/${i}`))
  if (value === null || typeof value !== 'object') return []
  return Object.entries(value).flatMap(([k, v]) =>
    k === key && typeof v === 'string' ? [[`${path}/${k}`, v] as [string, string]] : stringsAt(v, key, `${path}/${k}`)
  )
}

test.group('Demo data: every code passes its check', () => {
  test('the demo bodies’ fiscal codes have the right check digit', ({ assert }) => {
    for (const tenant of DEMO_TENANTS) {
      assert.isTrue(validNumericFiscalCode(tenant.fiscalCode), `${tenant.slug}: ${tenant.fiscalCode}`)
    }
    // A wrong code is caught: the check is not a formality.
    assert.isFalse(validNumericFiscalCode('80004020921'))
    assert.isTrue(validNumericFiscalCode(DEMO_PAY.pagopa.fiscalCode))
    const payee = DEMO_TENANTS.find((t) => t.slug === DEMO_PAY.tenant)!
    assert.equal(DEMO_PAY.pagopa.fiscalCode, payee.fiscalCode, 'the pagoPA creditor is the demo comune')
    assert.isTrue(validIban(DEMO_PAY.pagopa.iban))
    assert.isTrue(isValidIban(DEMO_PAY.pagopa.iban))
  })

  test('the demo people’s codici fiscali are valid, and the child’s matches her birth date', ({ assert }) => {
    for (const user of DEMO_USERS) {
      if (user.fiscalCode) assert.isTrue(isValidCodiceFiscale(user.fiscalCode), `${user.email}: ${user.fiscalCode}`)
    }
    for (const code of Object.keys(DEMO_PAY.ioProfiles)) assert.isTrue(isValidCodiceFiscale(code), code)
    assert.isTrue(isValidCodiceFiscale(DEMO_CHILD.fiscal_code))
    const [year, month, day] = DEMO_CHILD.birth_date.split('-').map(Number)
    assert.deepEqual(birthIn(DEMO_CHILD.fiscal_code), {
      yy: String(year).slice(2),
      month,
      day,
      female: true,
    })
    // Born in Piacenza: its cadastral code.
    assert.equal(DEMO_CHILD.fiscal_code.slice(11, 15), 'G535')
  })

  test('every form’s sample has valid codici fiscali and IBANs', async ({ assert }) => {
    const forms = await loadDefaultForms()
    let seen = 0
    for (const [id, form] of forms) {
      const sample = (form.json as { sample?: unknown }).sample
      for (const [path, code] of stringsAt(sample, 'fiscal_code')) {
        seen++
        assert.isTrue(isValidCodiceFiscale(code), `${id} ${path}: ${code}`)
      }
      for (const [path, iban] of stringsAt(sample, 'iban')) assert.isTrue(isValidIban(iban), `${id} ${path}: ${iban}`)
    }
    assert.isAbove(seen, 5)
  })
})
