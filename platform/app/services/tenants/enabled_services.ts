import { tenantContentCache } from '#services/tenants/tenant_content'

/**
 * A tenant's enabled services (plugin ids), kept by the process under the tenant's content stamp
 * (tenant_content.ts): loaded by `pluginService.enabledIds`, which every sending asks before taking
 * it; read back by the delivery of domain events (domain_events.ts) in the same request. A module of
 * its own so that the event delivery does not import the plugin service.
 */
export const enabledKept = tenantContentCache<string[]>()
