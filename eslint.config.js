import { configApp } from '@adonisjs/eslint-config'

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
  }
)
