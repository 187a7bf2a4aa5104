import { SettingsError } from '#services/tenants/settings_error'

/**
 * `settings.designer` of a tenant: who publishes what staff prepare in the designer. A tenant
 * admin publishes; designers publish too only where the tenant says so (`designers_publish`),
 * since a published tariff is what families are charged from its first day.
 */
export interface DesignerSettings {
  designers_publish: boolean
}

export function parseDesignerSettings(value: unknown): DesignerSettings {
  if (value === undefined || value === null) return { designers_publish: false }
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new SettingsError('designer', [], {
      it: 'deve essere un oggetto, per esempio { "designers_publish": true }',
      en: 'must be an object, e.g. { "designers_publish": true }',
    })
  }
  const block = value as Record<string, unknown>
  for (const key of Object.keys(block)) {
    if (key !== 'designers_publish') {
      throw new SettingsError('designer', [key], {
        it: 'campo sconosciuto: è ammesso solo "designers_publish"',
        en: 'unknown field: only "designers_publish" is allowed',
      })
    }
  }
  if (block.designers_publish !== undefined && typeof block.designers_publish !== 'boolean') {
    throw new SettingsError('designer', ['designers_publish'], {
      it: 'deve essere true o false',
      en: 'must be true or false',
    })
  }
  return { designers_publish: block.designers_publish === true }
}

/** Reads the block as stored; a block that no longer holds grants nothing beyond the default. */
export function designerSettingsOf(settings: Record<string, unknown> | null | undefined): DesignerSettings {
  try {
    return parseDesignerSettings(settings?.designer)
  } catch {
    return { designers_publish: false }
  }
}
