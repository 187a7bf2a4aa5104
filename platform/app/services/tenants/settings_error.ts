import { jsonPointer, type Localized } from '#shared/contract'

/**
 * A block of tenants.settings that does not hold: which block, where inside it (the keys, one per
 * level: form keys hold dots, so a dotted string could not say where one key ends), and what is
 * wrong in Italian and English. Each block's reader throws its own subclass; the tenant API answers
 * every one the same way, a 422 whose `path` is the JSON Pointer `/settings/<block>/<key>/…`.
 */
export class SettingsError extends Error {
  readonly at: readonly string[]
  /** Where the error is, as the API names it: `/settings/protocol/url`. */
  readonly path: string

  constructor(
    readonly block: string,
    at: readonly string[],
    readonly messages: Localized
  ) {
    const path = jsonPointer([...['settings', block].filter(Boolean), ...at])
    super(`${path}: ${messages.en}`)
    this.at = [...at]
    this.path = path
    this.name = 'SettingsError'
  }
}
