import { Ajv } from 'ajv'

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

const localized = {
  type: 'object',
  required: ['it', 'en'],
  properties: { it: { type: 'string', minLength: 1 }, en: { type: 'string', minLength: 1 } },
  additionalProperties: false,
}

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
    migrations: { type: 'string', minLength: 1 },
    routes: {},
    jobs: { type: 'object' },
    hooks: {
      type: 'object',
      properties: { install: {}, enable: {}, disable: {} },
      additionalProperties: false,
    },
  },
  additionalProperties: false,
}

const ajv = new Ajv({ allErrors: true })
const validateShape = ajv.compile(schema)

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
  if (m.routes !== undefined && typeof m.routes !== 'function') {
    problems.push('field "routes": must be a function (router) => void')
  }
  for (const [name, hook] of Object.entries((m.hooks as Record<string, unknown>) ?? {})) {
    if (typeof hook !== 'function') problems.push(`field "hooks.${name}": must be a function`)
  }
  for (const [name, job] of Object.entries((m.jobs as Record<string, unknown>) ?? {})) {
    if (typeof (job as { handle?: unknown })?.handle !== 'function') {
      problems.push(`field "jobs.${name}.handle": must be a function`)
    }
  }
  for (const id of Array.isArray(m.forms) ? m.forms : []) {
    if (!known.forms.has(id)) problems.push(`field "forms": no default form "${id}" in forms/`)
  }
  for (const id of Array.isArray(m.rulesets) ? m.rulesets : []) {
    if (!known.rulesets.has(id)) problems.push(`field "rulesets": no default rule set "${id}" in rules/`)
  }
  if (problems.length) throw new PluginManifestError(label, problems)
}
