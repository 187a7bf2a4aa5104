import db from '@adonisjs/lucid/services/db'
import { LocalizedError, texts, type MessageKey, type MessageParams } from '#i18n/catalogue'
import Form from '#models/form'
import FormDraft from '#models/form_draft'
import FormVersion from '#models/form_version'
import { checkFormDefinition, MAX_DEFINITION_JSON } from '#forms/definition_check'
import { diffForms, type FormDiff } from '#forms/form_diff'
import { isPlainObject } from '#forms/json_pointer'
import type { FormError } from '#forms/types'
import type { Lang } from '#shared/contract'
import { findForm, formDay, inForce } from '#services/definitions/form_service'

/**
 * Forms in the designer: one draft per form, saved as the designer goes (autosave), checked, and
 * published as the next version from a day; versions listed and compared; a form exported as a
 * file and imported into another tenant or environment, where it arrives as a draft that staff
 * there check and publish. Runs in the tenant context (the models are tenant-scoped).
 */

/** Identifies an exported form file. */
export const EXPORT_FORMAT = 'sportello.form'
export const EXPORT_FORMAT_VERSION = 1

/** A definition that cannot be published: every problem, by its JSON Pointer in the definition. */
export class FormDefinitionErrors extends Error {
  constructor(readonly errors: FormError[]) {
    super('The form definition has problems.')
    this.name = 'FormDefinitionErrors'
  }
}

function refusal(status: number, key: MessageKey, params?: MessageParams, path?: string) {
  return new LocalizedError(status, texts(key, params), 'form:designer', path)
}

export interface DraftView {
  form: string
  based_on: number | null
  origin: string
  definition: Record<string, unknown>
  updated_by: number | null
  updated_at: string | null
}

export interface VersionSummary {
  version: number
  valid_from: string | null
  source: string
  published_by: number | null
  published_at: string | null
  in_force: boolean
}

function view(form: Form, draft: FormDraft): DraftView {
  return {
    form: form.key,
    based_on: draft.basedOn,
    origin: draft.origin,
    definition: draft.definition,
    updated_by: draft.updatedBy,
    updated_at: draft.updatedAt?.toISO() ?? draft.createdAt?.toISO() ?? null,
  }
}

async function formOf(ref: string): Promise<Form> {
  const form = await findForm(ref)
  if (!form) throw refusal(404, 'form.notFound')
  return form
}

async function draftOf(form: Form): Promise<FormDraft | null> {
  return FormDraft.query().where('form_id', form.id).first()
}

async function versionInForce(form: Form): Promise<FormVersion | null> {
  return inForce(FormVersion.query().where('form_id', form.id)).orderBy('version', 'desc').first()
}

function definitionOf(body: unknown): Record<string, unknown> {
  if (!isPlainObject(body)) throw refusal(422, 'formDraft.notAnObject', {}, '/definition')
  if (JSON.stringify(body).length > MAX_DEFINITION_JSON) {
    throw refusal(413, 'formDraft.tooLarge', { kb: MAX_DEFINITION_JSON / 1024 }, '/definition')
  }
  return body
}

class FormDraftService {
  /** The form's versions, newest first, which one is in force today, and its draft if any. */
  async versions(ref: string) {
    const form = await formOf(ref)
    const rows = await FormVersion.query()
      .where('form_id', form.id)
      .orderBy('version', 'desc')
      .select('id', 'tenant_id', 'version', 'valid_from', 'source', 'published_by', 'created_at')
    const current = await versionInForce(form)
    const draft = await draftOf(form)
    const versions: VersionSummary[] = rows.map((v) => ({
      version: v.version,
      valid_from: v.validFrom,
      source: v.source,
      published_by: v.publishedBy,
      published_at: v.createdAt?.toISO() ?? null,
      in_force: v.id === current?.id,
    }))
    return {
      form: { key: form.key, service: form.service, title: form.title },
      versions,
      draft: draft ? { based_on: draft.basedOn, origin: draft.origin, updated_at: view(form, draft).updated_at } : null,
    }
  }

  async version(ref: string, number: number): Promise<Record<string, unknown>> {
    const form = await formOf(ref)
    const row = await FormVersion.query().where('form_id', form.id).where('version', number).first()
    if (!row) throw refusal(404, 'formDraft.noVersion', { key: form.key, version: number })
    return row.definition
  }

