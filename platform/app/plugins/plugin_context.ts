import { LocalizedError, fill, texts } from '#i18n/catalogue'
import db from '@adonisjs/lucid/services/db'
import logger from '@adonisjs/core/services/logger'
import Enrolment from '#models/enrolment'
import { encryptedColumn, identifierColumn } from '#models/columns'
import Membership from '#models/membership'
import School from '#models/school'
import SchoolClass from '#models/school_class'
import Submission from '#models/submission'
import Tenant from '#models/tenant'
import TenantPlugin from '#models/tenant_plugin'
import { emitDomainEvent } from '#events/domain_events'
import { enqueueFollowUp } from '#events/follow_up'
import { readPluginSettings } from '#plugins/plugin_settings'
import { pluginRegistry } from '#plugins/registry'
import { protocolService } from '#integrations/protocol'
import { enrolmentService } from '#services/enrolments/enrolment_service'
import { balanceOf, entryView, postEntry } from '#services/billing/ledger_service'
import { lineAmount } from '#services/billing/charge_amount'
import { sendMail } from '#services/infrastructure/mailer'
import { PdfSheet } from '#services/infrastructure/pdf_sheet'
import { RequestContext, type TenantRef } from '#services/infrastructure/request_context'
import { RuleSetNotFoundError, ruleSetService } from '#services/definitions/ruleset_service'
import { rulePeriods } from '#rules/version_picker'
import type { EvaluationResult } from '#rules/types'
import type {
  CatalogEntry,
  EnrolmentFilter,
  EnrolmentPlacement,
  EnrolmentRecord,
  Lang,
  MailNotice,
  NewEnrolment,
  PdfPage,
  PluginContext,
  Transaction,
} from '#sdk/types'

/**
 * The context a plugin's hooks, routes, subscribers and jobs receive: the platform's engines as
 * services, bound to one tenant, one plugin and (when there is one) one transaction. A plugin
 * reaches the platform only through it and the SDK, never by importing platform modules.
 *
 * Inside a transaction the context refuses I/O (mail, protocol): an external system must not be
 * called while rows are locked, and on SQLite a second connection would wait for the first. Such
 * work belongs in a job subscriber or a route outside `ctx.transaction`.
 */
export class PluginIoInTransactionError extends Error {
  constructor(pluginId: string, service: string) {
    super(
      `Plugin "${pluginId}": ${service} is I/O and cannot run inside a transaction; do it in a job (a subscriber without inTransaction) or outside ctx.transaction`
    )
    this.name = 'PluginIoInTransactionError'
  }
}

/** An enrolment another service owns, or none: the plugin sees only its own. */
export class EnrolmentNotFoundError extends LocalizedError {
  constructor(id: number) {
    super(404, texts('enrolment.missing', { id }))
  }
}

export interface ContextOptions {
  tenant: TenantRef
  trx?: Transaction | null
  lang?: Lang
}

export async function pluginContext(pluginId: string, options: ContextOptions): Promise<PluginContext> {
  const trx = options.trx ?? null
  const tenant = await Tenant.query({ client: trx ?? undefined })
    .where('id', options.tenant.id)
    .firstOrFail()
  return buildContext(pluginId, tenant, trx, options.lang ?? 'it')
}

