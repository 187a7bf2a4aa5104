import limiter from '@adonisjs/limiter/services/main'
import type { HttpContext } from '@adonisjs/core/http'
import { limits } from '#config/limiter'

/**
 * Login throttling. Wrong passwords are counted twice: for the account (someone guessing one
 * person's password from many addresses) and for the address (someone trying many accounts);
 * past either limit the login is refused for `loginBlockMinutes`, even with the right password,
 * with 429 and Retry-After. A successful login clears the account's count. Only failures count,
 * so a family, a school or an office behind one address logging in normally is never held up.
 */
export class TooManyAttempts extends Error {
  readonly status = 429
  constructor(readonly retryAfterSeconds: number) {
    super(waitMessage('Troppi tentativi di accesso', 'too many login attempts', retryAfterSeconds))
  }
}

/** "riprova tra 15 minuti / try again in 15 minutes", or seconds under a minute. */
export function waitMessage(it: string, en: string, seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds))
  const minutes = Math.ceil(s / 60)
  const itWait =
    s < 60 ? `${s} ${s === 1 ? 'secondo' : 'secondi'}` : `${minutes} ${minutes === 1 ? 'minuto' : 'minuti'}`
  const enWait =
    s < 60 ? `${s} ${s === 1 ? 'second' : 'seconds'}` : `${minutes} ${minutes === 1 ? 'minute' : 'minutes'}`
  return `${it}: riprova tra ${itWait} / ${en}: try again in ${enWait}`
}

function loginLimiters() {
  const block = `${limits.loginBlockMinutes} mins`
  return {
    account: limiter.use({ requests: limits.loginFailuresPerAccount, duration: block, blockDuration: block }),
    address: limiter.use({ requests: limits.loginFailuresPerAddress, duration: block, blockDuration: block }),
  }
}

function keys(email: string, address: string) {
  // An e-mail is at most 254 characters (the login validator); the key stays short and stable anyway.
  return { account: `login:account:${email.trim().toLowerCase().slice(0, 254)}`, address: `login:address:${address}` }
}

/** Throws TooManyAttempts when the account or the address is locked; else runs the login and counts a failure. */
export async function throttledLogin<T>(email: string, address: string, attempt: () => Promise<T>): Promise<T> {
  const limiters = loginLimiters()
  const key = keys(email, address)
  for (const which of ['account', 'address'] as const) {
    const state = await limiters[which].get(key[which])
    if (state && state.remaining <= 0 && state.availableIn > 0) throw new TooManyAttempts(state.availableIn)
  }
  try {
    const result = await attempt()
    await limiters.account.delete(key.account)
    return result
  } catch (error) {
    if ((error as { code?: string }).code === 'E_INVALID_CREDENTIALS') {
      await Promise.all([
        limiters.account.increment(key.account).catch(() => null),
        limiters.address.increment(key.address).catch(() => null),
      ])
    }
    throw error
  }
}

/**
 * The costly endpoints, limited per user and minute (the route's group already requires a
 * login): rule evaluations, PDFs built on request, uploads.
 */
function perUser(name: string, perMinute: () => number) {
  return limiter.define(name, (ctx: HttpContext) =>
    limiter
      .allowRequests(perMinute())
      .every('1 minute')
      .usingKey(`${name}:user:${ctx.auth.user?.id ?? ctx.request.ip()}`)
  )
}

export const throttleEvaluate = perUser('evaluate', () => limits.evaluatePerMinute)
export const throttleDocuments = perUser('documents', () => limits.documentsPerMinute)
export const throttleUploads = perUser('uploads', () => limits.uploadsPerMinute)
