import type { HttpContext } from '@adonisjs/core/http'
import { processRole } from '#services/infrastructure/process_role'
import { readiness } from '#services/infrastructure/readiness'

/** Probes for load balancers and orchestrators. */
export default class HealthController {
  /**
   * Liveness: the process is up and its event loop answers. No I/O on purpose, so that a
   * database outage makes processes unready (`/ready`) instead of getting them restarted.
   */
  async show({ response }: HttpContext) {
    return response.send({ status: 'ok', role: processRole() ?? 'all' })
  }

  /** Readiness: database, Redis when configured, migrations applied; 503 naming what is wrong. */
  async ready({ response }: HttpContext) {
    const report = await readiness()
    return response.status(report.ready ? 200 : 503).send({ status: report.ready ? 'ready' : 'unavailable', ...report })
  }
}