function buildContext(pluginId: string, tenant: Tenant, trx: Transaction | null, lang: Lang): PluginContext {
  const { manifest } = pluginRegistry().getOrFail(pluginId)
  const ref: TenantRef = { id: tenant.id, slug: tenant.slug }
  const client = trx ?? undefined
  const scoped = <T>(fn: () => Promise<T>) => RequestContext.withTenant(ref, fn)
  const noIo = (service: string) => {
    if (trx) throw new PluginIoInTransactionError(pluginId, service)
  }
  const write = <T>(fn: (t: Transaction) => Promise<T>) => (trx ? fn(trx) : db.transaction(fn))
  const ownEnrolment = async (id: number, t?: Transaction) => {
    const row = await Enrolment.query({ client: t ?? client })
      .where('id', id)
      .where('service', pluginId)
      .first()
    if (!row) throw new EnrolmentNotFoundError(id)
    return row
  }
  const actor = RequestContext.actor() ?? { userId: null, label: `system:plugin:${pluginId}` }

  const ctx: PluginContext = {
    pluginId,
    tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name },
    actor: { userId: actor.userId, label: actor.label },
    lang,
    t: (key, params, inLang) => {
      const entry = manifest.messages && Object.hasOwn(manifest.messages, key) ? manifest.messages[key] : null
      return entry ? fill(entry[inLang ?? lang], params) : key
    },
    trx,
    log: (message) => logger.info(`[plugin ${pluginId} @ ${tenant.slug}] ${message}`),

    async settings<S extends Record<string, unknown>>() {
      return readPluginSettings(pluginId, tenant.settings) as S
    },

    async transaction(fn) {
      if (trx) return fn(ctx)
      return db.transaction((t) => fn(buildContext(pluginId, tenant, t, lang)))
    },

    rules: {
      async evaluate(ruleset, at, facts) {
        const result = (await scoped(() =>
          ruleSetService.evaluate(ruleset, at, facts, undefined, { client })
        )) as EvaluationResult
        return {
          ruleset: result.ruleset,
          version: result.version,
          at: result.at,
          result: result.result,
          trace: result.trace,
        }
      },
      async periods(ruleset, from, to) {
        try {
          const { doc } = await scoped(() => ruleSetService.load(ruleset, client ?? undefined))
          return rulePeriods(doc, from, to)
        } catch (error) {
          if (error instanceof RuleSetNotFoundError) return []
          throw error
        }
      },
    },

    catalog: {
      async schools(filter = {}) {
        const rows = await scoped(async () => {
          const query = School.query({ client }).where('active', true).orderBy('order').orderBy('name')
          if (filter.order) query.where('order', filter.order)
          return query
        })
        return rows
          .filter((s) => !filter.service || s.services.includes(filter.service))
          .map((s) => ({ code: s.code, name: s.name, order: s.order, services: s.services, address: s.address }))
      },
      async classes(schoolCode) {
        return scoped(async () => {
          const school = await School.query({ client }).where('code', schoolCode).where('active', true).first()
          if (!school) return []
          const rows = await SchoolClass.query({ client })
            .where('school_id', school.id)
            .where('active', true)
            .orderBy('year')
            .orderBy('section')
          return rows.map((c) => ({ year: c.year, section: c.section }))
        })
      },
      async classesOf(schoolCodes) {
        return scoped(async () => {
          const out: Record<string, Array<{ year: string | null; section: string }>> = {}
          for (let i = 0; i < schoolCodes.length; i += 500) {
            const schools = await School.query({ client })
              .whereIn('code', schoolCodes.slice(i, i + 500))
              .where('active', true)
            if (schools.length === 0) continue
            const codeOf = new Map(schools.map((school) => [school.id, school.code]))
            for (const school of schools) out[school.code] = []
            // Plain rows: a city's schools have 1,600 classes, read at once by the canteen's cut-off.
            const rows = await SchoolClass.query({ client })
              .whereIn(
                'school_id',
                schools.map((school) => school.id)
              )
              .where('active', true)
              .orderBy('year')
              .orderBy('section')
              .select('school_id', 'year', 'section')
              .pojo<{ school_id: number | string; year: string | null; section: string }>()
            for (const c of rows) out[codeOf.get(Number(c.school_id))!].push({ year: c.year, section: c.section })
          }
          return out
        })
      },
      async entries(source, filter = {}) {
        return catalogEntries(ref, source, filter, trx, lang)
      },
    },

    enrolments: {
      async list(filter = {}) {
        const rows = await scoped(async () => {
          // Only the columns a plugin's record shows: the tariff's result and trace (large, and
          // encrypted) and the timestamps are neither decrypted nor parsed for lists of thousands.
          const query = Enrolment.query({ client }).select(ENROLMENT_RECORD_COLUMNS)
          return enrolmentFilter(query, pluginId, filter)
        })
        return rows.map(enrolmentView)
      },
      async placements(filter = {}) {
        const limit = Math.min(filter.limit ?? PLACEMENTS_PAGE, PLACEMENTS_PAGE)
        const rows = await scoped(async () => {
          // Plain rows (no model, no hooks per row); the tenant's scope is the model query's own.
          const query = Enrolment.query({ client }).select(PLACEMENT_COLUMNS)
          return enrolmentFilter(query, pluginId, { ...filter, limit }).pojo<Record<string, unknown>>()
        })
        return rows.map(placementView)
      },
      async names(ids) {
        if (ids.length > PLACEMENTS_PAGE) {
          throw new Error(`enrolments.names: at most ${PLACEMENTS_PAGE} ids at once, ${ids.length} given`)
        }
        if (ids.length === 0) return []
        const rows = await scoped(async () =>
          Enrolment.query({ client })
            .select('id', 'child_first_name', 'child_last_name')
            .where('service', pluginId)
            .whereIn('id', ids)
            .orderBy('id')
            .pojo<Record<string, unknown>>()
        )
        return rows.map((r) => ({
          id: Number(r.id),
          firstName: (identifierColumn.consume(r.child_first_name) as string | null) ?? null,
          lastName: (identifierColumn.consume(r.child_last_name) as string | null) ?? null,
        }))
      },
      async find(id) {
        return scoped(async () => {
          const row = await Enrolment.query({ client }).where('id', id).where('service', pluginId).first()
          return row ? enrolmentView(row) : null
        })
      },
      async create(input) {
        return scoped(() =>
          write(async (t) => enrolmentView(await enrolmentService.create(t, newEnrolment(pluginId, input))))
        )
      },
      async enrolSubmission(submissionId, input) {
        return scoped(() =>
          write(async (t) => enrolmentView(await enrolmentService.enrolSubmission(t, pluginId, submissionId, input)))
        )
      },
      async withdraw(id) {
        return scoped(() =>
          write(async (t) => enrolmentView(await enrolmentService.withdraw(t, await ownEnrolment(id, t))))
        )
      },
    },

    submissions: {
      async find(id) {
        return scoped(async () => {
          const row = await Submission.query({ client })
            .where('id', id)
            .whereIn('form_id', (forms) => forms.from('forms').select('id').where('service', pluginId))
            .first()
          if (!row) return null
          const sent = row.submittedAt
          return {
            id: row.id,
            formKey: row.formKey,
            service: pluginId,
            status: row.status,
            applicantUserId: row.applicantUserId,
            data: row.data ?? {},
            sentOn: sent ? sent.setZone('Europe/Rome').toISODate() : null,
          }
        })
      },
    },

    notices: {
      async mail(to, message) {
        noIo('mail')
        return sendMailNotice(to, message)
      },
      async mailUser(userId, message) {
        noIo('mail')
        const membership = await scoped(async () => Membership.query().where('user_id', userId).preload('user').first())
        if (!membership) throw new Error(`Plugin "${pluginId}": user ${userId} is not a member of ${tenant.slug}`)
        return sendMailNotice(membership.user.email, message)
      },
    },

    ledger: {
      async postCharge(charge) {
        return scoped(() =>
          write(async (t) => {
            const enrolment = await ownEnrolment(charge.enrolmentId, t)
            const amount = lineAmount(charge)
            const { entry } = await postEntry(t, {
              key: `plugin:${pluginId}:${charge.key}`,
              kind: 'charge',
              payerUserId: enrolment.applicantUserId,
              enrolmentId: enrolment.id,
              service: pluginId,
              period: charge.period,
              ...amount,
              description: charge.description,
              details: charge.details ?? null,
            })
            return entryView(entry)
          })
        )
      },
      async balance(filter) {
        return scoped(async () => {
          if (filter.enrolmentId !== undefined) await ownEnrolment(filter.enrolmentId)
          return balanceOf(
            { ...filter, service: filter.enrolmentId !== undefined ? pluginId : undefined },
            trx ?? undefined
          )
        })
      },
    },

    protocol: {
      async register(request) {
        noIo('protocol')
        // Keys are kept per plugin, so a plugin's key can never answer with another's registration.
        const registration = await scoped(() =>
          protocolService().register({ ...request, idempotencyKey: `plugin:${pluginId}:${request.idempotencyKey}` })
        )
        return {
          number: registration.number,
          year: registration.year,
          date: registration.date,
          label: registration.label,
        }
      },
    },

    pdf: {
      async page(page) {
        return renderPage(tenant.name, page, lang)
      },
    },

    events: {
      async emit(name, payload) {
        if (!name.startsWith(`${pluginId}.`)) {
          throw new Error(`Plugin "${pluginId}" may emit only its own events ("${pluginId}.<event>"), not "${name}"`)
        }
        return scoped(() => emitDomainEvent(name, payload, { trx, tenant: ref }))
      },
    },

    jobs: {
      async enqueue(job, payload, options = {}) {
        if (!manifest.jobs?.[job]) throw new Error(`Plugin "${pluginId}" declares no job "${job}"`)
        await enqueueFollowUp(trx, `${pluginId}.${job}`, payload, { ...options, tenant: ref })
      },
    },
  }
  return ctx
}

