/**
 * A block of tenants.settings that does not hold: which block, which field inside it, and what is
 * wrong in Italian and English. Each block's reader throws its own subclass; the tenant API answers
 * every one the same way (a 422 naming `settings.<block>.<field>`).
 */
export class SettingsError extends Error {
  constructor(
    readonly block: string,
    readonly field: string,
    readonly messages: { it: string; en: string }
  ) {
    super(`settings.${block}${field ? `.${field}` : ''}: ${messages.en}`)
    this.name = 'SettingsError'
  }

  /** Where the error is, as the API names it: `settings.protocol.url`. */
  get path(): string {
    return ['settings', this.block, this.field].filter(Boolean).join('.')
  }
}
