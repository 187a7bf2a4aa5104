import { configApp } from '@adonisjs/eslint-config'

/*
 * Import walls (DESIGN.md, Plugins): a plugin imports only the platform's public SDK, never the
 * platform's internals nor another plugin; the platform never imports a plugin (it reaches them
 * only through their manifests, discovered at boot).
 */
const SDK_ONLY = {
  regex: '^@sportello/platform(?!/sdk(/testing|/web)?$)(/|$)',
  message: 'A plugin imports only @sportello/platform/sdk (/sdk/web in its pages, /sdk/testing in its tests).',
}
const NO_PLUGIN_PACKAGES = {
  group: ['@sportello/plugin-*'],
  message: 'Plugins do not import each other: share facts through the platform events and services.',
}
const NO_PLATFORM_ALIASES = {
  regex: '^#',
  message: "The platform's #aliases are internal: a plugin imports only @sportello/platform/sdk.",
}

/**
 * A relative import climbing out of its plugin's folder (into platform/ or another plugin): a file
 * `depth` folders below plugins/<id>/ (or a fixture plugin folder) leaves it with depth + 1 "../".
 */
function pluginFolderWall(depth) {
  return {
    regex: `^(\\.\\./){${depth + 1}}`,
    message: "A plugin's relative imports stay inside its own folder.",
  }
}

const PLUGIN_ROOTS = ['plugins/*', 'platform/tests/fixtures/*_plugins/*']
const MAX_DEPTH = 6

const pluginWalls = Array.from({ length: MAX_DEPTH + 1 }, (_, depth) => ({
  files: PLUGIN_ROOTS.map((root) => `${root}/${'*/'.repeat(depth)}*.{ts,tsx,js}`),
  rules: {
    'no-restricted-imports': [
      'error',
      { patterns: [SDK_ONLY, NO_PLUGIN_PACKAGES, NO_PLATFORM_ALIASES, pluginFolderWall(depth)] },
    ],
  },
}))

export default configApp(
  {
    ignores: ['**/node_modules/**', '**/build/**', '**/tmp/**', 'platform/web/dist/**'],
  },
  {
    rules: {
      // `(await query).rows` reads clearly in short service code; splitting it adds names, not clarity.
      '@unicorn/no-await-expression-member': 'off',
    },
  },
  {
    // Destructuring a field out to drop it (`{ _id, ...rest }`) needs a leading underscore.
    rules: {
      '@typescript-eslint/naming-convention': [
        'error',
        { selector: 'variable', format: ['camelCase', 'UPPER_CASE', 'PascalCase'], leadingUnderscore: 'allow' },
      ],
    },
  },
  {
    // The portal (platform/web) will build plugin pages in: its wall comes with plugin screens.
    files: ['platform/**/*.{ts,js}'],
    ignores: ['platform/tests/fixtures/*_plugins/**', 'platform/web/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            NO_PLUGIN_PACKAGES,
            {
              regex: '^\\.\\.?/(.*/)?plugins/',
              message: 'The platform never imports a plugin: it reaches plugins through their manifests at boot.',
            },
          ],
        },
      ],
    },
  },
  ...pluginWalls
)