/** The entries of a catalog kind, from the plugin that declares it, where that plugin is enabled. */
export async function catalogEntries(
  tenant: TenantRef,
  source: string,
  filter: Record<string, string>,
  trx: Transaction | null,
  lang: Lang
): Promise<CatalogEntry[]> {
  const owner = pluginRegistry()
    .all()
    .find((p) => p.manifest.catalog?.[source])
  if (!owner) throw new UnknownCatalogSourceError(source)
  const enabled = await RequestContext.withTenant(tenant, () =>
    TenantPlugin.query({ client: trx ?? undefined })
      .where('plugin_id', owner.manifest.id)
      .where('enabled', true)
      .first()
  )
  if (!enabled) throw new UnknownCatalogSourceError(source)
  const ownerCtx = await pluginContext(owner.manifest.id, { tenant, trx, lang })
  return RequestContext.withTenant(tenant, () => owner.manifest.catalog![source].list(filter, ownerCtx))
}

export class UnknownCatalogSourceError extends LocalizedError {
  constructor(readonly source: string) {
    super(404, texts('catalog.unknownSource', { source }))
  }
}

function newEnrolment(service: string, input: NewEnrolment): Partial<Enrolment> {
  const tariff = input.tariff
  const amount = tariff?.evaluation.result.amount
  return {
    service,
    formKey: input.formKey,
    schoolYear: input.schoolYear,
    submissionId: input.submissionId,
    applicantUserId: input.applicantUserId,
    status: 'active',
    childFirstName: input.child.firstName ?? null,
    childLastName: input.child.lastName ?? null,
    childFiscalCode: input.child.fiscalCode ?? null,
    childUnborn: input.child.unborn ?? false,
    childBirthDate: input.child.birthDate ?? null,
    schoolId: input.schoolId ?? null,
    section: input.section ?? null,
    details: input.details ?? null,
    isee: input.isee ?? null,
    tariffAmount: amount === null || amount === undefined ? null : String(amount),
    tariffRuleset: tariff?.evaluation.ruleset ?? null,
    tariffVersion: tariff?.evaluation.version ?? null,
    tariffAt: tariff?.evaluation.at ?? null,
    tariffResult: tariff?.evaluation.result ?? null,
    tariffFacts: tariff?.facts ?? null,
    tariffTrace: (tariff?.evaluation.trace as Enrolment['tariffTrace']) ?? null,
    tariffMissingReason: tariff ? null : 'no_tariff_rule',
  }
}

