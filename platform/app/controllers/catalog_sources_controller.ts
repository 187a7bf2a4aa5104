import type { HttpContext } from '@adonisjs/core/http'
import TenantPolicy from '#policies/tenant_policy'
import CatalogPolicy from '#policies/catalog_policy'
import { entrySources, isEntrySource } from '#forms/catalog_sources'
import { CATALOG_SOURCES } from '#forms/school_catalog'
import {
  EntryRefused,
  isCatalogSource,
  saveEntry,
  sourceEntries,
  sourceFilters,
  sourceOptions,
} from '#services/tenants/catalog_source_service'
import { requestLanguage } from '#services/infrastructure/request_language'
import { catalogEntries, UnknownCatalogSourceError } from '#plugins/plugin_context'
import type { TenantRef } from '#services/infrastructure/request_context'
import type { Lang } from '#forms/types'
import { entryValidator } from '#validators/catalog'
import { jsonPointer } from '#shared/contract'

const CODE = /^[a-z0-9][a-z0-9_-]{0,63}$/

const TEXT = {
  unknown: {
    it: 'Elenco sconosciuto: vedi GET /catalog/sources per quelli disponibili.',
    en: 'Unknown list: see GET /catalog/sources for the available ones.',
  },
  notEntries: {
    it: 'Questo elenco si gestisce con le API delle scuole (/catalog/schools).',
    en: 'This list is kept through the school API (/catalog/schools).',
  },
  code: {
    it: 'Il codice può contenere solo lettere minuscole, cifre, "_" e "-" (al massimo 64).',
    en: 'The code may hold only lower-case letters, digits, "_" and "-" (64 at most).',
  },
}

/**
 * The lists forms choose from, by source name (`ui:options.source`): every member reads the options
 * (narrowed by the filters in the query string, as the form's fields give them); operators and
 * tenant admins keep the lists that are catalog entries (those the services' plugins declare).
 */
export default class CatalogSourcesController {
  async index({ access, bouncer }: HttpContext) {
    await bouncer.with(TenantPolicy).authorize('view', access)
    const manage = await bouncer.with(CatalogPolicy).allows('manage', access)
    const lists = entrySources()
    const sources = [
      ...Object.keys(CATALOG_SOURCES).map((source) => ({ source, kind: 'schools', filters: sourceFilters(source) })),
      ...Object.keys(lists).map((source) => ({
        source,
        kind: 'entries',
        filters: sourceFilters(source),
        ...(manage
          ? {
              title: lists[source].title,
              attributes: lists[source].attributes,
              fields: lists[source].fields ?? {},
              parent: lists[source].parent ?? null,
            }
          : {}),
      })),
    ]
    return { sources }
  }

  /** `GET /catalog/sources/:source?<filter>=<value>`; staff add `include_inactive=true`. */
  async show({ access, bouncer, params, request, response, tenant }: HttpContext) {
    await bouncer.with(TenantPolicy).authorize('view', access)
    const lang = requestLanguage(request)
    const source = String(params.source)
    if (!isCatalogSource(source)) return this.#pluginSource(tenant.ref, source, request.qs(), lang, response)
    const qs = request.qs()
    const filter: Record<string, string | undefined> = {}
    for (const key of sourceFilters(source)) {
      const value = qs[key]
      filter[key] = typeof value === 'string' && value.length > 0 && value.length <= 64 ? value : undefined
    }
    const includeInactive =
      ['true', '1'].includes(String(qs.include_inactive)) &&
      (await bouncer.with(CatalogPolicy).allows('manage', access))
    return sourceOptions(source, filter, lang, includeInactive)
  }

  /** `PUT /catalog/sources/:source/:code` creates or changes one entry (never deletes: `active: false`). */
  async update({ access, bouncer, params, request, response }: HttpContext) {
    await bouncer.with(CatalogPolicy).authorize('manage', access)
    const lang = requestLanguage(request)
    const source = String(params.source)
    if (!isCatalogSource(source)) return response.notFound({ errors: [{ message: TEXT.unknown[lang] }] })
    if (!isEntrySource(source)) return response.unprocessableEntity({ errors: [{ message: TEXT.notEntries[lang] }] })
    const code = String(params.code)
    if (!CODE.test(code))
      return response.unprocessableEntity({ errors: [{ path: '/code', rule: 'regex', message: TEXT.code[lang] }] })
    const input = await entryValidator.validate(request.body())
    try {
      const saved = await saveEntry(source, code, input)
      return response.status(saved.created ? 201 : 200).send({ entry: saved.entry })
    } catch (error) {
      if (!(error instanceof EntryRefused)) throw error
      return response.unprocessableEntity({
        errors: [{ path: jsonPointer(error.at), rule: 'entry', message: error.messages[lang] }],
      })
    }
  }

  /** Every entry of a list, active or not, for the back office. */
  async entries({ access, bouncer, params, request, response }: HttpContext) {
    await bouncer.with(CatalogPolicy).authorize('manage', access)
    const source = String(params.source)
    if (!isEntrySource(source)) {
      return response.notFound({ errors: [{ message: TEXT.unknown[requestLanguage(request)] }] })
    }
    return { source, entries: await sourceEntries(source, true) }
  }

  /**
   * A kind a plugin adds to the catalog (its manifest's `catalog`), answered in the same shape as the
   * platform's lists; 404 where no enabled plugin serves it.
   */
  async #pluginSource(
    tenant: TenantRef,
    source: string,
    qs: Record<string, unknown>,
    lang: Lang,
    response: HttpContext['response']
  ) {
    const filter: Record<string, string> = {}
    for (const [key, value] of Object.entries(qs))
      if (typeof value === 'string' && value.length <= 64) filter[key] = value
    try {
      const entries = await catalogEntries(tenant, source, filter, null, lang)
      return {
        managed: true,
        options: entries.map(({ value, label, ...attributes }) => ({
          value,
          label: typeof label === 'string' ? label : (label[lang] ?? label.it),
          description: null,
          attributes,
        })),
      }
    } catch (error) {
      if (error instanceof UnknownCatalogSourceError) {
        return response.notFound({ errors: [{ message: `${TEXT.unknown[lang]} (${source})` }] })
      }
      throw error
    }
  }
}
