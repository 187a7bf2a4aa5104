import { defineConfig } from '@adonisjs/core/bodyparser'

export default defineConfig({
  allowedMethods: ['POST', 'PUT', 'PATCH', 'DELETE'],
  form: { convertEmptyStringsToNull: true, types: ['application/x-www-form-urlencoded'] },
  json: {
    convertEmptyStringsToNull: false,
    // Ten times the largest rule set version or form submission: a bigger JSON body is abuse, and
    // parsing and copying megabytes holds the event loop for every other request.
    limit: '256kb',
    types: ['application/json', 'application/json-patch+json', 'application/vnd.api+json', 'application/csp-report'],
  },
  multipart: {
    // Never processed by the framework, which would leave a copy in clear of every uploaded file in
    // the temporary directory: the upload routes read their bodies with busboy, in memory, within
    // bounds (app/services/infrastructure/uploads.ts). `limit` is the largest file they take.
    autoProcess: false,
    convertEmptyStringsToNull: true,
    processManually: [],
    limit: '20mb',
    types: ['multipart/form-data'],
  },
})
