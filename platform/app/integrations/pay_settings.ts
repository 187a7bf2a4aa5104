import { parsePagopaSettings } from '#integrations/pagopa/pagopa_settings'
import { parseNoticeSettings } from '#integrations/notices/notice_settings'
import { parseBillingSettings } from '#services/billing/billing_settings'

/**
 * The settings blocks of payments and notices, checked when a tenant admin writes them
 * (PATCH /api/v1/t/:tenant): `pagopa` (pagopa_settings.ts) and `notices` (notice_settings.ts), `billing`
 * (services/billing/billing_settings.ts).
 */
export const PAY_SETTINGS_BLOCKS: Record<string, (value: unknown) => unknown> = {
  pagopa: parsePagopaSettings,
  notices: parseNoticeSettings,
  billing: parseBillingSettings,
}
