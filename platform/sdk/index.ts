/*
 * The public SDK of the platform: the only module a plugin may import (with
 * `@sportello/platform/sdk/testing` in its tests). Everything else under platform/ is internal
 * and may change. See sdk/README.md for an example of each capability.
 */
import type { PluginManifest } from './types.js'

export type * from './types.js'

/** Identity function that gives a plugin manifest its type. */
export function definePlugin<T extends PluginManifest>(manifest: T): T {
  return manifest
}

/* Persistence: models on the platform's tenant scoping and audit, migrations with the plugin's prefix. */
export { PluginModel, columns } from '#plugins/plugin_model'
export { PluginSchema, tablePrefix } from '#plugins/plugin_schema'
export { column } from '#models/columns'
export { DateTime } from 'luxon'

/* Text for people: the plugin's catalogue of messages in Italian and English (read with `ctx.t`). */
export { defineMessages, fill } from '#i18n/catalogue'

/* HTTP: validators and answers in the platform's error shape. */
export { default as vine } from '@vinejs/vine'
export { PluginHttpError, reply, replyFile } from '#plugins/plugin_http'

/* Enrolments: readers of the fields every service's forms share (forms/_shared). */
export { declaredIsee, groupOf, textOf } from './form_fields.js'

/* Billing: the charges of a service billed by a fixed monthly fee (or the fee × a quantity). */
export { monthlyFeeCharges, schoolYearOf } from '#services/billing/monthly_fees'
export { euroTextToCents, lineAmount } from '#services/billing/charge_amount'
