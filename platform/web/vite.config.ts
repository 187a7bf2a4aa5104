import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'
import react from '@vitejs/plugin-react'

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url))

/**
 * The citizen portal. The `#shared` and `#forms` aliases mirror the platform's import map so the
 * browser runs the very same condition evaluator and tariff fact mapping as the server.
 */
export default defineConfig({
  root: here('.'),
  base: '/',
  plugins: [react()],
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
