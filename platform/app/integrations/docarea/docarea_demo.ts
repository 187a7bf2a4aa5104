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

/** True for the protocol block this file writes: the demo ente on the local simulator. */
function isDemoBlock(block: unknown, host: string): block is { url: string } {
  if (typeof block !== 'object' || block === null) return false
  const b = block as Record<string, unknown>
  if (b.driver !== 'docarea' || typeof b.url !== 'string' || !URL.canParse(b.url)) return false
  const url = new URL(b.url)
  return (
    url.hostname === host &&
    url.pathname === DOCAREA_PATH &&
    b.codEnte === DEMO_DOCAREA.codEnte &&
    b.username === DEMO_DOCAREA.username &&
    b.passwordEnv === DEMO_DOCAREA.passwordEnv
  )
}

/**
 * Points the demo tenant at the local simulator, unless its protocol was already chosen. A block
 * this function wrote follows the simulator's port (DOCAREA_SIMULATOR_PORT may change between two
 * starts), and goes back to the built-in simulator when the local one is turned off (port 0):
 * a protocol pointing at nothing would fail every registration.
 */
export async function useDemoDocarea(tenant: Tenant, port: number | undefined, host = '127.0.0.1') {
  if (tenant.slug !== DEMO_DOCAREA.tenant) return
  const current = tenant.settings?.protocol
  if (current !== undefined && !isDemoBlock(current, host)) return
  let next: Record<string, unknown> | undefined
  if (port) {
    if (current !== undefined && current.url === demoDocareaUrl(port, host)) return
    next = {
      driver: 'docarea',
      url: demoDocareaUrl(port, host),
      codEnte: DEMO_DOCAREA.codEnte,
      username: DEMO_DOCAREA.username,
      passwordEnv: DEMO_DOCAREA.passwordEnv,
    }
  } else {
    if (current === undefined) return
    next = { driver: 'simulator' }
  }
  tenant.settings = { ...tenant.settings, protocol: next }
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