  async show(ref: string): Promise<DraftView | null> {
    const form = await formOf(ref)
    const draft = await draftOf(form)
    return draft ? view(form, draft) : null
  }

  /** A draft from the version in force (or the given one), to be changed and published. */
  async start(ref: string, from: number | undefined, userId: number | null): Promise<DraftView> {
    const form = await formOf(ref)
    if (await draftOf(form)) throw refusal(409, 'formDraft.exists')
    const base = from
      ? await FormVersion.query().where('form_id', form.id).where('version', from).first()
      : await versionInForce(form)
    if (!base) throw refusal(404, 'formDraft.noVersion', { key: form.key, version: from ?? '-' })
    const draft = await FormDraft.create({
      formId: form.id,
      basedOn: base.version,
      origin: 'edit',
      definition: structuredClone(base.definition),
      updatedBy: userId,
    })
    return view(form, draft)
  }

  /**
   * Autosave: what the designer has is kept whatever its state (nothing typed is lost), and the
   * answer lists what would stop its publication, by path.
   */
  async save(ref: string, body: unknown, userId: number | null, lang: Lang) {
    const form = await formOf(ref)
    const definition = definitionOf(body)
    const draft = await draftOf(form)
    if (!draft) throw refusal(404, 'formDraft.none', { key: form.key })
    draft.definition = definition
    draft.updatedBy = userId
    await draft.save()
    return {
      draft: view(form, draft),
      problems: checkFormDefinition(definition, { key: form.key, service: form.service, lang }),
    }
  }

  async check(ref: string, lang: Lang): Promise<FormError[]> {
    const form = await formOf(ref)
    const draft = await draftOf(form)
    if (!draft) throw refusal(404, 'formDraft.none', { key: form.key })
    return checkFormDefinition(draft.definition, { key: form.key, service: form.service, lang })
  }

  async discard(ref: string): Promise<void> {
    const form = await formOf(ref)
    const draft = await draftOf(form)
    if (!draft) throw refusal(404, 'formDraft.none', { key: form.key })
    await draft.delete()
  }

  /**
   * The draft becomes the next version, in force from `validFrom` (today or later, and not before
   * the start of the latest version). Submissions keep the version they were made on.
   */
  async publish(ref: string, validFrom: unknown, userId: number | null, lang: Lang): Promise<VersionSummary> {
    const form = await formOf(ref)
    if (
      typeof validFrom !== 'string' ||
      !/^\d{4}-\d{2}-\d{2}$/.test(validFrom) ||
      Number.isNaN(Date.parse(validFrom))
    ) {
      throw refusal(422, 'formDraft.startRequired', {}, '/valid_from')
    }
    const today = formDay()
    if (validFrom < today) throw refusal(422, 'formDraft.startInPast', { validFrom }, '/valid_from')
    return db.transaction(async (trx) => {
      const draft = await FormDraft.query({ client: trx }).where('form_id', form.id).forUpdate().first()
      if (!draft) throw refusal(404, 'formDraft.none', { key: form.key })
      const problems = checkFormDefinition(draft.definition, { key: form.key, service: form.service, lang })
      if (problems.length) throw new FormDefinitionErrors(problems)
      const latest = await FormVersion.query({ client: trx })
        .where('form_id', form.id)
        .orderBy('version', 'desc')
        .first()
      const starts = await FormVersion.query({ client: trx })
        .where('form_id', form.id)
        .whereNotNull('valid_from')
        .orderBy('valid_from', 'desc')
        .first()
      if (starts?.validFrom && validFrom < starts.validFrom) {
        throw refusal(422, 'formDraft.startBeforeLatest', { validFrom: starts.validFrom }, '/valid_from')
      }
      const number = (latest?.version ?? 0) + 1
      const definition: Record<string, unknown> = { ...draft.definition, version: number }
      const created = await FormVersion.create(
        { formId: form.id, version: number, definition, validFrom, source: 'designer', publishedBy: userId },
        { client: trx }
      )
      const title = definition.title
      if (isPlainObject(title) && JSON.stringify(title) !== JSON.stringify(form.title)) {
        form.useTransaction(trx)
        form.title = title as Record<string, string>
        await form.save()
      }
      await draft.useTransaction(trx).delete()
      return {
        version: number,
        valid_from: validFrom,
        source: created.source,
        published_by: userId,
        published_at: created.createdAt?.toISO() ?? null,
        in_force: validFrom <= today,
      }
    })
  }

