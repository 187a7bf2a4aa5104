import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js'
import { pluginRegistry } from '#plugins/registry'
import type { TenantAccess } from '#services/tenants/tenant_access'
import { defineMessages, fill } from '#i18n/catalogue'
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
const PATTERN_TEXT = defineMessages({
  day: {
    it: 'Il parametro "{name}" deve essere una data nella forma AAAA-MM-GG, per esempio 2026-09-15.',
    en: 'The parameter "{name}" must be a date written YYYY-MM-DD, for example 2026-09-15.',
  },
  schoolYear: {
    it: 'Il parametro "{name}" deve essere un anno scolastico nella forma AAAA/AAAA, per esempio 2026/2027.',
    en: 'The parameter "{name}" must be a school year written YYYY/YYYY, for example 2026/2027.',
  },
  other: {
    it: 'Il parametro "{name}" non è scritto nella forma richiesta: correggilo.',
    en: 'The parameter "{name}" is not written in the required form: correct it.',
  },
})
const KNOWN_PATTERNS: Record<string, keyof typeof PATTERN_TEXT> = {
  '^\\d{4}-\\d{2}-\\d{2}$': 'day',
  '^\\d{4}/\\d{4}$': 'schoolYear',
}

function messageOf(error: ErrorObject, lang: Lang): string {
  const field = error.instancePath || '/'
  if (error.keyword === 'pattern') {
    const pattern = (error.params as { pattern: string }).pattern
    return fill(PATTERN_TEXT[KNOWN_PATTERNS[pattern] ?? 'other'][lang], { name: field.replace(/^\//, '') })
  }
  if (error.keyword === 'required') {
    const missing = (error.params as { missingProperty: string }).missingProperty
    return lang === 'it' ? `Il parametro "${missing}" è obbligatorio.` : `The parameter "${missing}" is required.`
  }
  if (error.keyword === 'additionalProperties') {
    const extra = (error.params as { additionalProperty: string }).additionalProperty
    return lang === 'it' ? `Parametro sconosciuto "${extra}".` : `Unknown parameter "${extra}".`
  }
  return lang === 'it'
    ? `Parametro ${field} non valido: ${error.message}.`
    : `Invalid parameter ${field}: ${error.message}.`
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
