import type Tenant from '#models/tenant'
import { GpdClient, type PagoPaGateway } from '#integrations/pagopa/gpd_client'
import { parsePagopaSettings, PagopaSettingsError, type PagopaSettings } from '#integrations/pagopa/pagopa_settings'
import type { PaymentNoticeInput } from '#integrations/pagopa/payment_notice_pdf'

/**
 * The tenant's pagoPA: its settings (settings.pagopa) and a client built from them, one per tenant
 * and configuration. Keys are read from the named environment variables at each call.
 */
export class PagopaNotConfiguredError extends PagopaSettingsError {
  constructor() {
    super([], {
      it: 'l’ente non ha ancora configurato pagoPA (impostazioni "pagopa")',
      en: 'the ente has not configured pagoPA yet (settings "pagopa")',
    })
    this.name = 'PagopaNotConfiguredError'
  }
}

function secret(settingsField: string, name: string) {
  return () => {
    const value = process.env[name]
    if (!value) {
      throw new PagopaSettingsError([settingsField], {
        it: `la variabile d'ambiente ${name} non è impostata`,
        en: `the environment variable ${name} is not set`,
      })
    }
    return value
  }
}

const clients = new Map<string, GpdClient>()
let override: ((tenant: Tenant) => PagoPaGateway) | null = null

export function pagopaSettingsOf(tenant: Tenant): PagopaSettings {
  const settings = parsePagopaSettings(tenant.settings?.pagopa)
  if (!settings) throw new PagopaNotConfiguredError()
  return settings
}

export function pagopaFor(tenant: Tenant): { settings: PagopaSettings; gateway: PagoPaGateway } {
  const settings = pagopaSettingsOf(tenant)
  if (override) return { settings, gateway: override(tenant) }
  const key = `${tenant.id}:${JSON.stringify(settings)}`
  let client = clients.get(key)
  if (!client) {
    for (const old of clients.keys()) if (old.startsWith(`${tenant.id}:`)) clients.delete(old)
    client = new GpdClient({
      organizationFiscalCode: settings.fiscalCode,
      gpdUrl: settings.gpdUrl,
      receiptsUrl: settings.receiptsUrl,
      fdrUrl: settings.fdrUrl,
      subscriptionKey: secret('subscriptionKeyEnv', settings.subscriptionKeyEnv),
      receiptsKey: secret('receiptsKeyEnv', settings.receiptsKeyEnv),
      fdrKey: secret('fdrKeyEnv', settings.fdrKeyEnv),
      timeoutMs: settings.timeoutMs,
    })
    clients.set(key, client)
  }
  return { settings, gateway: client }
}

/** Replaces every tenant's gateway (tests); null restores the clients built from settings. */
export function setPagopaGateway(next: ((tenant: Tenant) => PagoPaGateway) | null) {
  override = next
}

/** The creditor block of the tenant's payment notices, from its settings. */
export function noticeCreditor(tenant: Tenant, logo?: Uint8Array | null): PaymentNoticeInput['creditor'] {
  const settings = pagopaSettingsOf(tenant)
  return {
    name: tenant.name,
    fiscalCode: settings.fiscalCode,
    cbill: settings.cbill,
    sector: settings.sector,
    info: settings.info,
    postalAccount: settings.postalAccount,
    logo: logo ?? null,
  }
}
