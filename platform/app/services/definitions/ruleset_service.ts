import { LocalizedError, texts } from '#i18n/catalogue'
import type { Localized } from '#shared/contract'
import db from '@adonisjs/lucid/services/db'
import type { QueryClientContract, TransactionClientContract } from '@adonisjs/lucid/types/database'
import { DateTime } from 'luxon'
import RuleSet from '#models/rule_set'
import RuleSetVersion from '#models/rule_set_version'
import { currentJobRun } from '#queue/run_job'
import {
  evaluate,
  FactsValidationError,
  NoVersionInForceError,
  pickVersion,
  runTestCasesYielding,
  validateRuleSetDocument,
  unitsOf,
  type EvaluationResult,
  type FactError,
  type ResultValue,
  type TraceEntry,
  type Unit,
  type RuleSetDocument,
  type RuleSetVersion as VersionBody,
  type TestCase,
} from '#rules/engine'
import type { TestCaseOutcome, TestRunReport } from '#rules/test_runner'
import { summarise, type FeeSummary, type SummaryLang } from '#rules/summary'
import { isIsoDate } from '#rules/version_picker'
import { todayInRome } from '#forms/field_rules'
import { RequestContext } from '#services/infrastructure/request_context'
import { requestContentStamp, tenantContentCache } from '#services/tenants/tenant_content'

/**
 * A tenant's rule sets as the engine reads them, straight from the database.
 *
 * Tenant scoping is not done here: RuleSet and RuleSetVersion filter by the
 * tenant of the current context (request, or the context a command opens).
 *
 * Kept by the process under the tenant's content stamp (tenant_content.ts), as the forms and the
 * catalog are: a request evaluates the versions read under the stamp of the tenant row it read,
 * and every write of a rule set or a version renews the stamp in its own transaction
 * (StampsTenantContent), so a version published a moment ago, in this process or another, is
 * used by the very next request with no restart. A job that read the tenant's stamp (the receipt
 * job, with the tenant's row it prints) passes it; other jobs and commands read afresh (once per
 * job run, below). A caller in a transaction always reads in it.
 *
 * Periods. Version rows are immutable, so publishing never closes the
 * previous version's valid_to. Instead the document handed to the engine
 * ends each version the day before the next version (by valid_from) starts,
 * when that comes first. That is the rule the engine's pickVersion applies
 * to overlaps (the latest start wins), made explicit in the data: the
 * document passes validateRuleSetDocument (which refuses overlaps) and the
 * trace states the period the version really covered. One consequence, by
 * choice: a later version supersedes an earlier one for good, even if it
 * has its own valid_to; an earlier open version does not come back after it.
 */

export class RuleSetNotFoundError extends LocalizedError {
  constructor(readonly key: string) {
    super(404, texts('ruleset.notFound', { key }))
    this.name = 'RuleSetNotFoundError'
  }
}

/** A request the service refuses, with what a person must fix; `details` go to the caller as they are. */
/** Fact sets evaluated between two yields to the event loop in a batch. */
const BATCH_SLICE = 20

export class RuleSetRequestError extends Error {
  constructor(
    readonly messages: Localized,
    readonly details: Record<string, unknown> = {},
    readonly status = 422
  ) {
    super(messages.en)
    this.name = 'RuleSetRequestError'
  }
}

/** Facts failing the schema, for one fact set or many: `index` says which item of an array. */
export interface IndexedFactError extends FactError {
  index?: number
}

export class FactsErrors extends Error {
  readonly status = 422
  constructor(
    readonly ruleset: string,
    readonly errors: IndexedFactError[]
  ) {
    super(texts('ruleset.invalidFacts', { ruleset }).en)
    this.name = 'FactsErrors'
  }
}

/** An evaluation as the API answers it: with, when a language is asked, the family's summary. */
export type ExplainedEvaluation = EvaluationResult & { summary?: FeeSummary }

export interface VersionView {
  version: number
  valid_from: string
  /** The end of the period in which this version is applied (see "Periods" above). */
  valid_to: string | null
  /** valid_to as it was published. */
  published_valid_to: string | null
  source: string
  published_by: number | null
  created_at: string | null
  body: Record<string, unknown>
}

