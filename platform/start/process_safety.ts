/*
 * Preloaded in the web process: errors nobody caught are logged and, when they belong to one
 * request, do not stop the process (app/services/infrastructure/process_safety.ts).
 */
import app from '@adonisjs/core/services/app'
import logger from '@adonisjs/core/services/logger'
import { installProcessSafety } from '#services/infrastructure/process_safety'

installProcessSafety(logger, () => app.terminate())
