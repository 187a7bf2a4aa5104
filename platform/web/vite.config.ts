import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'
import react from '@vitejs/plugin-react'
import { VitePWA } from 'vite-plugin-pwa'

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url))

/**
 * The citizen portal. The `#shared` and `#forms` aliases mirror the platform's import map so the
 * browser runs the very same condition evaluator and tariff fact mapping as the server.
 */
export default defineConfig({
  root: here('.'),
  base: '/',
  plugins: [
    react(),
    /*
     * The portal is a PWA: a service worker (Workbox, generated at build time) keeps the app shell,
     * the one index.html and the hashed assets, so that a page opens without a network (the canteen's
     * tablets mark attendance offline and send it later from IndexedDB). The API is never cached or
     * answered by the worker: an answer is either the server's or a network failure the page sees.
     * The server serves index.html at `/` only, so the precache names it `/`.
     */
    VitePWA({
      injectRegister: false,
      registerType: 'autoUpdate',
      manifest: {
        name: 'Sportello – Servizi online',
        short_name: 'Sportello',
        lang: 'it',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        background_color: '#ffffff',
        theme_color: '#0066cc',
        icons: [],
      },
      workbox: {
        globPatterns: ['index.html', 'assets/**/*.{js,css,svg,woff,woff2,ttf,png}'],
        // The portal's one bundle (Bootstrap Italia, RJSF, the form engine) is larger than Workbox's default.
        maximumFileSizeToCacheInBytes: 8 * 1024 * 1024,
        inlineWorkboxRuntime: true,
        clientsClaim: true,
        skipWaiting: true,
        cleanupOutdatedCaches: true,
        navigateFallback: '/',
        navigateFallbackDenylist: [/^\/api\//, /^\/health/, /^\/static\//],
        manifestTransforms: [
          async (entries) => ({
            manifest: entries.map((e) => (e.url === 'index.html' ? { ...e, url: '/' } : e)),
            warnings: [],
          }),
        ],
      },
    }),
  ],
  resolve: {
    // Part of design-react-kit's tree pulls React 18 into the root node_modules; one React only.
    dedupe: ['react', 'react-dom'],
    alias: [
      { find: /^#shared\/(.*)$/, replacement: here('../shared/$1') },
      { find: /^#forms\/(.*)$/, replacement: here('../app/forms/$1') },
    ],
  },
  build: {
    outDir: here('dist'),
    emptyOutDir: true,
    // Bootstrap Italia and RJSF make one large chunk; the portal is a single page, so that is fine.
    chunkSizeWarningLimit: 2500,
  },
})
