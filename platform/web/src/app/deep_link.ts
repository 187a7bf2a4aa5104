/**
 * The portal routes on the hash (`/#/t/piacenza/ufficio/report`): the server serves one
 * index.html. An address in path form (`/t/piacenza/ufficio/report?report=...`, typed or kept from
 * a link, or under the old `/portale/` prefix), which the server answers with the same index.html,
 * opens the same page: before the router reads the address, the path becomes the hash route.
 * Imported first by main.tsx, so that it runs before the router is made.
 */
export function hashAddressOf(location: { pathname: string; search: string; hash: string }): string | null {
  const path = location.pathname.replace(/^\/portale(?=\/|$)/, '').replace(/\/+$/, '')
  // Already a hash route: only the path before it goes (the portal's address is `/`).
  if (location.hash.startsWith('#/')) return location.pathname === '/' ? null : `/${location.hash}`
  if (path === '') return location.pathname === '/' ? null : '/'
  return `/#${path}${location.search}`
}

// Outside a browser (the unit tests read hashAddressOf) there is no address to move.
if (typeof window !== 'undefined') {
  const address = hashAddressOf(window.location)
  if (address !== null) window.history.replaceState(window.history.state, '', address)
}
