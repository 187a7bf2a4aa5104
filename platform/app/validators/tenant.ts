import vine from '@vinejs/vine'
import { plainText } from '#validators/plain_text'

export const tenantSettingsValidator = vine.compile(
  vine.object({
    name: vine.string().trim().minLength(2).maxLength(200).use(plainText()).optional(),
    // Values may be null: in a merge patch null deletes the block (settings_patch.ts).
    settings: vine.record(vine.any().nullable()).optional(),
  })
)
