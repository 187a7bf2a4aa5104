import vine from '@vinejs/vine'
import { plainText } from '#validators/plain_text'

export const tenantSettingsValidator = vine.compile(
  vine.object({
    name: vine.string().trim().minLength(2).maxLength(200).use(plainText()).optional(),
    // Values may be null: in a merge patch null deletes the block (settings_patch.ts).
    settings: vine.record(vine.any().nullable()).optional(),
  })
)

/** POST /platform/tenants: a new tenant from another tenant's configuration. */
export const tenantFromValidator = vine.compile(
  vine.object({
    slug: vine
      .string()
      .trim()
      .regex(/^[a-z0-9](?:[a-z0-9-]{1,38}[a-z0-9])$/),
    name: vine.string().trim().minLength(2).maxLength(200).use(plainText()),
    fiscal_code: vine
      .string()
      .trim()
      .regex(/^(\d{11}|[A-Z0-9]{16})$/),
    from: vine.string().trim().maxLength(64),
  })
)
