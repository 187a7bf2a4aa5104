import vine from '@vinejs/vine'
import { plainText } from '#validators/plain_text'

export const tenantSettingsValidator = vine.compile(
  vine.object({
    name: vine.string().trim().minLength(2).maxLength(200).use(plainText()).optional(),
    settings: vine.record(vine.any()).optional(),
  })
)
