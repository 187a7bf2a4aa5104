import db from '@adonisjs/lucid/services/db'
import type Tenant from '#models/tenant'
import { DOCAREA_PATH } from '#integrations/docarea/docarea_wsdl'
import { DocareaSimulator } from '#integrations/docarea/docarea_simulator'

/**
 * The demo's DOCAREA: the web process runs the SOAP simulator on
 * DOCAREA_SIMULATOR_PORT and the seeder points tenant `piacenza` at it, so a
 * demo submission gets its protocol number over real SOAP. The password is
 * the demo one, read from DOCAREA_PASSWORD_PIACENZA like a real deployment.
 */
export const DEMO_DOCAREA = {
  tenant: 'piacenza',
  /** Piacenza's cadastral code, as DOCAREA systems name their ente. */
  codEnte: 'C_G535',
  username: 'sportello',
  passwordEnv: 'DOCAREA_PASSWORD_PIACENZA',
} as const

/** Where the demo's simulator is reached: loopback when the web process runs it, its service's host in a deployment. */
export function demoDocareaUrl(port: number, host = '127.0.0.1') {
  return `http://${host}:${port}${DOCAREA_PATH}`
}

/** Points the demo tenant at the local simulator, unless its protocol was already chosen. */
export async function useDemoDocarea(tenant: Tenant, port: number | undefined, host?: string) {
  if (!port || tenant.slug !== DEMO_DOCAREA.tenant || tenant.settings?.protocol !== undefined) return
  tenant.settings = {
    ...tenant.settings,
    protocol: {
      driver: 'docarea',
      url: demoDocareaUrl(port, host),
      codEnte: DEMO_DOCAREA.codEnte,
      username: DEMO_DOCAREA.username,
      passwordEnv: DEMO_DOCAREA.passwordEnv,
    },
  }
  await tenant.save()
}

/**
 * Starts the demo's simulator, keeping its register in `dataDir`. Its numbers
 * continue after those the tenant already holds this year (given earlier by
 * the built-in simulator), as a new protocol system continues the old one's.
 */
export async function startDemoDocarea(port: number, dataDir: string, host = '127.0.0.1') {
  const password = process.env[DEMO_DOCAREA.passwordEnv]
  if (!password) throw new Error(`${DEMO_DOCAREA.passwordEnv} must be set to run the DOCAREA simulator`)
  return new DocareaSimulator({
    port,
    host,
    dataDir,
    users: [{ codEnte: DEMO_DOCAREA.codEnte, username: DEMO_DOCAREA.username, password }],
    continueFrom: async (_codEnte, year) => {
      const row = await db
        .from('protocol_entries')
        .join('tenants', 'tenants.id', 'protocol_entries.tenant_id')
        .where('tenants.slug', DEMO_DOCAREA.tenant)
        .where('protocol_entries.year', year)
        .max('protocol_entries.number as max')
        .first()
      return Number(row?.max ?? 0)
    },
  }).start()
}