  /** Two versions side by side ("draft" names the draft). */
  async diff(ref: string, from: string, to: string): Promise<FormDiff & { from: string; to: string }> {
    const form = await formOf(ref)
    const load = async (which: string) => {
      if (which === 'draft') {
        const draft = await draftOf(form)
        if (!draft) throw refusal(404, 'formDraft.none', { key: form.key })
        return draft.definition
      }
      if (!/^[1-9][0-9]{0,8}$/.test(which)) throw refusal(422, 'formDraft.badVersion', { version: which.slice(0, 20) })
      return this.version(ref, Number(which))
    }
    return { from, to, ...diffForms(await load(from), await load(to)) }
  }

  /** A version (default: the one in force) or the draft, as a file another tenant can import. */
  async exportForm(ref: string, which: string | undefined) {
    const form = await formOf(ref)
    let definition: Record<string, unknown>
    let version: number | null = null
    if (which === 'draft') {
      const draft = await draftOf(form)
      if (!draft) throw refusal(404, 'formDraft.none', { key: form.key })
      definition = draft.definition
    } else if (which !== undefined) {
      if (!/^[1-9][0-9]{0,8}$/.test(which)) throw refusal(422, 'formDraft.badVersion', { version: which.slice(0, 20) })
      version = Number(which)
      definition = await this.version(ref, version)
    } else {
      const current = await versionInForce(form)
      if (!current) throw refusal(404, 'formDraft.noVersion', { key: form.key, version: '-' })
      version = current.version
      definition = current.definition
    }
    return {
      format: EXPORT_FORMAT,
      format_version: EXPORT_FORMAT_VERSION,
      form: form.key,
      service: form.service,
      version,
      exported_at: new Date().toISOString(),
      definition,
    }
  }

  /**
   * A file exported elsewhere arrives as this tenant's draft of the form (created if the tenant
   * has none by that key), unpublished: staff here check it and publish it from a day.
   */
  async importForm(file: unknown, userId: number | null, lang: Lang): Promise<DraftView> {
    if (!isPlainObject(file) || file.format !== EXPORT_FORMAT)
      throw refusal(422, 'formDraft.notAnExport', {}, '/format')
    if (file.format_version !== EXPORT_FORMAT_VERSION) {
      throw refusal(422, 'formDraft.exportVersion', { version: EXPORT_FORMAT_VERSION }, '/format_version')
    }
    const definition = file.definition
    if (!isPlainObject(definition)) throw refusal(422, 'formDraft.notAnObject', {}, '/definition')
    const key = typeof definition.id === 'string' ? definition.id : ''
    const service = typeof definition.service === 'string' ? definition.service : ''
    if (!/^[a-z][a-z0-9-]{0,40}\.[a-z][a-z0-9_-]{0,40}$/.test(key) || !/^[a-z][a-z0-9-]{0,40}$/.test(service)) {
      throw refusal(422, 'formDraft.importKey', {}, '/definition/id')
    }
    const problems = checkFormDefinition(definition, { key, service, lang }).map((p) => ({
      ...p,
      path: `/definition${p.path}`,
    }))
    if (problems.length) throw new FormDefinitionErrors(problems)
    return db.transaction(async (trx) => {
      let form = await Form.query({ client: trx }).where('key', key).forUpdate().first()
      if (form && form.service !== service)
        throw refusal(409, 'formDraft.importService', { key, service: form.service })
      if (!form) {
        form = await Form.create({ key, service, title: definition.title as Record<string, string> }, { client: trx })
      }
      if (await FormDraft.query({ client: trx }).where('form_id', form.id).first())
        throw refusal(409, 'formDraft.exists')
      const current = await inForce(FormVersion.query({ client: trx }).where('form_id', form.id))
        .orderBy('version', 'desc')
        .first()
      const draft = await FormDraft.create(
        { formId: form.id, basedOn: current?.version ?? null, origin: 'import', definition, updatedBy: userId },
        { client: trx }
      )
      return view(form, draft)
    })
  }
}

export const formDraftService = new FormDraftService()
