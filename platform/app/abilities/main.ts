import { Bouncer } from '@adonisjs/bouncer'
import type User from '#models/user'

/** Platform-wide abilities; tenant-level ones are in TenantPolicy. */
export const administerPlatform = Bouncer.ability((user: User) => user.isPlatformAdmin)
