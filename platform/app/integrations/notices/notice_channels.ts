import { join } from 'node:path'
import type Tenant from '#models/tenant'
import { EmailChannel } from '#integrations/notices/email_channel'
import { NoticeSettingsError, parseNoticeSettings } from '#integrations/notices/notice_settings'
import type { ChannelName, NoticeChannel } from '#integrations/notices/notice_channel'
import { SmsChannel, SmsGatewayClient } from '#integrations/sms/sms_gateway_client'
import { IoChannel, IoClient } from '#integrations/appio/io_client'
import { PostChannel } from '#integrations/post/postal_batch'
import { storageRoot } from '#services/infrastructure/storage_root'

/**
 * The channels a tenant can send notices through, built from settings.notices: email always (the
 * platform's relay, in the tenant's name when set), SMS and App IO when configured, post when
 * enabled (batches under <STORAGE_PATH>/postal/<tenant id>/<day>/).
 */
function secret(field: readonly string[], name: string) {
  return () => {
    const value = process.env[name]
    if (!value) {
      throw new NoticeSettingsError(field, {
        it: `la variabile d'ambiente ${name} non è impostata`,
        en: `the environment variable ${name} is not set`,
      })
    }
    return value
  }
}

let override: ((tenant: Tenant, name: ChannelName) => NoticeChannel | null) | null = null

/** A tenant's postal batches, in the store every process shares and every backup holds (STORAGE_PATH). */
export function postalRoot(tenant: Pick<Tenant, 'id'>) {
  return join(storageRoot(), 'postal', String(tenant.id))
}

/** The channel, or null when the tenant has not configured it. */
export function noticeChannelFor(tenant: Tenant, name: ChannelName): NoticeChannel | null {
  if (override) return override(tenant, name)
  const settings = parseNoticeSettings(tenant.settings?.notices)
  switch (name) {
    case 'email':
      return new EmailChannel({ from: settings.email.from })
    case 'sms':
      return settings.sms
        ? new SmsChannel(
            new SmsGatewayClient({
              url: settings.sms.url,
              apiKey: secret(['sms', 'keyEnv'], settings.sms.keyEnv),
              sender: settings.sms.sender,
            })
          )
        : null
    case 'io':
      return settings.io
        ? new IoChannel(
            new IoClient({ url: settings.io.url, subscriptionKey: secret(['io', 'keyEnv'], settings.io.keyEnv) })
          )
        : null
    case 'post':
      return settings.post.enabled ? new PostChannel(postalRoot(tenant)) : null
  }
}

/** Replaces the channels built from settings (tests); null restores them. */
export function setNoticeChannels(next: ((tenant: Tenant, name: ChannelName) => NoticeChannel | null) | null) {
  override = next
}