interface Loaded {
  row: RuleSet
  rows: RuleSetVersion[]
  /** The document the engine evaluates: periods as applied. */
  doc: RuleSetDocument
  /** The same versions with their periods as published (the list of cases reads them). */
  published: RuleSetDocument
}

function dayBefore(isoDate: string) {
  return DateTime.fromISO(isoDate, { zone: 'utc' }).minus({ days: 1 }).toISODate()!
}

/** Today in Europe/Rome, YYYY-MM-DD, through the process's one formatter (todayInRome). */
export function todayInItaly() {
  return todayInRome()
}

function asVersion(body: Record<string, unknown>, version: number, validFrom: string, validTo: string | null) {
  // A fresh object per load: the engine caches compiled versions by identity first.
  return { ...body, version, valid_from: validFrom, valid_to: validTo } as unknown as VersionBody
}

/** Ends each version where the next one (by start) begins; rows come sorted by (valid_from, version). */
function appliedPeriods(rows: Array<{ version: number; validFrom: string; validTo: string | null }>) {
  return rows.map((row, i) => {
    const next = rows[i + 1]
    let end = row.validTo
    if (next && (end === null || end >= next.validFrom)) end = dayBefore(next.validFrom)
    return end
  })
}

function byStart<T extends { version: number; validFrom: string }>(rows: T[]) {
  return [...rows].sort((a, b) =>
    a.validFrom < b.validFrom ? -1 : a.validFrom > b.validFrom ? 1 : a.version - b.version
  )
}

/**
 * Of two versions starting on the same day the later number stands and the earlier is left out.
 * Staff cannot publish two on one day (publish refuses it); the upgrade of shipped content does,
 * to replace a shipped version from its start (shipped_content_upgrade.ts).
 */
function standing<T extends { version: number; validFrom: string }>(rows: T[]) {
  const last = new Map<string, number>()
  for (const r of rows) last.set(r.validFrom, Math.max(last.get(r.validFrom) ?? 0, r.version))
  return rows.filter((r) => last.get(r.validFrom) === r.version)
}

function documents(
  row: RuleSet,
  rows: Array<{ version: number; validFrom: string; validTo: string | null; body: Record<string, unknown> }>
) {
  const sorted = byStart(standing(rows))
  const ends = appliedPeriods(sorted)
  const header = {
    id: row.key,
    title: { it: row.title.it ?? row.key, en: row.title.en ?? row.key },
    service: row.service,
  }
  const byVersion = (a: VersionBody, b: VersionBody) => a.version - b.version
  const doc: RuleSetDocument = {
    ...header,
    versions: sorted.map((r, i) => asVersion(r.body, r.version, r.validFrom, ends[i])).sort(byVersion),
  }
  const published: RuleSetDocument = {
    ...header,
    versions: sorted.map((r) => asVersion(r.body, r.version, r.validFrom, r.validTo)).sort(byVersion),
  }
  return { doc, published }
}

function isUniqueViolation(error: unknown) {
  const code = (error as { code?: unknown }).code
  // SQLite (better-sqlite3) and PostgreSQL name it differently.
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505'
}

/**
 * Rule sets read during one job run, by key: a receipt job evaluates the fee for its draft and for
 * its final receipt, and each evaluation read the whole rule set again (two queries and every
 * version's body parsed, each time). Within a run the first read serves the others, which also
 * keeps one receipt's two evaluations on the same rules. A publication in this process makes
 * every run read afresh.
 */
const readsOfRun = new WeakMap<object, { generation: number; byKey: Map<string, Promise<Loaded>> }>()
let generation = 0
const republished = () => void generation++
RuleSet.after('create', republished)
RuleSet.after('update', republished)
RuleSetVersion.after('create', republished)
RuleSetVersion.after('update', republished)
RuleSetVersion.after('delete', republished)

/** The rule sets a process keeps per tenant and stamp, by key (a new stamp starts an empty map). */
const keptByStamp = tenantContentCache<Map<string, Promise<Loaded>>>()

