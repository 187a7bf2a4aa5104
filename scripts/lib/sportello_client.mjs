/*
 * A small HTTP client of the Sportello API for the operational scripts (production smoke, restore
 * drill, intake bench): log in, upload a document, send a canteen enrolment, read things back.
 * Plain Node (fetch, FormData), no dependency, so it runs beside a build without TypeScript.
 */
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

export const DEMO_PASSWORD = 'Sportello.2026'
export const REFEZIONE_FORM = 'refezione.iscrizione'

/** The refezione form's own sample: a complete, valid enrolment (forms/refezione). */
export async function refezioneSample() {
  const form = JSON.parse(await readFile(`${ROOT}forms/refezione/refezione.iscrizione.json`, 'utf8'))
  return structuredClone(form.sample)
}

/**
 * A valid codice fiscale for the n-th child of a run (born 4 March 2017 in Rome, like the sample's
 * child): one standing application per child and school year, so a run sending many names many.
 */
export function childFiscalCode(n) {
  // The weights of the characters in odd positions (1st, 3rd...), for digits and letters alike.
  const odd = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23]
  let name = ''
  for (let i = 0, rest = n; i < 6; i++, rest = Math.floor(rest / 26)) name += String.fromCharCode(65 + (rest % 26))
  const first15 = `${name}17C04H501`
  let sum = 0
  for (let i = 0; i < 15; i++) {
    const code = first15.charCodeAt(i)
    const value = code <= 57 ? code - 48 : code - 65
    sum += i % 2 === 0 ? odd[value] : value
  }
  return first15 + String.fromCharCode(65 + (sum % 26))
}

/** A PDF small enough for any field and recognised as a PDF by its content. */
export function identityPdf(tag) {
  return Buffer.from(`%PDF-1.4\n% documento di identita ${tag}\n%%EOF\n`)
}

export class ApiError extends Error {
  constructor(method, path, status, body) {
    super(`${method} ${path} answered ${status}: ${typeof body === 'string' ? body : JSON.stringify(body)}`)
    this.status = status
    this.body = body
  }
}

/** One user's session against one base URL (cookies kept by hand: name=value is all the API needs). */
export class SportelloSession {
  #cookies

  constructor(base, cookies = new Map()) {
    this.base = base.replace(/\/$/, '')
    this.#cookies = cookies
  }

  /** The same session (its cookies) against another base URL: another web process of the same deployment. */
  on(base) {
    return new SportelloSession(base, this.#cookies)
  }

  async request(method, path, { json, form, expect } = {}) {
    const headers = { 'accept': 'application/json', 'accept-language': 'it' }
    if (this.#cookies.size) headers.cookie = [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ')
    let body
    if (json !== undefined) {
      headers['content-type'] = 'application/json'
      body = JSON.stringify(json)
    } else if (form) {
      body = form
    }
    const response = await fetch(this.base + path, { method, headers, body, redirect: 'manual' })
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';')
      const at = pair.indexOf('=')
      this.#cookies.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim())
    }
    const type = response.headers.get('content-type') ?? ''
    const payload = type.includes('json') ? await response.json() : Buffer.from(await response.arrayBuffer())
    const ok = expect ? [expect].flat().includes(response.status) : response.ok
    if (!ok) throw new ApiError(method, path, response.status, type.includes('json') ? payload : String(payload))
    return { status: response.status, body: payload, headers: response.headers }
  }

  async login(email, password = DEMO_PASSWORD) {
    await this.request('POST', '/api/v1/auth/login', { json: { email, password } })
    return this
  }

  /** Uploads a document at a field of a form; answers the reference the form's data holds. */
  async upload(tenant, formKey, field, fileName, bytes) {
    const form = new FormData()
    form.append('file', new Blob([bytes], { type: 'application/pdf' }), fileName)
    const path = `/api/v1/t/${tenant}/forms/${formKey}/attachments?field=${encodeURIComponent(field)}`
    return (await this.request('POST', path, { form, expect: 201 })).body.attachment
  }

  /** Creates and sends a submission in one call; answers the submission as the API shows it. */
  async submit(tenant, formKey, data) {
    const path = `/api/v1/t/${tenant}/forms/${formKey}/submit`
    const { body } = await this.request('POST', path, { json: { data }, expect: [200, 201] })
    return body.submission ?? body
  }

  async get(path) {
    return (await this.request('GET', path)).body
  }
}

/** Polls `probe` until it answers something truthy, or fails after `timeoutMs` with `what`. */
export async function until(what, probe, timeoutMs = 30000, everyMs = 200) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe().catch(() => undefined)
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, everyMs))
  }
}
