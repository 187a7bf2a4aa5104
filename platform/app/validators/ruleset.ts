import vine from '@vinejs/vine'
import { LocalizedMessages } from '#i18n/vine_messages'
import type { FieldContext } from '@vinejs/vine/types'
import { isIsoDate } from '#rules/version_picker'

/** A calendar date written YYYY-MM-DD (rejects 2021-02-30 too), the form every rule set period uses. */
const isoDate = vine.createRule((value: unknown, _options: undefined, field: FieldContext) => {
  if (typeof value === 'string' && !isIsoDate(value)) field.report('', 'isoDate', field)
})

const messages = new LocalizedMessages({
  it: {
    'at.required': 'Indicare la data del calcolo in "at" (AAAA-MM-GG)',
    'at.string': 'La data "at" deve essere un testo AAAA-MM-GG.',
    'at.isoDate': 'La data "at" non è valida: usare il formato AAAA-MM-GG, per esempio 2021-10-01.',
    'facts.required': 'Indicare i dati in "facts": un oggetto o una lista di oggetti.',
    'valid_from.required': 'Indicare la data di inizio in "valid_from" (AAAA-MM-GG)',
    'valid_from.string': '"valid_from" deve essere una data AAAA-MM-GG.',
    'valid_from.isoDate': '"valid_from" deve essere una data AAAA-MM-GG.',
    'valid_to.string': '"valid_to" deve essere null o una data AAAA-MM-GG.',
    'valid_to.isoDate': '"valid_to" deve essere null o una data AAAA-MM-GG.',
    'version.number': '"version" deve essere un numero intero.',
    'version.withoutDecimals': '"version" deve essere un numero intero.',
  },
  en: {
    'at.required': '"at" is required (YYYY-MM-DD)',
    'at.string': '"at" must be a string YYYY-MM-DD.',
    'at.isoDate': '"at" must be a date YYYY-MM-DD.',
    'facts.required': '"facts" is required: an object or an array of objects.',
    'valid_from.required': '"valid_from" is required (YYYY-MM-DD)',
    'valid_from.string': '"valid_from" must be a date YYYY-MM-DD.',
    'valid_from.isoDate': '"valid_from" must be a date YYYY-MM-DD.',
    'valid_to.string': '"valid_to" must be null or a date YYYY-MM-DD.',
    'valid_to.isoDate': '"valid_to" must be null or a date YYYY-MM-DD.',
    'version.number': '"version" must be an integer.',
    'version.withoutDecimals': '"version" must be an integer.',
  },
})

/** POST /rulesets/:id/evaluate: `facts` is an object or an array, checked by the rule set's own schema. */
export const evaluateValidator = vine.compile(
  vine.object({
    at: vine.string().use(isoDate()),
    facts: vine.any(),
  })
)
evaluateValidator.messagesProvider = messages

/**
 * POST /rulesets/:id/versions: only the period is checked here; the rest of
 * the version (tables, steps, tests...) is checked by the rules engine as
 * part of the whole document.
 */
export const publishValidator = vine.compile(
  vine
    .object({
      valid_from: vine.string().use(isoDate()),
      valid_to: vine.string().use(isoDate()).nullable().optional(),
    })
    .allowUnknownProperties()
)
publishValidator.messagesProvider = messages

/** POST /rulesets/:id/tests/run: an optional version number. */
export const runTestsValidator = vine.compile(
  vine.object({
    version: vine.number().withoutDecimals().optional(),
  })
)
runTestsValidator.messagesProvider = messages
