import { tablePrefix } from '#plugins/plugin_schema'
import { Ajv } from 'ajv'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { CronExpressionParser } from 'cron-parser'
import { ROLES } from '#services/tenants/roles'

/**
 * Boot-time validation of a plugin manifest. Errors name the plugin and the
 * field, so a broken plugin stops the application with a message that says
 * exactly what to fix.
 */
export class PluginManifestError extends Error {
  constructor(
    readonly plugin: string,
    readonly problems: string[]
  ) {
    super(`Plugin "${plugin}" has an invalid manifest:\n  - ${problems.join('\n  - ')}`)
    this.name = 'PluginManifestError'
  }
}

/** Events the platform emits; a plugin may also subscribe to `<plugin id>.<event>` of any plugin. */
export const PLATFORM_EVENTS = [
  'submission.submitted',
  'submission.accepted',
  'submission.rejected',
  'enrolment.created',
  'enrolment.withdrawn',
  'tenant.created',
  'charge.created',
  'payment.received',
] as const

const PLATFORM_EVENT_DOMAINS = new Set(PLATFORM_EVENTS.map((e) => e.split('.')[0]))

/** Path segments of the tenant API that a plugin id (its route prefix) may not take. */
export const RESERVED_IDS = new Set([
  'audit',
  'attachments',
  'billing',
  'catalog',
  'enrolments',
  'forms',
  'ledger',
  'members',
  'payments',
  'platform',
  'plugins',
  'reports',
  'rulesets',
  'submissions',
  ...PLATFORM_EVENT_DOMAINS,
])

/** Catalog sources the platform serves itself (forms/README.md). */
const PLATFORM_SOURCES = new Set(['schools', 'classes', 'sections'])

export const REPORT_COLUMN_TYPES = ['text', 'integer', 'decimal', 'money', 'date', 'boolean'] as const

const localized = {
  type: 'object',
  required: ['it', 'en'],
  properties: { it: { type: 'string', minLength: 1 }, en: { type: 'string', minLength: 1 } },
  additionalProperties: false,
}

const roles = { type: 'array', minItems: 1, items: { enum: [...ROLES] }, uniqueItems: true }

const schema = {
  type: 'object',
  required: ['id', 'name', 'version', 'forms', 'rulesets'],
  properties: {
    id: { type: 'string', pattern: '^[a-z][a-z0-9-]*$' },
    name: localized,
    description: localized,
    version: { type: 'string', pattern: '^\\d+\\.\\d+\\.\\d+' },
    forms: { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true },
    rulesets: { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true },
    // A folder inside the plugin's own: no absolute path, no way out with "..".
    migrations: { type: 'string', minLength: 1, pattern: '^(?!/)(?!.*\\.\\.)[^:]+$' },
    dictionary: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        required: ['description', 'columns'],
        properties: {
          description: { type: 'string', minLength: 1 },
          columns: { type: 'object', additionalProperties: { type: 'string', minLength: 1 } },
          encrypted: { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true },
        },
        additionalProperties: false,
      },
    },
    routes: {},
    jobs: { type: 'object' },
    events: { type: 'object' },
    messages: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        required: ['it', 'en'],
        properties: { it: { type: 'string', minLength: 1 }, en: { type: 'string', minLength: 1 } },
        additionalProperties: false,
      },
    },
    settings: {
      type: 'object',
      required: ['schema', 'defaults'],
      properties: { schema: { type: 'object' }, defaults: { type: 'object' } },
      additionalProperties: false,
    },
    catalog: {
      type: 'object',
      propertyNames: { pattern: '^[a-z][a-z0-9_]*$' },
      additionalProperties: {
        type: 'object',
        required: ['title', 'list'],
        properties: { title: localized, list: {} },
        additionalProperties: false,
      },
    },
    reports: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'title', 'roles', 'columns', 'rows'],
        properties: {
          id: { type: 'string', pattern: '^[a-z][a-z0-9-]*$' },
          title: localized,
          description: localized,
          roles,
          params: { type: 'object' },
          columns: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'object',
              required: ['key', 'label', 'type'],
              properties: {
                key: { type: 'string', minLength: 1 },
                label: localized,
                type: { enum: [...REPORT_COLUMN_TYPES] },
                width: { type: 'integer', minimum: 1, maximum: 255 },
              },
              additionalProperties: false,
            },
          },
          rows: {},
          check: {},
          count: {},
        },
        additionalProperties: false,
      },
    },
    lists: {
      type: 'object',
      propertyNames: { pattern: '^[a-z][a-z0-9_]*$' },
      additionalProperties: {
        type: 'object',
        required: ['title', 'attributes', 'filters', 'mismatch'],
        properties: {
          title: localized,
          attributes: {
            type: 'object',
            propertyNames: { pattern: '^[a-z][a-z0-9_]*$' },
            additionalProperties: { enum: ['strings', 'months', 'text'] },
          },
          parent: { type: 'string', pattern: '^[a-z][a-z0-9_]*$' },
          filters: { type: 'object', propertyNames: { pattern: '^[a-z][a-z0-9_]*$' } },
          mismatch: localized,
          describe: {},
          check: {},
          fields: {
            type: 'object',
            propertyNames: { pattern: '^[a-z][a-z0-9_]*$' },
            additionalProperties: {
              type: 'object',
              required: ['label'],
              properties: {
                label: localized,
                hint: localized,
                choices: { type: 'string', pattern: '^[a-z][a-z0-9_]*$' },
                empty: localized,
              },
              additionalProperties: false,
            },
          },
        },
        additionalProperties: false,
      },
    },
    plainSources: { type: 'array', items: { type: 'string', pattern: '^[a-z][a-z0-9_]*$' }, uniqueItems: true },
    enrolment: {
      type: 'object',
      required: ['describe'],
      properties: { describe: {}, attendanceFrom: {} },
      additionalProperties: false,
    },
    billing: {
      type: 'object',
      required: ['charges'],
      properties: { charges: {}, daily: {} },
      additionalProperties: false,
    },
    hooks: {
      type: 'object',
      properties: { install: {}, enable: {}, disable: {}, demo: {} },
      additionalProperties: false,
    },
  },
  additionalProperties: false,
}

