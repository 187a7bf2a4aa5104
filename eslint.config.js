import { configApp } from '@adonisjs/eslint-config'

export default configApp({
  ignores: ['**/node_modules/**', '**/build/**', '**/tmp/**', 'platform/web/dist/**'],
})
