import { currentLanguage, t } from '#i18n/catalogue'
import type { HttpContext } from '@adonisjs/core/http'
import FormVersion from '#models/form_version'
import FormBlocchiPolicy from '#policies/form_blocchi_policy'
import { findForm, formDay, inForce } from '#services/definitions/form_service'
import { requestLanguage } from '#services/infrastructure/request_language'
import { evaluateBlocchi, type BloccoOutcome } from '#forms/validator'
import { isPlainObject } from '#forms/json_pointer'
import type { FormDefinition } from '#forms/types'

/** Rules one try may carry (a form has a few dozen; a draft is checked whole). */
export const MAX_TRIED_RULES = 500
const MAX_PATHS = 100
const MAX_TEXT = 4000
const MAX_NAMED = 500

type Draft = Pick<FormDefinition, 'blocchi' | 'conditions'>

/** The draft's rules in the shape the evaluation reads, or what is wrong with them (a JSON Pointer and why). */
function readDraft(input: unknown): { draft: Draft } | { path: string; tooMany?: true } {
  if (!isPlainObject(input)) return { path: '/draft' }
  const { blocchi, conditions } = input
  if (!Array.isArray(blocchi)) return { path: '/draft/blocchi' }
  if (blocchi.length > MAX_TRIED_RULES) return { path: '/draft/blocchi', tooMany: true }
  for (const [i, rule] of blocchi.entries()) {
    const at = `/draft/blocchi/${i}`
    if (!isPlainObject(rule)) return { path: at }
    if (typeof rule.id !== 'string' || rule.id.length === 0 || rule.id.length > 128) {
      return { path: `${at}/id` }
    }
    if (
      !Array.isArray(rule.paths) ||
      rule.paths.length > MAX_PATHS ||
      !rule.paths.every((p) => typeof p === 'string' && p.length <= 512)
    ) {
      return { path: `${at}/paths` }
    }
    const message = rule.message
    if (
      !isPlainObject(message) ||
      typeof message.it !== 'string' ||
      typeof message.en !== 'string' ||
      message.it.length > MAX_TEXT ||
      message.en.length > MAX_TEXT
    ) {
      return { path: `${at}/message` }
    }
    if (!('condition' in rule)) return { path: `${at}/condition` }
  }
  if (conditions !== undefined && (!isPlainObject(conditions) || Object.keys(conditions).length > MAX_NAMED)) {
    return { path: '/draft/conditions' }
  }
  return { draft: { blocchi, conditions } as Draft }
}

/** For each blocked field, the rules that fire there, in the order of the form's rules. */
function byField(outcomes: BloccoOutcome[]) {
  const fields = new Map<string, Array<{ rule: string; message: string }>>()
  for (const outcome of outcomes) {
    if (!outcome.fires) continue
    for (const path of outcome.paths) {
      const list = fields.get(path) ?? []
      list.push({ rule: outcome.id, message: outcome.message })
      fields.set(path, list)
    }
  }
  return [...fields].map(([path, rules]) => ({ path, rules }))
}

export default class FormBlocchiController {
  /**
   * POST /forms/:id/blocchi/try `{ data, version? | draft? }`: the form's BLOCCO rules on sample
   * data, by the evaluation a submission runs. `version` names a published version; `at` (a day,
   * default today) the version in force on that day, as a submission made then would be checked
   * (a version published for a later day is not the one in force before it starts); `draft`
   * carries the rules as the builder holds them (`{ blocchi, conditions }`). The answer lists every
   * rule (fired or not) and, per blocked field, the rules that fire there.
   */
  async try({ access, bouncer, params, request, response }: HttpContext) {
    await bouncer.with(FormBlocchiPolicy).authorize('tryRules', access)
    const lang = currentLanguage()
    const body = request.body() as Record<string, unknown>
    const refuse = (path: string, rule: string, message: string, status = 422) =>
      response.status(status).send({ errors: [{ path, rule, message }] })
    if (!isPlainObject(body.data)) return refuse('/data', 'required', t(lang, 'blocchiTry.dataRequired'))
    if (body.version !== undefined && body.draft !== undefined) {
      return refuse('/version', 'exclusive', t(lang, 'blocchiTry.both'))
    }
    if (body.at !== undefined && (body.version !== undefined || body.draft !== undefined)) {
      return refuse('/at', 'exclusive', t(lang, 'blocchiTry.atExclusive'))
    }
    if (
      body.at !== undefined &&
      (typeof body.at !== 'string' ||
        !/^\d{4}-\d{2}-\d{2}$/.test(body.at) ||
        Number.isNaN(Date.parse(body.at)) ||
        new Date(body.at).toISOString().slice(0, 10) !== body.at)
    ) {
      return refuse('/at', 'date', t(lang, 'blocchiTry.atInvalid'))
    }
    if (
      body.version !== undefined &&
      (typeof body.version !== 'number' || !Number.isInteger(body.version) || body.version < 1 || body.version > 1e6)
    ) {
      return refuse('/version', 'integer', t(lang, 'blocchiTry.versionInvalid'))
    }
    const form = typeof params.id === 'string' ? await findForm(params.id) : null
    if (!form) return response.notFound({ errors: [{ message: t(lang, 'form.notFound') }] })

    let outcomes: BloccoOutcome[]
    let version: number | null = null
    let validFrom: string | null = null
    if (body.draft !== undefined) {
      const read = readDraft(body.draft)
      if ('path' in read) {
        return read.tooMany
          ? refuse(read.path, 'size', t(lang, 'blocchiTry.tooMany', { max: MAX_TRIED_RULES }), 413)
          : refuse(read.path, 'shape', t(lang, 'blocchiTry.draftInvalid', { path: read.path, max: MAX_PATHS }))
      }
      outcomes = evaluateBlocchi({ draft: read.draft }, body.data, requestLanguage(request))
    } else {
      const query = FormVersion.query().where('form_id', form.id)
      const day = typeof body.at === 'string' ? body.at : formDay()
      const row = await (
        typeof body.version === 'number'
          ? query.where('version', body.version)
          : inForce(query, day).orderBy('version', 'desc')
      ).first()
      if (!row) {
        return typeof body.version === 'number'
          ? refuse('/version', 'exists', t(lang, 'blocchiTry.versionNotFound', { version: body.version }), 404)
          : refuse('/at', 'exists', t(lang, 'blocchiTry.noVersionAt', { at: day }), 404)
      }
      version = row.version
      validFrom = row.validFrom
      const definition = row.definition as unknown as FormDefinition
      outcomes = evaluateBlocchi({ published: definition }, body.data, requestLanguage(request))
    }
    return {
      form: form.key,
      version,
      valid_from: validFrom,
      draft: version === null,
      fired: outcomes.filter((o) => o.fires).length,
      rules: outcomes,
      fields: byField(outcomes),
    }
  }
}