const ajv = new Ajv({ allErrors: true })
const validateShape = ajv.compile(schema)

/** The compiler of plugin settings schemas: the same draft as the forms. */
export const settingsAjv = new Ajv2020({ allErrors: true, strict: true })
const validateRoles = ajv.compile(roles)

export function validateManifest(
  folder: string,
  manifest: unknown,
  known: { forms: Set<string>; rulesets: Set<string> }
) {
  const label = typeof manifest === 'object' && manifest && 'id' in manifest ? String(manifest.id) : folder
  if (typeof manifest !== 'object' || manifest === null) {
    throw new PluginManifestError(folder, ['index.ts must default-export definePlugin({...})'])
  }
  const problems: string[] = []
  if (!validateShape(manifest)) {
    for (const error of validateShape.errors ?? []) {
      const field = (error.instancePath.slice(1).replaceAll('/', '.') || '(manifest)') as string
      const extra =
        error.keyword === 'additionalProperties'
          ? `unknown field "${(error.params as { additionalProperty: string }).additionalProperty}"`
          : error.keyword === 'required'
            ? `missing field "${(error.params as { missingProperty: string }).missingProperty}"`
            : error.message
      problems.push(`field "${field}": ${extra}`)
    }
  }
  const m = manifest as Record<string, unknown>
  if (typeof m.id === 'string' && m.id !== folder) {
    problems.push(`field "id": "${m.id}" must equal the folder name "${folder}"`)
  }
  if (typeof m.id === 'string' && RESERVED_IDS.has(m.id)) {
    problems.push(`field "id": "${m.id}" is a path of the platform's API; choose another id`)
  }
  if (m.routes !== undefined) {
    if (typeof m.routes !== 'function') problems.push('field "routes": must be a function (router) => void')
    else problems.push(...routeProblems(m.routes as (router: unknown) => void))
  }
  if (typeof m.id === 'string') {
    for (const table of Object.keys((m.dictionary as Record<string, unknown>) ?? {})) {
      if (!table.startsWith(tablePrefix(m.id))) {
        problems.push(`field "dictionary.${table}": the plugin's tables start with "${tablePrefix(m.id)}"`)
      }
    }
  }
  for (const [name, hook] of Object.entries((m.hooks as Record<string, unknown>) ?? {})) {
    if (typeof hook !== 'function') problems.push(`field "hooks.${name}": must be a function`)
  }
  for (const [name, job] of Object.entries((m.jobs as Record<string, unknown>) ?? {})) {
    const { handle, schedule } = (job ?? {}) as { handle?: unknown; schedule?: unknown }
    if (typeof handle !== 'function') problems.push(`field "jobs.${name}.handle": must be a function`)
    if (schedule !== undefined) {
      try {
        if (typeof schedule !== 'string') throw new Error('not a string')
        CronExpressionParser.parse(schedule)
      } catch (error) {
        problems.push(`field "jobs.${name}.schedule": not a cron expression (${(error as Error).message})`)
      }
    }
  }
  problems.push(...eventProblems(m.events))
  problems.push(...settingsProblems(m.settings))
  const enrolment = m.enrolment as { describe?: unknown; attendanceFrom?: unknown } | undefined
  if (enrolment && typeof enrolment.describe !== 'function') {
    problems.push('field "enrolment.describe": must be a function')
  }
  if (enrolment && 'attendanceFrom' in enrolment && typeof enrolment.attendanceFrom !== 'function') {
    problems.push('field "enrolment.attendanceFrom": must be a function')
  }
  for (const [name, list] of Object.entries((m.lists as Record<string, Record<string, unknown>>) ?? {})) {
    if (PLATFORM_SOURCES.has(name)) problems.push(`field "lists.${name}": the platform serves "${name}" itself`)
    for (const [key, filter] of Object.entries((list.filters as Record<string, unknown>) ?? {})) {
      if (typeof filter !== 'function') problems.push(`field "lists.${name}.filters.${key}": must be a function`)
    }
    for (const hook of ['describe', 'check'] as const) {
      if (hook in list && typeof list[hook] !== 'function')
        problems.push(`field "lists.${name}.${hook}": must be a function`)
    }
    const attributes = (list.attributes as Record<string, string> | undefined) ?? {}
    for (const [key, field] of Object.entries((list.fields as Record<string, { choices?: unknown }>) ?? {})) {
      if (!Object.hasOwn(attributes, key)) {
        problems.push(`field "lists.${name}.fields.${key}": not one of the list's attributes`)
      } else if (field?.choices !== undefined && attributes[key] !== 'strings') {
        problems.push(`field "lists.${name}.fields.${key}.choices": only an attribute of codes ("strings") has choices`)
      }
    }
  }
  for (const [name, source] of Object.entries((m.catalog as Record<string, { list?: unknown }>) ?? {})) {
    if (PLATFORM_SOURCES.has(name)) problems.push(`field "catalog.${name}": the platform serves "${name}" itself`)
    if (typeof source?.list !== 'function') problems.push(`field "catalog.${name}.list": must be a function`)
  }
  const billing = m.billing as { charges?: unknown; daily?: unknown } | undefined
  if (billing && typeof billing.charges !== 'function') problems.push('field "billing.charges": must be a function')
  if (billing && billing.daily !== undefined && typeof billing.daily !== 'function') {
    problems.push('field "billing.daily": must be a function')
  }
  problems.push(...reportProblems(m.reports))
  for (const id of Array.isArray(m.forms) ? m.forms : []) {
    if (!known.forms.has(id)) problems.push(`field "forms": no default form "${id}" in forms/`)
  }
  for (const id of Array.isArray(m.rulesets) ? m.rulesets : []) {
    if (!known.rulesets.has(id)) problems.push(`field "rulesets": no default rule set "${id}" in rules/`)
  }
  if (problems.length) throw new PluginManifestError(label, problems)
}