export class RuleSetService {
  /**
   * `client`: the transaction the caller is in (a query outside it would wait for it on SQLite).
   * `contentStamp`: the tenant's content stamp read by a job (a request's own is found by itself).
   */
  async load(key: string, client?: QueryClientContract, contentStamp?: string | null): Promise<Loaded> {
    const tenant = client ? undefined : RequestContext.tenant()
    const stamp = tenant ? (contentStamp !== undefined ? contentStamp : requestContentStamp(tenant.id)) : undefined
    if (tenant && stamp !== undefined) {
      return this.#readOnce(await keptByStamp.get(tenant.id, stamp, async () => new Map()), key)
    }
    const run = client ? undefined : currentJobRun()
    if (!run) return this.#read(key, client)
    let reads = readsOfRun.get(run)
    if (!reads || reads.generation !== generation) {
      reads = { generation, byKey: new Map() }
      readsOfRun.set(run, reads)
    }
    return this.#readOnce(reads.byKey, key)
  }

  /** The read of `key` kept in `byKey`, made there once; a failed read is forgotten, to be tried again. */
  #readOnce(byKey: Map<string, Promise<Loaded>>, key: string) {
    let read = byKey.get(key)
    if (!read) {
      read = this.#read(key)
      byKey.set(key, read)
      read.catch(() => byKey.get(key) === read && byKey.delete(key))
    }
    return read
  }

  async #read(key: string, client?: QueryClientContract): Promise<Loaded> {
    const row = await RuleSet.query({ client }).where('key', key).first()
    if (!row) throw new RuleSetNotFoundError(key)
    const rows = await RuleSetVersion.query({ client }).where('ruleset_id', row.id).orderBy('version', 'asc')
    return { row, rows, ...documents(row, rows) }
  }

  /** The engine's view of a rule set (periods as applied). */
  async document(key: string, options: { contentStamp?: string | null } = {}): Promise<RuleSetDocument> {
    return (await this.load(key, undefined, options.contentStamp)).doc
  }

  async list() {
    const rows = await RuleSet.query().orderBy('key', 'asc')
    const versions = await RuleSetVersion.query()
      .whereIn(
        'ruleset_id',
        rows.map((r) => r.id)
      )
      .orderBy('version', 'asc')
    const today = todayInItaly()
    return rows.map((row) => {
      const own = versions.filter((v) => v.rulesetId === row.id)
      const { doc } = documents(row, own)
      let current: number | null = null
      try {
        current = pickVersion(doc, today).version
      } catch {
        // No version in force today (all past, or not yet started): shown as null.
      }
      return { id: row.key, service: row.service, title: row.title, versions: own.length, current_version: current }
    })
  }

  async show(key: string) {
    const { row, rows, doc } = await this.load(key)
    const applied = new Map(doc.versions.map((v) => [v.version, v.valid_to]))
    return {
      id: row.key,
      service: row.service,
      title: row.title,
      versions: rows.map((r) => this.view(r, applied.get(r.version) ?? r.validTo)),
    }
  }

  view(r: RuleSetVersion, appliedTo: string | null): VersionView {
    return {
      version: r.version,
      valid_from: r.validFrom,
      valid_to: appliedTo,
      published_valid_to: r.validTo,
      source: r.source,
      published_by: r.publishedBy,
      created_at: r.createdAt?.toISO() ?? null,
      body: r.body,
    }
  }

  /**
   * Evaluates one fact set (an object) or many (an array, answered in the same
   * order). Facts are all checked before answering: every failing fact of
   * every item is reported, with the item's index for an array.
   */
  async evaluate(
    key: string,
    at: string,
    facts: unknown,
    lang?: SummaryLang,
    options: { client?: QueryClientContract; contentStamp?: string | null } = {}
  ): Promise<ExplainedEvaluation | ExplainedEvaluation[]> {
    if (!isIsoDate(at)) {
      throw new RuleSetRequestError(texts('ruleset.badDate', { at: String(at).slice(0, 40) }))
    }
    const { doc } = await this.load(key, options.client, options.contentStamp)
    // Picked up front so that "no version in force" is reported once, not per item.
    try {
      pickVersion(doc, at)
    } catch (error) {
      if (!(error instanceof NoVersionInForceError)) throw error
      throw new RuleSetRequestError(texts('ruleset.noVersionInForce', { key, at }))
    }
    if (!Array.isArray(facts)) return this.#one(doc, at, facts, undefined, lang)
    const errors: IndexedFactError[] = []
    const results: ExplainedEvaluation[] = []
    for (const [index, item] of facts.entries()) {
      // A long batch gives way to other requests now and then instead of holding the event loop.
      if (index > 0 && index % BATCH_SLICE === 0) await new Promise((resolve) => setImmediate(resolve))
      try {
        results.push(this.#one(doc, at, item, index, lang))
      } catch (error) {
        if (!(error instanceof FactsErrors)) throw error
        errors.push(...error.errors)
      }
    }
    if (errors.length > 0) throw new FactsErrors(doc.id, errors)
    return results
  }

  #one(
    doc: RuleSetDocument,
    at: string,
    facts: unknown,
    index: number | undefined,
    lang: SummaryLang | undefined
  ): ExplainedEvaluation {
    try {
      const evaluation: ExplainedEvaluation = evaluate(doc, at, facts as Record<string, unknown>)
      if (lang) {
        const version = doc.versions.find((v) => v.version === evaluation.version)!
        evaluation.summary = summarise(version, { ...evaluation, facts: facts as Record<string, unknown> }, lang)
      }
      return evaluation
    } catch (error) {
      if (!(error instanceof FactsValidationError)) throw error
      throw new FactsErrors(
        doc.id,
        error.errors.map((e) => (index === undefined ? { ...e } : { index, ...e }))
      )
    }
  }

  /**
   * The family's summary of a stored evaluation (an enrolment's tariff), in `lang`, from the
   * version that computed it; null when that version is no longer there.
   */
  async summariseStored(
    key: string,
    version: number,
    stored: { facts: Record<string, unknown> | null; result: Record<string, ResultValue>; trace: TraceEntry[] },
    lang: SummaryLang
  ): Promise<{ summary: FeeSummary; units: Record<string, Unit> } | null> {
    const row = await RuleSet.query().where('key', key).first()
    const found = row
      ? await RuleSetVersion.query().where('ruleset_id', row.id).where('version', version).first()
      : null
    if (!found) return null
    const body = found.body as unknown as VersionBody
    const units = unitsOf(body, stored.result)
    return { summary: summarise(body, { ...stored, units }, lang), units }
  }

  /** The golden cases of every version, each with the version it belongs to. */
  async tests(key: string) {
    const { published } = await this.load(key)
    const cases: Array<TestCase & { version: number }> = []
    for (const v of published.versions) for (const tc of v.tests ?? []) cases.push({ version: v.version, ...tc })
    return { ruleset: published.id, cases }
  }

  /**
   * The golden cases (of every version, or those declared in `version`), each run at its own `at`
   * against the version in force then, periods as applied: a case is a fact about the law at a
   * date, so a later version leaves the cases of earlier dates alone.
   */
  async runTests(key: string, version?: number): Promise<TestRunReport> {
    const { doc } = await this.load(key)
    if (version !== undefined && !doc.versions.some((v) => v.version === version)) {
      throw new RuleSetRequestError(texts('ruleset.noSuchVersion', { key, version }))
    }
    return runTestCasesYielding(doc, version)
  }

  /**
   * The document as it would be with `input` published as a new version (checked, not stored):
   * the designer runs the cases and a sample evaluation on it before publishing.
   */
  async candidate(key: string, input: Record<string, unknown>, client?: QueryClientContract) {
    const { row, rows } = await this.load(key, client)
    const number = rows.reduce((max, r) => Math.max(max, r.version), 0) + 1
    const validFrom = input.valid_from as string
    const validTo = (input.valid_to ?? null) as string | null
    if (!isIsoDate(validFrom)) {
      throw new RuleSetRequestError({
        it: '"valid_from" deve essere una data AAAA-MM-GG',
        en: '"valid_from" must be a date YYYY-MM-DD',
      })
    }
    const clash = rows.find((r) => r.validFrom === validFrom)
    // A version that has not started yet may be replaced by one starting the same day (the later
    // number stands, see standing()); one that is in force or past may not.
    if (clash && clash.validFrom <= todayInItaly()) {
      throw new RuleSetRequestError(texts('ruleset.startClash', { version: clash.version, validFrom }))
    }
    const body: Record<string, unknown> = { ...input, version: number, valid_from: validFrom, valid_to: validTo }
    const candidate = [
      ...rows.map((r) => ({ version: r.version, validFrom: r.validFrom, validTo: r.validTo, body: r.body })),
      { version: number, validFrom, validTo, body },
    ]
    return { row, number, validFrom, validTo, body, ...documents(row, candidate) }
  }

  /** Runs every case of the rule set as it would be with `input` published (nothing stored). */
  async runCandidateTests(key: string, input: Record<string, unknown>): Promise<TestRunReport> {
    const { doc } = await this.candidate(key, input)
    const checked = validateRuleSetDocument(doc)
    if (!checked.ok) {
      throw new RuleSetRequestError(texts('ruleset.invalidVersion'), { problems: checked.errors })
    }
    return runTestCasesYielding(doc)
  }

  /** One sample evaluation, with its trace and summary, on the rule set as it would be with `input` published. */
  async evaluateCandidate(key: string, input: Record<string, unknown>, at: string, facts: unknown, lang?: SummaryLang) {
    if (!isIsoDate(at)) {
      throw new RuleSetRequestError(texts('ruleset.badDate', { at: String(at).slice(0, 40) }))
    }
    const { doc } = await this.candidate(key, input)
    const checked = validateRuleSetDocument(doc)
    if (!checked.ok) {
      throw new RuleSetRequestError(texts('ruleset.invalidVersion'), { problems: checked.errors })
    }
    try {
      pickVersion(doc, at)
    } catch (error) {
      if (!(error instanceof NoVersionInForceError)) throw error
      throw new RuleSetRequestError(texts('ruleset.noVersionInForce', { key, at }))
    }
    return this.#one(doc, at, facts, undefined, lang)
  }

  /**
   * Publishes a new version: numbered max+1, checked as part of the whole
   * document, and stored only when every golden case of every version passes
   * (the new version must bring at least one). Audited by the model with the
   * user in context.
   */
  async publish(
    key: string,
    input: Record<string, unknown>,
    userId: number | null,
    options: { afterCreate?: (trx: TransactionClientContract) => Promise<void> } = {}
  ) {
    const tests = input.tests
    if (!Array.isArray(tests) || tests.length === 0) {
      throw new RuleSetRequestError(texts('ruleset.testsRequired'))
    }
    // `version` is assigned here whatever the caller sent; the periods go in the body too, as in rules/*.json.
    const { row, number, validFrom, validTo, body, doc } = await this.candidate(key, input)

    const checked = validateRuleSetDocument(doc)
    if (!checked.ok) {
      throw new RuleSetRequestError(texts('ruleset.invalidVersion'), { problems: checked.errors })
    }
    const report = await runTestCasesYielding(doc)
    if (report.failed > 0) {
      const failing: TestCaseOutcome[] = report.cases.filter((c) => !c.ok)
      throw new RuleSetRequestError(texts('ruleset.testsFail', { failed: report.failed, total: report.cases.length }), {
        passed: report.passed,
        failed: report.failed,
        cases: failing,
      })
    }

    let created: RuleSetVersion
    try {
      created = await db.transaction(async (trx) => {
        const made = await RuleSetVersion.create(
          { rulesetId: row.id, version: number, validFrom, validTo, body, source: 'api', publishedBy: userId },
          { client: trx }
        )
        if (options.afterCreate) await options.afterCreate(trx)
        return made
      })
    } catch (error) {
      // (ruleset_id, version) is unique: someone else published the same number a moment ago.
      if (isUniqueViolation(error)) {
        throw new RuleSetRequestError(texts('ruleset.publishedMeanwhile', { key }), {}, 409)
      }
      throw error
    }
    const applied = doc.versions.find((v) => v.version === number)!.valid_to
    return this.view(created, applied)
  }
}

export const ruleSetService = new RuleSetService()
