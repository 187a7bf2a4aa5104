import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js'
import { pluginRegistry } from '#plugins/registry'
import type { TenantAccess } from '#services/tenants/tenant_access'
import { t, type MessageKey } from '#i18n/catalogue'
import type { ApiError, Lang, LocalizedText, PluginReport } from '#sdk/types'

/**
 * The reports plugins declare, named `<plugin id>.<report id>`: listed per tenant (the plugins
 * it enabled) and per reader (the roles each report allows).
 */
export interface ReportEntry {
  id: string
  pluginId: string
  /** The plugin's name, by which the back office groups its reports. */
  service: LocalizedText
  report: PluginReport<Record<string, unknown>>
}

export function allReports(): ReportEntry[] {
  return pluginRegistry()
    .all()
    .flatMap(({ manifest }) =>
      (manifest.reports ?? []).map((report) => ({
        id: `${manifest.id}.${report.id}`,
        pluginId: manifest.id,
        service: manifest.name,
        report,
      }))
    )
}

export function findReport(id: string): ReportEntry | undefined {
  return allReports().find((r) => r.id === id)
}

export function visibleReports(enabledPlugins: string[], access: TenantAccess): ReportEntry[] {
  const enabled = new Set(enabledPlugins)
  return allReports().filter((r) => enabled.has(r.pluginId) && access.has(...r.report.roles))
}

export function describeReport(entry: ReportEntry, lang: Lang) {
  return {
    id: entry.id,
    plugin: entry.pluginId,
    service: entry.service[lang],
    title: entry.report.title[lang],
    description: entry.report.description?.[lang] ?? null,
    params: entry.report.params ?? { type: 'object', properties: {} },
    columns: entry.report.columns.map((c) => ({ key: c.key, label: c.label[lang], type: c.type })),
  }
}

// Query strings give strings: numbers and booleans are coerced, defaults filled in.
const ajv = new Ajv2020({ allErrors: true, coerceTypes: true, useDefaults: true, strict: false })
const compiled = new WeakMap<object, ValidateFunction>()

export class ReportParamsError extends Error {
  readonly status = 422
  constructor(readonly errors: ApiError[]) {
    super(errors.map((e) => e.message).join('; '))
  }
}

/** A parameter whose text is not in its pattern's form: the forms the portal knows, said in words. */
const KNOWN_PATTERNS: Record<string, MessageKey> = {
  '^\\d{4}-\\d{2}-\\d{2}$': 'report.param.day',
  '^\\d{4}/\\d{4}$': 'report.param.schoolYear',
}

function messageOf(error: ErrorObject, lang: Lang): string {
  const field = error.instancePath || '/'
  if (error.keyword === 'pattern') {
    const pattern = (error.params as { pattern: string }).pattern
    return t(lang, KNOWN_PATTERNS[pattern] ?? 'report.param.other', { name: field.replace(/^\//, '') })
  }
  if (error.keyword === 'required') {
    const missing = (error.params as { missingProperty: string }).missingProperty
    return t(lang, 'report.param.required', { name: missing })
  }
  if (error.keyword === 'additionalProperties') {
    const extra = (error.params as { additionalProperty: string }).additionalProperty
    return t(lang, 'report.param.unknown', { name: extra })
  }
  return t(lang, 'report.param.invalid', { name: field, reason: error.message ?? '' })
}

/** The report's parameters checked against its schema, defaults applied; a 422 error naming each field otherwise. */
export function reportParams(entry: ReportEntry, input: Record<string, unknown>, lang: Lang): Record<string, unknown> {
  const schema = entry.report.params ?? { type: 'object', properties: {}, additionalProperties: false }
  let validate = compiled.get(schema)
  if (!validate) {
    validate = ajv.compile(schema)
    compiled.set(schema, validate)
  }
  const params = structuredClone(input)
  if (validate(params)) return params
  throw new ReportParamsError(
    (validate.errors ?? []).map((e) => {
      const path =
        e.keyword === 'required'
          ? `/${(e.params as { missingProperty: string }).missingProperty}`
          : e.keyword === 'additionalProperties'
            ? `/${(e.params as { additionalProperty: string }).additionalProperty}`
            : e.instancePath
      return { path, rule: e.keyword, message: messageOf(e, lang) }
    })
  )
}
