import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import { currentLanguage, t, texts, type MessageKey, type MessageParams } from '#i18n/catalogue'
import RuleSet from '#models/rule_set'
import RuleSetDraft from '#models/rule_set_draft'
import RuleSetVersion from '#models/rule_set_version'
import { pickVersion, NoVersionInForceError } from '#rules/engine'
import { isIsoDate } from '#rules/version_picker'
import { compileFormula } from '#rules/formula_sandbox'
import {
  ruleSetService,
  RuleSetNotFoundError,
  RuleSetRequestError,
  todayInItaly,
} from '#services/definitions/ruleset_service'
import type { SummaryLang } from '#rules/summary'

/**
 * The designer's drafts of rule sets: the next version as staff shape it, saved as they go
 * (one per rule set), run against every case and tried on sample facts before it is published.
 *
 * A draft starts from the version in force on its start date, so a change is made cell by cell
 * on what applies then. A draft may also start on the same day as a version that has not started
 * yet: publishing it replaces that version (see RuleSetService.candidate), which is how a future
 * version stays editable until its first day.
 */

/** A refusal whose text is written "italiano / English". */
function refusal(key: MessageKey, params?: MessageParams, details: Record<string, unknown> = {}, status = 422) {
  return new RuleSetRequestError(texts(key, params), details, status)
}

/** Version keys the draft body never carries: the number and period are the draft's own. */
const PERIOD_KEYS = ['version', 'valid_from', 'valid_to'] as const

/** A body of a rule set version is a few tables and cases: far beyond this is not a tariff. */
export const MAX_DRAFT_JSON = 512 * 1024

export interface DraftView {
  ruleset: string
  based_on: number
  valid_from: string
  body: Record<string, unknown>
  updated_by: number | null
  updated_at: string | null
  /** The version that has not started yet and that this draft would replace, if any. */
  replaces: number | null
}

function stripPeriod(body: Record<string, unknown>) {
  const out = { ...body }
  for (const key of PERIOD_KEYS) delete out[key]
  return out
}

function checkStart(validFrom: unknown): string {
  if (!isIsoDate(validFrom)) {
    throw refusal('draft.startRequired')
  }
  if (validFrom < todayInItaly()) {
    throw refusal('draft.startInPast', { validFrom })
  }
  return validFrom
}

function checkBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw refusal('draft.bodyNotObject')
  }
  if (JSON.stringify(body).length > MAX_DRAFT_JSON) {
    throw refusal('draft.tooLarge', { kb: MAX_DRAFT_JSON / 1024 }, {}, 413)
  }
  return stripPeriod(body as Record<string, unknown>)
}

async function ruleSet(key: string, client?: QueryClientContract) {
  const row = await RuleSet.query({ client }).where('key', key).first()
  if (!row) throw new RuleSetNotFoundError(key)
  return row
}

export class RuleSetDraftService {
  async view(key: string, draft: RuleSetDraft | null): Promise<DraftView | null> {
    if (!draft) return null
    const future = await RuleSetVersion.query()
      .where('ruleset_id', draft.rulesetId)
      .where('valid_from', draft.validFrom)
      .orderBy('version', 'desc')
      .first()
    return {
      ruleset: key,
      based_on: draft.basedOn,
      valid_from: draft.validFrom,
      body: draft.body,
      updated_by: draft.updatedBy,
      updated_at: draft.updatedAt?.toISO() ?? draft.createdAt?.toISO() ?? null,
      replaces: future ? future.version : null,
    }
  }

  async show(key: string) {
    const row = await ruleSet(key)
    const draft = await RuleSetDraft.query().where('ruleset_id', row.id).first()
    return this.view(key, draft)
  }

  /**
   * Starts the draft from the version in force on `validFrom` (or from `fromVersion`), its body
   * copied with its cases. Refused when a draft already exists: there is one next version at a time.
   */
  async start(key: string, input: { valid_from?: unknown; from_version?: unknown }, userId: number | null) {
    const validFrom = checkStart(input.valid_from)
    const { row, rows, doc } = await ruleSetService.load(key)
    if (await RuleSetDraft.query().where('ruleset_id', row.id).first()) {
      throw refusal('draft.exists', undefined, {}, 409)
    }
    let base: RuleSetVersion | undefined
    if (input.from_version !== undefined && input.from_version !== null) {
      base = rows.find((r) => r.version === input.from_version)
      if (!base) {
        throw refusal('ruleset.noSuchVersion', { key, version: String(input.from_version) })
      }
    } else {
      try {
        const inForce = pickVersion(doc, validFrom)
        base = rows.find((r) => r.version === inForce.version)
      } catch (error) {
        if (!(error instanceof NoVersionInForceError)) throw error
        base = rows.at(-1)
      }
    }
    if (!base) throw refusal('draft.noVersions', { key })
    const draft = await RuleSetDraft.create({
      rulesetId: row.id,
      basedOn: base.version,
      validFrom,
      body: stripPeriod(base.body),
      updatedBy: userId,
    })
    return this.view(key, draft)
  }

  async #draft(key: string, client?: QueryClientContract) {
    const row = await ruleSet(key, client)
    const draft = await RuleSetDraft.query({ client }).where('ruleset_id', row.id).first()
    if (!draft) {
      throw refusal('draft.none', { key }, {}, 404)
    }
    return draft
  }

  /** Saves the draft as it is now (the designer's autosave). */
  async save(key: string, input: { valid_from?: unknown; body?: unknown }, userId: number | null) {
    const draft = await this.#draft(key)
    if (input.valid_from !== undefined) draft.validFrom = checkStart(input.valid_from)
    if (input.body !== undefined) draft.body = checkBody(input.body)
    draft.updatedBy = userId
    await draft.save()
    return this.view(key, draft)
  }

  async discard(key: string) {
    const draft = await this.#draft(key)
    await draft.delete()
  }

  #input(draft: RuleSetDraft): Record<string, unknown> {
    return { ...draft.body, valid_from: draft.validFrom, valid_to: null }
  }

  async run(key: string) {
    const draft = await this.#draft(key)
    return ruleSetService.runCandidateTests(key, this.#input(draft))
  }

  async evaluate(key: string, at: string, facts: unknown, lang?: SummaryLang) {
    const draft = await this.#draft(key)
    return ruleSetService.evaluateCandidate(key, this.#input(draft), at, facts, lang)
  }

  /** Publishes the draft as the next version (every case must pass) and removes it, in one transaction. */
  async publish(key: string, userId: number | null) {
    const draft = await this.#draft(key)
    // A draft left over a day that has come meanwhile would start in the past.
    checkStart(draft.validFrom)
    return ruleSetService.publish(key, this.#input(draft), userId, {
      afterCreate: async (trx) => {
        draft.useTransaction(trx)
        await draft.delete()
      },
    })
  }

  /** The formula grammar's own parser: `{ ok }`, or the message saying what is wrong where. */
  checkFormula(expression: unknown): { ok: boolean; message?: string } {
    if (typeof expression !== 'string' || expression.length > 2000) {
      return {
        ok: false,
        message: t(currentLanguage(), 'draft.formulaTooLong'),
      }
    }
    try {
      compileFormula('formula', expression)
      return { ok: true }
    } catch (error) {
      return { ok: false, message: (error as Error).message }
    }
  }
}

export const ruleSetDraftService = new RuleSetDraftService()
