import vine from '@vinejs/vine'

export const loginValidator = vine.compile(
  vine.object({
    provider: vine.enum(['local']).optional(),
    email: vine.string().trim().email().maxLength(254),
    password: vine.string().minLength(1).maxLength(200),
  })
)