/** Declares the routes on a recording router: each needs a path, its roles and a handler. */
function routeProblems(routes: (router: unknown) => void): string[] {
  const problems: string[] = []
  const seen = new Set<string>()
  const record = (method: string) => (path: unknown, route: unknown) => {
    const where = `${method.toUpperCase()} ${String(path)}`
    if (typeof path !== 'string' || !path.startsWith('/'))
      problems.push(`field "routes": ${where}: a path starts with /`)
    if (seen.has(where)) problems.push(`field "routes": ${where} is declared twice`)
    seen.add(where)
    const r = (route ?? {}) as Record<string, unknown>
    if (typeof r.handle !== 'function') problems.push(`field "routes": ${where}: "handle" must be a function`)
    if (!validateRoles(r.roles)) {
      problems.push(`field "routes": ${where}: "roles" must list the roles that may call it (${ROLES.join(', ')})`)
    }
    for (const key of ['body', 'query'] as const) {
      const validator = r[key] as { validate?: unknown } | undefined
      if (validator !== undefined && typeof validator?.validate !== 'function') {
        problems.push(`field "routes": ${where}: "${key}" must be a compiled validator (vine.compile)`)
      }
    }
  }
  const router = Object.fromEntries(['get', 'post', 'put', 'patch', 'delete'].map((m) => [m, record(m)]))
  try {
    routes(router)
  } catch (error) {
    problems.push(`field "routes": declaring the routes failed: ${(error as Error).message}`)
  }
  return problems
}

