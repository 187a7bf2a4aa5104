/*
 * Preloaded in the web process, and loaded by the worker (bin/server.ts): errors nobody caught are
 * logged and, when they belong to one request or are a promise nobody awaited, do not stop the
 * process (app/services/infrastructure/process_safety.ts).
 */
import app from '@adonisjs/core/services/app'
import logger from '@adonisjs/core/services/logger'
import { installProcessSafety } from '#services/infrastructure/process_safety'

installProcessSafety(logger, () => app.terminate())
