import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import { protocolEntryDay, protocolEntryRow } from '#integrations/protocol_entries'
import { jsonColumn } from '#models/columns'
import { RequestContext } from '#services/infrastructure/request_context'
import { lockForTenant } from '#services/infrastructure/tenant_lock'
import { DocareaProtocol } from '#integrations/docarea/docarea_client'
import { parseProtocolSettings, ProtocolSettingsError } from '#integrations/protocol_settings'
import type { ProtocolRegistration, ProtocolRequest, ProtocolService } from '#integrations/protocol_types'

/**
 * The protocol system (protocollo informatico) as the platform sees it. Each
 * tenant picks its implementation in settings.protocol (see
 * protocol_settings.ts): the DOCAREA SOAP client (login → inserimento →
 * protocollazione, docarea/docarea_client.ts) or, by default, the local
 * simulator below, which answers with the same data.
 */
export type { ProtocolRegistration, ProtocolRequest, ProtocolService }

function label(year: number, number: number) {
  return `${year}/${String(number).padStart(7, '0')}`
}

/** Local simulator: a per-tenant, per-year gap-free register in the database. */
export class SimulatedProtocol implements ProtocolService {
  async register(request: ProtocolRequest): Promise<ProtocolRegistration> {
    const tenant = RequestContext.tenant()
    if (!tenant) throw new Error('Protocol registration needs a tenant in context')
    return db.transaction(async (trx) => {
      // The next number is the greatest so far plus one: without the lock, receipt jobs running at
      // once took the same number and the second failed on the register's unique key, again at each
      // retry while others kept registering. A repeated key waits too, and finds the first's record.
      await lockForTenant(trx, 'protocolRegister', tenant.id)
      const existing = await trx
        .from('protocol_entries')
        .where({ tenant_id: tenant.id, idempotency_key: request.idempotencyKey })
        .first()
      if (existing) return this.#toRegistration(existing)
      const now = DateTime.now().setZone('Europe/Rome')
      const year = now.year
      // Both greatest values in one statement, each from an index (the number's unique key, and
      // tenant and document id: migration 0043).
      const last = await trx
        .query()
        .select(
          trx.from('protocol_entries').where({ tenant_id: tenant.id, year }).max('number').as('number'),
          trx.from('protocol_entries').where({ tenant_id: tenant.id }).max('doc_id').as('doc_id')
        )
        .first()
      const number = Number(last?.number ?? 0) + 1
      const row = protocolEntryRow(tenant.id, request, { year, number, docId: Number(last?.doc_id ?? 0) + 1 }, now, trx)
      await trx.insertQuery().table('protocol_entries').insert(row)
      return this.#toRegistration({ ...row, created_at: now.toISODate() })
    })
  }

  #toRegistration(row: { year: number; number: number; doc_id: number; created_at: unknown }): ProtocolRegistration {
    const date = protocolEntryDay(row.created_at)
    return { number: row.number, year: row.year, date, docId: row.doc_id, label: label(row.year, row.number) }
  }
}

const simulated = new SimulatedProtocol()
/** One DOCAREA client per tenant and configuration, so its login token is reused across registrations. */
const docareaClients = new Map<string, DocareaProtocol>()

/** The implementation the tenant's settings name. */
export async function protocolFor(tenantId: number): Promise<ProtocolService> {
  // The settings column alone, as a plain row: every registration asks, and the model would
  // hydrate (and deep-copy) the whole tenant row to answer it.
  const row = await db.from('tenants').where('id', tenantId).select('id', 'settings').first()
  if (!row) throw new Error(`Protocol registration for tenant ${tenantId}, which does not exist`)
  const tenant = { id: Number(row.id), settings: jsonColumn.consume(row.settings) as Record<string, unknown> | null }
  const settings = parseProtocolSettings(tenant.settings?.protocol)
  if (settings.driver === 'simulator') return simulated
  const cacheKey = `${tenant.id}:${JSON.stringify(settings)}`
  let client = docareaClients.get(cacheKey)
  if (!client) {
    for (const key of docareaClients.keys()) if (key.startsWith(`${tenant.id}:`)) docareaClients.delete(key)
    const { passwordEnv } = settings
    client = new DocareaProtocol({
      ...settings,
      password: () => {
        const password = process.env[passwordEnv]
        if (!password) {
          throw new ProtocolSettingsError(['passwordEnv'], {
            it: `la variabile d'ambiente ${passwordEnv} non è impostata`,
            en: `the environment variable ${passwordEnv} is not set`,
          })
        }
        return password
      },
    })
    docareaClients.set(cacheKey, client)
  }
  return client
}

/** Dispatches each registration to the protocol system of the tenant in context. */
class TenantProtocol implements ProtocolService {
  async register(request: ProtocolRequest): Promise<ProtocolRegistration> {
    const tenant = RequestContext.tenant()
    if (!tenant) throw new Error('Protocol registration needs a tenant in context')
    return (await protocolFor(tenant.id)).register(request)
  }
}

const byTenant = new TenantProtocol()
let override: ProtocolService | null = null

export function protocolService(): ProtocolService {
  return override ?? byTenant
}

/** Replaces the per-tenant choice with one implementation (tests); null restores it. */
export function setProtocolService(next: ProtocolService | null) {
  override = next
}
