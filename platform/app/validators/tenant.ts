import vine from '@vinejs/vine'

export const tenantSettingsValidator = vine.compile(
  vine.object({
    name: vine.string().trim().minLength(2).maxLength(200).optional(),
    settings: vine.record(vine.any()).optional(),
  })
)
