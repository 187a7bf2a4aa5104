import './app/deep_link'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { RouterProvider } from 'react-router/dom'
import 'bootstrap-italia/dist/css/bootstrap-italia.min.css'
import './styles.css'
import { initI18n } from './i18n'
import { router } from './app/router'

initI18n()

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A citizen's data change when they act, and the mutations say so: no refetch on every focus.
      refetchOnWindowFocus: false,
      retry: 1,
    },
  },
})

// The service worker (vite.config.ts) keeps the app shell for offline use; only the built portal has one.
if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((error: unknown) => {
      console.warn('Service worker not registered: the portal works, but not offline.', error)
    })
  })
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  </StrictMode>
)
