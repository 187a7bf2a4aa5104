import vine from '@vinejs/vine'

export const loginValidator = vine.compile(
  vine.object({
    provider: vine.enum(['local']).optional(),
    email: vine.string().trim().email().maxLength(254),
    password: vine.string().minLength(1).maxLength(200),
  })
)

/** Staff login from a tenant's directory: the tenant, the login name there and its password. */
export const directoryLoginValidator = vine.compile(
  vine.object({
    provider: vine.enum(['ldap']),
    tenant: vine
      .string()
      .trim()
      .maxLength(64)
      .regex(/^[a-z0-9-]+$/),
    username: vine
      .string()
      .trim()
      .minLength(1)
      .maxLength(254)
      .regex(/^[^\p{Cc}]+$/u),
    password: vine.string().minLength(1).maxLength(200),
  })
)
