import { resolve } from 'node:path'
import app from '@adonisjs/core/services/app'
import env from '#start/env'

/**
 * The file store: STORAGE_PATH (absolute, or relative to platform/), `storage` by default. In
 * production a volume every web and worker process shares, and part of every backup: attachments,
 * postal batches and report files live under it, each in a folder of its own.
 */
export function storageRoot() {
  return resolve(app.makePath(), env.get('STORAGE_PATH'))
}
