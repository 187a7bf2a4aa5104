import db from '@adonisjs/lucid/services/db'
import type { HttpContext } from '@adonisjs/core/http'
import { jobQueue } from '#queue/queue_factory'

/** Liveness for load balancers and the demo: database and queue, each with its state. */
export default class HealthController {
  async show({ response }: HttpContext) {
    const database = await db
      .rawQuery('select 1 as ok')
      .then(() => ({ ok: true, connection: db.primaryConnectionName }))
      .catch((error: Error) => ({ ok: false, connection: db.primaryConnectionName, detail: error.message }))
    const queue = await jobQueue()
      .health()
      .catch((error: Error) => ({ ok: false, driver: 'unknown', detail: error.message }))
    const ok = database.ok && queue.ok
    return response.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', database, queue })
  }
}