/** The columns enrolmentView reads. */
const ENROLMENT_RECORD_COLUMNS = [
  'id',
  'tenant_id',
  'service',
  'form_key',
  'school_year',
  'submission_id',
  'applicant_user_id',
  'status',
  'child_first_name',
  'child_last_name',
  'child_fiscal_code',
  'child_unborn',
  'child_birth_date',
  'school_id',
  'section',
  'isee',
  'details',
  'tariff_amount',
  'tariff_ruleset',
  'tariff_version',
  'tariff_at',
  // Billing prices each meal again at the version in force on its day, from the same facts.
  'tariff_facts',
  'fee_override_amount',
  'fee_override_reason',
]

/** The page size of the lean reads (`placements`, `names`): bounded memory per call whatever the set. */
const PLACEMENTS_PAGE = 5000

const PLACEMENT_COLUMNS = ['id', 'applicant_user_id', 'school_year', 'status', 'school_id', 'section', 'details']

/** A plugin's selection of its enrolments, the same for `list` and `placements`: in id order. */
function enrolmentFilter<Q extends ReturnType<typeof Enrolment.query>>(
  query: Q,
  service: string,
  filter: EnrolmentFilter
) {
  query.where('service', service).orderBy('id')
  if (filter.schoolYear) query.where('school_year', filter.schoolYear)
  if (filter.status) query.where('status', filter.status)
  if (filter.schoolIds) query.whereIn('school_id', filter.schoolIds.length ? filter.schoolIds : [''])
  if (filter.applicantUserId !== undefined) query.where('applicant_user_id', filter.applicantUserId)
  if (filter.ids) query.whereIn('id', filter.ids.length ? filter.ids : [0])
  if (filter.afterId !== undefined) query.where('id', '>', filter.afterId)
  if (filter.limit !== undefined) query.limit(filter.limit)
  return query
}

