import type Tenant from '#models/tenant'
import { GpdSimulator } from '#integrations/pagopa/gpd_simulator'
import { SmsSimulator } from '#integrations/sms/sms_simulator'
import { IoSimulator } from '#integrations/appio/io_simulator'

/**
 * The demo's pagoPA, SMS gateway and App IO: the web process runs the three simulators on
 * GPD_SIMULATOR_PORT, SMS_SIMULATOR_PORT and IO_SIMULATOR_PORT (state in tmp/pagopa, tmp/sms,
 * tmp/io) and the seeder points tenant `piacenza` at them. Their keys are read from the same
 * environment variables the tenant's settings name, as in a real deployment.
 */
export const DEMO_PAY = {
  tenant: 'piacenza',
  pagopa: {
    segregationCode: '01',
    fiscalCode: '00229080338',
    cbill: 'A1B2C',
    iban: 'IT60X0542811101000000123456',
    postalAccount: '1234567890',
    sector: 'Servizi educativi e scolastici',
    info: 'www.comune.piacenza.it',
    subscriptionKeyEnv: 'PAGOPA_KEY_PIACENZA',
  },
  smsKeyEnv: 'SMS_KEY_PIACENZA',
  ioKeyEnv: 'IO_KEY_PIACENZA',
  smsSender: 'ComunePC',
  emailFrom: 'Comune di Piacenza <noreply@comune.piacenza.demo>',
  /** The demo citizen (cittadino@piacenza.demo) is on App IO and allows the service. */
  ioProfiles: { RSSMRA85T10A562S: { senderAllowed: true } },
} as const

export interface PayDemoPorts {
  gpd?: number
  sms?: number
  io?: number
}

function key(name: string) {
  const value = process.env[name]
  if (!value) throw new Error(`${name} must be set to run the demo's simulators`)
  return value
}

/**
 * Points the demo tenant at the simulators, unless its blocks were already written: on this machine,
 * or on `host` when they run as a service of their own (`simulators:serve`, compose.yaml).
 */
export async function useDemoPay(tenant: Tenant, ports: PayDemoPorts, host = '127.0.0.1') {
  if (tenant.slug !== DEMO_PAY.tenant) return
  const settings = { ...tenant.settings }
  if (ports.gpd && settings.pagopa === undefined) {
    settings.pagopa = {
      ...DEMO_PAY.pagopa,
      baseUrl: `http://${host}:${ports.gpd}`,
      // The "pay" link of the demo opens the simulator's checkout page of the notice.
      checkoutUrl: `http://${host}:${ports.gpd}/pay/{nav}`,
    }
  }
  if ((ports.sms || ports.io) && settings.notices === undefined) {
    settings.notices = {
      email: { from: DEMO_PAY.emailFrom },
      ...(ports.sms
        ? { sms: { url: `http://${host}:${ports.sms}`, keyEnv: DEMO_PAY.smsKeyEnv, sender: DEMO_PAY.smsSender } }
        : {}),
      ...(ports.io ? { io: { url: `http://${host}:${ports.io}`, keyEnv: DEMO_PAY.ioKeyEnv } } : {}),
      post: { enabled: true },
    }
  }
  if (settings.pagopa === tenant.settings.pagopa && settings.notices === tenant.settings.notices) return
  tenant.settings = settings
  await tenant.save()
}

/** Starts the simulators whose port is set, listening on `host`; `close()` stops them all. */
export async function startPayDemo(ports: PayDemoPorts, dataDir: (name: string) => string, host?: string) {
  const started: Array<{ name: string; url: string; close(): Promise<void> }> = []
  try {
    if (ports.gpd) {
      const gpd = await new GpdSimulator({
        port: ports.gpd,
        host,
        dataDir: dataDir('pagopa'),
        keys: [{ key: key(DEMO_PAY.pagopa.subscriptionKeyEnv), organizations: [DEMO_PAY.pagopa.fiscalCode] }],
      }).start()
      started.push({ name: 'pagoPA (GPD, receipts, FdR, checkout)', url: gpd.url, close: () => gpd.close() })
    }
    if (ports.sms) {
      const sms = await new SmsSimulator({
        port: ports.sms,
        host,
        dataDir: dataDir('sms'),
        keys: [key(DEMO_PAY.smsKeyEnv)],
      }).start()
      started.push({ name: 'SMS gateway', url: sms.url, close: () => sms.close() })
    }
    if (ports.io) {
      const io = await new IoSimulator({
        port: ports.io,
        host,
        dataDir: dataDir('io'),
        keys: [key(DEMO_PAY.ioKeyEnv)],
        profiles: DEMO_PAY.ioProfiles,
      }).start()
      started.push({ name: 'App IO', url: io.url, close: () => io.close() })
    }
  } catch (error) {
    for (const simulator of started) await simulator.close()
    throw error
  }
  return {
    started: started.map(({ name, url }) => ({ name, url })),
    close: async () => {
      for (const simulator of started) await simulator.close()
    },
  }
}
