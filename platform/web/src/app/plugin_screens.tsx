/**
 * The pages plugins add (`plugins/<id>/web/index.tsx`, see sdk/web.ts), found by the build: Vite
 * bundles every one of them into the portal, so no code is ever loaded at run time. Each becomes
 * a tenant page that opens, and shows in the navigation, only where its plugin is enabled.
 */
import { useCallback } from 'react'
import { useQueryClient } from '@tanstack/react-query'
import type { PluginScreen, PluginScreens } from '@sportello/platform/sdk/web'
import { api, ApiRequestError, tenantBase } from '../api/client'
import { keys } from '../api/queries'
import { useT } from '../i18n'
import { useCurrentTenant } from './tenant_context'

const modules = import.meta.glob<{ default: PluginScreens }>('../../../../plugins/*/web/index.tsx', { eager: true })

const SAFE_PATH = /^[a-z0-9-]+(\/[a-z0-9-:]+)*$/

/** Every plugin's screens; one with an unsafe path or no roles is left out (and said so in the console). */
export function discoveredScreens(): Array<{ plugin: string; screen: PluginScreen }> {
  const out: Array<{ plugin: string; screen: PluginScreen }> = []
  for (const [file, module] of Object.entries(modules)) {
    const declared = module.default
    if (!declared || typeof declared.plugin !== 'string' || !Array.isArray(declared.screens)) {
      console.error(`${file}: the default export is not defineScreens({ plugin, screens })`)
      continue
    }
    for (const screen of declared.screens) {
      if (!SAFE_PATH.test(screen.path) || screen.roles.length === 0) {
        console.error(`${file}: screen "${screen.path}" needs a path of letters, digits and dashes, and roles`)
        continue
      }
      out.push({ plugin: declared.plugin, screen })
    }
  }
  return out
}

/** Where a plugin's page opens under /t/:tenant. */
export function screenPath(plugin: string, screen: PluginScreen): string {
  return screen.side === 'staff' ? `ufficio/${plugin}/${screen.path}` : `${plugin}/${screen.path}`
}

/** The screens plugins give to a page of the platform (`embed`), e.g. the family's payments. */
export function embeddedScreens(page: NonNullable<PluginScreen['embed']>) {
  return discoveredScreens().filter(({ screen }) => screen.embed === page)
}

/** A plugin's component with the tenant's API, the reader's language and roles, wherever it is shown. */
export function PluginScreenPanel({ screen }: { screen: PluginScreen }) {
  const { lang } = useT()
  const tenant = useCurrentTenant()
  const Component = screen.component
  const call = useCallback(
    <T,>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown) =>
      api<T>(method, `${tenantBase(tenant.slug)}${path.startsWith('/') ? path : `/${path}`}`, body),
    [tenant.slug]
  )
  return (
    <Component tenant={{ slug: tenant.slug, name: tenant.name }} lang={lang} roles={[...tenant.roles]} api={call} />
  )
}

/** A plugin's page inside the portal: its title as the page heading, then the plugin's component. */
export function PluginScreenPage({ screen }: { screen: PluginScreen }) {
  const { lang } = useT()
  const tenant = useCurrentTenant()
  const Component = screen.component
  const client = useQueryClient()
  const call = useCallback(
    async <T,>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown) => {
      try {
        return await api<T>(method, `${tenantBase(tenant.slug)}${path.startsWith('/') ? path : `/${path}`}`, body)
      } catch (error) {
        // The session ended (expired, or the device's copy of it is no longer the server's): ask who is
        // logged in, which leads to the login page; what the plugin keeps on the device stays there.
        if (error instanceof ApiRequestError && error.status === 401)
          void client.invalidateQueries({ queryKey: keys.me })
        throw error
      }
    },
    [tenant.slug, client]
  )
  return (
    <section aria-labelledby="plugin-screen-title">
      <h1 id="plugin-screen-title" className="h2 mb-4">
        {screen.title[lang] ?? screen.title.it}
      </h1>
      <Component tenant={{ slug: tenant.slug, name: tenant.name }} lang={lang} roles={[...tenant.roles]} api={call} />
    </section>
  )
}