function eventProblems(events: unknown): string[] {
  if (typeof events !== 'object' || events === null) return []
  const problems: string[] = []
  const platform = new Set<string>(PLATFORM_EVENTS)
  for (const [name, subscriber] of Object.entries(events)) {
    const domain = name.split('.')[0]
    if (!/^[a-z][a-z0-9-]*\.[a-z][a-z0-9_.-]*$/.test(name)) {
      problems.push(`field "events.${name}": an event is named <domain>.<event>, e.g. "submission.accepted"`)
    } else if (PLATFORM_EVENT_DOMAINS.has(domain) && !platform.has(name)) {
      problems.push(`field "events.${name}": the platform emits no such event (${PLATFORM_EVENTS.join(', ')})`)
    }
    const handler = typeof subscriber === 'function' ? subscriber : (subscriber as { handle?: unknown } | null)?.handle
    if (typeof handler !== 'function') {
      problems.push(`field "events.${name}": a function, or { handle, inTransaction? }`)
    }
    const inTransaction = (subscriber as { inTransaction?: unknown } | null)?.inTransaction
    if (typeof subscriber === 'object' && inTransaction !== undefined && typeof inTransaction !== 'boolean') {
      problems.push(`field "events.${name}.inTransaction": must be true or false`)
    }
  }
  return problems
}

/** The settings schema must compile and its defaults must satisfy it. */
function settingsProblems(settings: unknown): string[] {
  const s = settings as { schema?: unknown; defaults?: unknown } | undefined
  if (!s || typeof s.schema !== 'object' || s.schema === null || typeof s.defaults !== 'object') return []
  if ((s.schema as { type?: unknown }).type !== 'object') return ['field "settings.schema": must be of type "object"']
  try {
    const validate = settingsAjv.compile(s.schema as object)
    if (validate(s.defaults)) return []
    return (validate.errors ?? []).map(
      (e) => `field "settings.defaults${e.instancePath.replaceAll('/', '.')}": ${e.message ?? 'invalid'}`
    )
  } catch (error) {
    return [`field "settings.schema": does not compile: ${(error as Error).message}`]
  }
}

function reportProblems(reports: unknown): string[] {
  if (!Array.isArray(reports)) return []
  const problems: string[] = []
  const ids = new Set<string>()
  reports.forEach((report: Record<string, unknown>, i) => {
    const where = `reports.${i}`
    if (typeof report?.id === 'string') {
      if (ids.has(report.id)) problems.push(`field "${where}.id": "${report.id}" is declared twice`)
      ids.add(report.id)
    }
    if (typeof report?.rows !== 'function') problems.push(`field "${where}.rows": must be an async generator function`)
    if (report?.count !== undefined && typeof report.count !== 'function') {
      problems.push(`field "${where}.count": must be a function`)
    }
    const keys = new Set<string>()
    for (const column of Array.isArray(report?.columns) ? report.columns : []) {
      if (keys.has(column?.key)) problems.push(`field "${where}.columns": the key "${column.key}" is used twice`)
      keys.add(column?.key)
    }
    if (report?.params !== undefined) {
      if ((report.params as { type?: unknown }).type !== 'object') {
        problems.push(`field "${where}.params": must be a JSON Schema of type "object"`)
      } else {
        try {
          settingsAjv.compile(report.params as object)
        } catch (error) {
          problems.push(`field "${where}.params": does not compile: ${(error as Error).message}`)
        }
      }
    }
  })
  return problems
}
