import { vineMessagesIn } from '#i18n/vine_messages'
import type { ApiError, Lang } from '#sdk/types'
import { jsonPointer } from '#shared/contract'

/**
 * The pieces of the platform's error shape `{ errors: [{ path?, rule?, message }] }` a plugin
 * route uses: `throw new PluginHttpError(409, [{ message }])` for a refusal, `reply(201, body)`
 * for another status than 200.
 */
export class PluginHttpError extends Error {
  readonly errors: ApiError[]
  constructor(
    readonly status: number,
    errors: ApiError[] | string
  ) {
    const list = typeof errors === 'string' ? [{ message: errors }] : errors
    super(list.map((e) => e.message).join('; '))
    if (status < 400 || status > 499) throw new Error(`PluginHttpError is for 4xx answers, not ${status}`)
    this.errors = list
    this.name = 'PluginHttpError'
  }
}

export class Reply {
  constructor(
    readonly status: number,
    readonly body: unknown
  ) {}
}

/** A file to download (a PDF, a CSV): its bytes, its name and its type. */
export class FileReply {
  constructor(
    readonly content: Uint8Array,
    readonly fileName: string,
    readonly contentType: string
  ) {}
}

/** A file as the answer, e.g. `replyFile(pdfBytes, 'ordine.pdf', 'application/pdf')`: sent as an attachment. */
export function replyFile(content: Uint8Array | string, fileName: string, contentType: string) {
  return new FileReply(typeof content === 'string' ? Buffer.from(content, 'utf8') : content, fileName, contentType)
}

/** An answer with a status other than 200, e.g. `reply(201, { note })`. */
export function reply(status: number, body: unknown) {
  return new Reply(status, body)
}

/** VineJS's dotted field (`items.0.name`) as the JSON Pointer the platform's errors use (`/items/0/name`). */
export function pointerOf(field: string): string {
  return field ? jsonPointer(field.split('.')) : ''
}

/** VineJS options for a validation in a language (the default provider follows the request's already). */
export function vineMessages(lang: Lang) {
  return { messagesProvider: vineMessagesIn(lang) }
}

/** VineJS's validation error as the platform's 422 errors. */
export function validationErrors(error: unknown, prefix: string): ApiError[] | null {
  const e = error as { code?: string; messages?: Array<{ field: string; rule: string; message: string }> }
  if (e?.code !== 'E_VALIDATION_ERROR' || !Array.isArray(e.messages)) return null
  return e.messages.map((m) => ({ path: prefix + pointerOf(String(m.field ?? '')), rule: m.rule, message: m.message }))
}
