/*
 * The public SDK of the platform: the only module a plugin may import.
 * Everything else under platform/ is internal and may change.
 */
import type { HttpContext } from '@adonisjs/core/http'

export interface LocalizedText {
  it: string
  en: string
}

/** What a lifecycle hook is told about the tenant it runs for. */
export interface PluginTenantContext {
  tenant: { id: number; slug: string; name: string; settings: Record<string, unknown> }
  pluginId: string
  log: (message: string) => void
}

export type PluginRouteHandler = (ctx: HttpContext) => unknown | Promise<unknown>

/** Routes a plugin mounts under /api/v1/t/:tenant/<plugin id>/, reachable only where it is enabled. */
export interface PluginRouter {
  get(path: string, handler: PluginRouteHandler): void
  post(path: string, handler: PluginRouteHandler): void
  put(path: string, handler: PluginRouteHandler): void
  delete(path: string, handler: PluginRouteHandler): void
}

export interface JobContext {
  /** Tenant the job runs for, when it was enqueued with one. */
  tenant?: { id: number; slug: string }
  attempt: number
  log: (message: string) => void
}

export interface PluginJob<P = unknown> {
  handle(payload: P, ctx: JobContext): Promise<void> | void
  /** Cron expression (minute hour day month weekday) for scheduled jobs, e.g. "30 9 * * 1-5". */
  schedule?: string
  attempts?: number
}

export interface PluginManifest {
  /** Folder name under plugins/, lowercase with dashes. */
  id: string
  name: LocalizedText
  description?: LocalizedText
  version: string
  /** Default forms (ids of forms/<service>/*.json) copied into a tenant on enable. */
  forms: string[]
  /** Default rule sets (ids of rules/<service>/*.json) copied into a tenant on enable. */
  rulesets: string[]
  /** Folder of the plugin's own migrations, relative to the plugin folder. */
  migrations?: string
  routes?: (router: PluginRouter) => void
  jobs?: Record<string, PluginJob<any>> // payload types differ per job: each job narrows its own
  hooks?: {
    install?: (ctx: PluginTenantContext) => Promise<void> | void
    enable?: (ctx: PluginTenantContext) => Promise<void> | void
    disable?: (ctx: PluginTenantContext) => Promise<void> | void
  }
}

/** Identity function that gives a plugin manifest its type. */
export function definePlugin<T extends PluginManifest>(manifest: T): T {
  return manifest
}
