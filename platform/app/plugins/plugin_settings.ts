import type { ErrorObject, ValidateFunction } from 'ajv'
import { settingsAjv } from '#plugins/manifest_validator'
import { pluginRegistry } from '#plugins/registry'
import { SettingsError } from '#services/tenants/settings_error'
import type { PluginManifest } from '#sdk/types'

/**
 * The per-tenant settings blocks plugins declare: a JSON Schema and its defaults, kept under
 * `settings.plugins.<plugin id>` of the tenant (one key for all plugins, so a plugin id can never
 * clash with a platform block such as `protocol` or `enrolment`). A block is written through
 * `PATCH /api/v1/t/:tenant` and checked there against its schema with the defaults applied; a
 * plugin reads it, defaults applied, with `ctx.settings()`.
 */
export const PLUGIN_SETTINGS_BLOCK = 'plugins'

/** A block refused on write: 422 naming `settings.plugins.<id>.<field>`. */
export class PluginSettingsError extends SettingsError {
  constructor(field: string, messages: { it: string; en: string }) {
    super(PLUGIN_SETTINGS_BLOCK, field, messages)
    this.name = 'PluginSettingsError'
  }
}

/**
 * A block stored before its schema changed (or written around the API) that no longer holds. It
 * names the field and tells who must act; the request that met it answers 409, never a 500.
 */
export class StoredPluginSettingsError extends PluginSettingsError {
  readonly status = 409
  constructor(field: string, problem: { it: string; en: string }) {
    super(field, {
      it: `Le impostazioni dell'ente per questo servizio non sono valide (settings.plugins.${field}): ${problem.it} Un amministratore dell'ente deve correggerle.`,
      en: `This tenant's settings for the service are not valid (settings.plugins.${field}): ${problem.en} A tenant administrator must correct them.`,
    })
    this.name = 'StoredPluginSettingsError'
  }
}

const compiled = new WeakMap<object, ValidateFunction>()

function validatorOf(manifest: PluginManifest): ValidateFunction {
  const schema = manifest.settings!.schema
  let validate = compiled.get(schema)
  if (!validate) {
    validate = settingsAjv.compile(schema)
    compiled.set(schema, validate)
  }
  return validate
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Defaults under the stored values: objects merge key by key, anything else replaces; null means the default. */
export function withDefaults(defaults: Record<string, unknown>, stored: Record<string, unknown>) {
  const out: Record<string, unknown> = structuredClone(defaults)
  for (const [key, value] of Object.entries(stored)) {
    if (value === null) continue
    out[key] = isObject(value) && isObject(out[key]) ? withDefaults(out[key], value) : structuredClone(value)
  }
  return out
}

/** The field an Ajv error is about, dotted: `reminders.days`. */
function fieldOf(error: ErrorObject): string {
  const parts = error.instancePath.split('/').slice(1)
  if (error.keyword === 'required') parts.push((error.params as { missingProperty: string }).missingProperty)
  if (error.keyword === 'additionalProperties') {
    parts.push((error.params as { additionalProperty: string }).additionalProperty)
  }
  return parts.map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~')).join('.')
}

function problemOf(error: ErrorObject): { it: string; en: string } {
  const p = error.params as Record<string, unknown>
  switch (error.keyword) {
    case 'required':
      return { it: 'il campo è obbligatorio.', en: 'the field is required.' }
    case 'additionalProperties':
      return { it: 'campo sconosciuto: toglilo.', en: 'unknown field: remove it.' }
    case 'type':
      return { it: `deve essere di tipo ${p.type}.`, en: `must be of type ${p.type}.` }
    case 'enum':
      return {
        it: `deve essere uno tra ${(p.allowedValues as unknown[]).join(', ')}.`,
        en: `must be one of ${(p.allowedValues as unknown[]).join(', ')}.`,
      }
    case 'minimum':
    case 'exclusiveMinimum':
      return { it: `deve essere almeno ${p.limit}.`, en: `must be at least ${p.limit}.` }
    case 'maximum':
    case 'exclusiveMaximum':
      return { it: `deve essere al massimo ${p.limit}.`, en: `must be at most ${p.limit}.` }
    case 'minLength':
      return { it: `deve avere almeno ${p.limit} caratteri.`, en: `must have at least ${p.limit} characters.` }
    case 'maxLength':
      return { it: `deve avere al massimo ${p.limit} caratteri.`, en: `must have at most ${p.limit} characters.` }
    default:
      return { it: `valore non valido (${error.message}).`, en: `invalid value (${error.message}).` }
  }
}

/** The plugin's block with defaults applied, or the first problem (field and message) when it does not hold. */
function resolve(manifest: PluginManifest, stored: unknown) {
  const { defaults } = manifest.settings!
  if (stored !== undefined && stored !== null && !isObject(stored)) {
    return {
      ok: false as const,
      field: manifest.id,
      problem: { it: 'deve essere un oggetto JSON.', en: 'must be a JSON object.' },
    }
  }
  const value = withDefaults(defaults, isObject(stored) ? stored : {})
  const validate = validatorOf(manifest)
  if (validate(value)) return { ok: true as const, value }
  const error = validate.errors![0]
  const field = [manifest.id, fieldOf(error)].filter(Boolean).join('.')
  return { ok: false as const, field, problem: problemOf(error) }
}

/** The settings block of one plugin for a tenant, defaults applied; a stored block that does not hold throws. */
export function readPluginSettings(pluginId: string, tenantSettings: Record<string, unknown> | null) {
  const { manifest } = pluginRegistry().getOrFail(pluginId)
  if (!manifest.settings) return {}
  const blocks = tenantSettings?.[PLUGIN_SETTINGS_BLOCK]
  const stored = isObject(blocks) ? blocks[pluginId] : undefined
  const outcome = resolve(manifest, stored)
  if (!outcome.ok) throw new StoredPluginSettingsError(outcome.field, outcome.problem)
  return outcome.value
}

/**
 * The check of `settings.plugins` on write (tenants_controller's table of blocks): each key an
 * installed plugin that declares settings, each value null (back to the defaults) or a block that,
 * with the defaults under it, satisfies the plugin's schema.
 */
export function parsePluginSettingsBlocks(value: unknown) {
  if (!isObject(value)) {
    throw new PluginSettingsError('', {
      it: 'deve essere un oggetto con un blocco per servizio, con l\'identificativo del servizio come chiave: { "<servizio>": { ... } }.',
      en: 'must be an object with one block per service, keyed by the service id: { "<service>": { ... } }.',
    })
  }
  const out: Record<string, unknown> = {}
  for (const [pluginId, block] of Object.entries(value)) {
    const manifest = pluginRegistry().get(pluginId)?.manifest
    if (!manifest?.settings) {
      throw new PluginSettingsError(pluginId, {
        it: `nessun servizio installato "${pluginId}" ha impostazioni: togli questo blocco.`,
        en: `no installed service "${pluginId}" has settings: remove this block.`,
      })
    }
    if (block === null) continue
    const outcome = resolve(manifest, block)
    if (!outcome.ok) {
      throw new PluginSettingsError(outcome.field, {
        it: `«${outcome.field}»: ${outcome.problem.it}`,
        en: `"${outcome.field}": ${outcome.problem.en}`,
      })
    }
    out[pluginId] = block
  }
  return out
}
