import { defineConfig } from '@adonisjs/core/app'

export default defineConfig({
  commands: [() => import('@adonisjs/core/commands'), () => import('@adonisjs/lucid/commands')],
  providers: [
    () => import('@adonisjs/core/providers/app_provider'),
    () => import('@adonisjs/core/providers/hash_provider'),
    { file: () => import('@adonisjs/core/providers/repl_provider'), environment: ['repl', 'test'] },
    () => import('@adonisjs/core/providers/vinejs_provider'),
    () => import('@adonisjs/lucid/database_provider'),
    () => import('@adonisjs/redis/redis_provider'),
    () => import('@adonisjs/session/session_provider'),
    () => import('@adonisjs/limiter/limiter_provider'),
    () => import('@adonisjs/auth/auth_provider'),
    () => import('@adonisjs/bouncer/bouncer_provider'),
    () => import('#providers/sportello_provider'),
  ],
  preloads: [
    () => import('#start/routes'),
    () => import('#start/kernel'),
    { file: () => import('#start/process_safety'), environment: ['web'] },
  ],
  tests: {
    suites: [
      { name: 'unit', files: ['tests/unit/**/*.spec(.ts|.js)'], timeout: 10000 },
      { name: 'functional', files: ['tests/functional/**/*.spec(.ts|.js)'], timeout: 60000 },
      {
        name: 'plugins',
        files: ['../plugins/*/tests/**/*.spec(.ts|.js)', '!../plugins/*/tests/browser/**'],
        timeout: 60000,
      },
      // Real-browser tests need the built portal (npm run build:web) and chromium: opt-in with BROWSER_TESTS=1.
      // A plugin's own browser tests live in plugins/<id>/tests/browser/.
      {
        name: 'browser',
        files: process.env.BROWSER_TESTS
          ? ['tests/browser/**/*.spec.ts', '../plugins/*/tests/browser/**/*.spec.ts']
          : [],
        timeout: 120000,
      },
    ],
    forceExit: false,
  },
})
