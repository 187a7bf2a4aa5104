/**
 * Property: whatever arrives from the network, validateSubmission never throws and always answers
 * with a well-formed { valid, errors } (valid exactly when there are no errors).
 */
import { test } from '@japa/runner'
import fc from 'fast-check'
import { loadForms } from '#forms/load_forms'
import { validateSubmission } from '#forms/validator'
import { tariffFacts } from '#forms/tariff_preview'
import type { ValidationResult } from '#forms/types'

const forms = await loadForms()

function assertWellFormed(result: ValidationResult): void {
  if (typeof result.valid !== 'boolean' || !Array.isArray(result.errors)) throw new Error('malformed result')
  if (result.valid !== (result.errors.length === 0)) throw new Error('valid must mean "no errors"')
  for (const e of result.errors) {
    if (typeof e.path !== 'string' || (e.path !== '' && !e.path.startsWith('/'))) throw new Error(`bad path ${e.path}`)
    if (typeof e.rule !== 'string' || e.rule.length === 0) throw new Error('empty rule')
    if (typeof e.message !== 'string' || e.message.trim().length === 0) throw new Error('empty message')
  }
}

/** Data shaped like a real submission: the sample with random fields replaced or added. */
function mutatedSample(sample: Record<string, unknown>) {
  const keys = Object.keys(sample)
  return fc
    .array(fc.tuple(fc.oneof(fc.constantFrom(...keys), fc.string()), fc.jsonValue()), { maxLength: 6 })
    .map((edits) => {
      const out: Record<string, unknown> = structuredClone(sample)
      for (const [key, value] of edits) out[key] = value
      return out
    })
}

test.group('validateSubmission on arbitrary data', () => {
  for (const form of forms) {
    test(`${form.id}: random JSON never throws`, () => {
      fc.assert(
        fc.property(
          fc.jsonValue(),
          fc.constantFrom('it' as const, 'en' as const),
          fc.boolean(),
          (data, lang, partial) => {
            assertWellFormed(validateSubmission(form, data, { lang, partial }))
            tariffFacts(form, data)
          }
        ),
        { numRuns: 200 }
      )
    })

    test(`${form.id}: a mutated sample never throws`, () => {
      fc.assert(
        fc.property(mutatedSample(form.sample), fc.boolean(), (data, partial) => {
          assertWellFormed(validateSubmission(form, data, { partial }))
          tariffFacts(form, data)
        }),
        { numRuns: 200 }
      )
    })
  }

  test('odd JavaScript values never throw either', () => {
    const form = forms[0]
    const odd = fc.anything({
      withNullPrototype: true,
      withMap: true,
      withSet: true,
      withBigInt: true,
      withDate: true,
      withTypedArray: true,
      withSparseArray: true,
    })
    fc.assert(
      fc.property(odd, (data) => {
        assertWellFormed(validateSubmission(form, data))
        assertWellFormed(validateSubmission(form, { ...form.sample, siblings: data, has_siblings: true }))
      }),
      { numRuns: 300 }
    )
  })
})