/** A plain row as the lean read gives it: the details decrypted as the model would (columns.ts). */
function placementView(r: Record<string, unknown>): EnrolmentPlacement {
  return {
    id: Number(r.id),
    applicantUserId: Number(r.applicant_user_id),
    schoolYear: String(r.school_year),
    status: r.status as EnrolmentPlacement['status'],
    schoolId: (r.school_id as string | null) ?? null,
    section: (r.section as string | null) ?? null,
    details: encryptedColumn.consume(r.details) as EnrolmentPlacement['details'],
  }
}

export function enrolmentView(row: Enrolment): EnrolmentRecord {
  return {
    id: row.id,
    service: row.service,
    formKey: row.formKey,
    schoolYear: row.schoolYear,
    submissionId: row.submissionId,
    applicantUserId: row.applicantUserId,
    status: row.status,
    child: {
      firstName: row.childFirstName,
      lastName: row.childLastName,
      fiscalCode: row.childFiscalCode,
      unborn: row.childUnborn,
      birthDate: row.childBirthDate,
    },
    schoolId: row.schoolId,
    section: row.section,
    isee: row.isee,
    details: row.details,
    tariff: {
      amount: row.tariffAmount,
      ruleset: row.tariffRuleset,
      version: row.tariffVersion,
      at: row.tariffAt,
      facts: row.tariffFacts,
    },
    feeOverride: row.feeOverrideAmount ? { amount: row.feeOverrideAmount, reason: row.feeOverrideReason } : null,
    withdrawnFrom: row.withdrawnFrom,
  }
}

async function sendMailNotice(to: string, message: MailNotice) {
  const { sent } = await sendMail({
    to,
    subject: message.subject,
    text: message.text,
    attachments: message.attachments?.map((a) => ({ ...a, content: Buffer.from(a.content) })),
  })
  return { sent }
}

async function renderPage(tenantName: string, page: PdfPage, lang: Lang) {
  const sheet = await PdfSheet.create({ title: page.title, subject: page.subject ?? page.title, lang })
  sheet.heading(tenantName)
  sheet.text(page.title, { font: sheet.bold, size: 13 })
  sheet.y -= 6
  for (const block of page.blocks) {
    if ('heading' in block) {
      sheet.y -= 4
      sheet.text(block.heading, { font: sheet.bold, size: 11 })
    } else if ('text' in block) {
      sheet.text(block.text, { font: block.bold ? sheet.bold : sheet.regular, size: block.size ?? 10 })
    } else if ('pairs' in block) {
      sheet.pairs(block.pairs, block.labelWidth ?? 150)
    } else {
      sheet.rule()
    }
  }
  return sheet.save()
}
