import type { Lang } from './i18n'

export interface ServerError {
  path?: string
  rule?: string
  message: string
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errors: ServerError[]
  ) {
    super(errors.map((e) => e.message).join('; ') || `HTTP ${status}`)
  }
}

let currentLang: Lang = 'it'
/** Server messages (validation, BLOCCO) come back in the language the citizen reads. */
export function setApiLanguage(lang: Lang) {
  currentLang = lang
}

export async function api<T>(method: string, url: string, body?: unknown): Promise<T> {
  const response = await fetch(`/api/v1${url}`, {
    method,
    credentials: 'same-origin',
    headers: {
      'accept': 'application/json',
      'accept-language': currentLang,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await response.text()
  const payload = text ? JSON.parse(text) : {}
  if (!response.ok) {
    const errors: ServerError[] = Array.isArray(payload?.errors)
      ? payload.errors
      : [{ message: `HTTP ${response.status}` }]
    throw new ApiError(response.status, errors)
  }
  return payload as T
}

export interface Me {
  email: string
  fullName: string
  tenants: { slug: string; name: string; roles: string[] }[]
}

/** Whether a form's call is open today (dates are calendar days, YYYY-MM-DD, closes included). */
export interface EnrolmentWindow {
  open: boolean
  opens: string | null
  closes: string | null
  state: 'open' | 'not_yet' | 'closed'
}

export interface FormSummary {
  id: number
  key: string
  service: string
  title: { it: string; en: string }
  enrolment: EnrolmentWindow
}

export interface Submission {
  id: number
  formKey: string
  status: string
  protocolNumber: string | null
  submittedAt: string | null
  createdAt: string
  updatedAt: string | null
  data?: Record<string, unknown>
}
