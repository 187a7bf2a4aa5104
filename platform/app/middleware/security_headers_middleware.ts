import app from '@adonisjs/core/services/app'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'

/**
 * Security headers on every answer: the portal's pages and assets get a Content Security Policy
 * that lets it run (its own scripts and styles from the Vite build, Bootstrap Italia's fonts and
 * SVG sprites from /assets, inline style attributes React and RJSF set, and `unsafe-eval` because
 * Ajv, inside RJSF, compiles each form's schema into a function); the API and documents get one
 * that allows nothing at all, since a JSON answer or a PDF never needs to load anything. Nothing
 * may frame either, nothing is content-sniffed, and no full URL leaks to another site.
 */
export const PORTAL_CSP = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

export default class SecurityHeadersMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    try {
      return await next()
    } finally {
      this.#set(ctx)
    }
  }

  #set(ctx: HttpContext) {
    const response = ctx.response
    const api = ctx.request.url().startsWith('/api/') || ctx.request.url() === '/health'
    // A handler that set a stricter policy of its own (an SVG served as a document) keeps it.
    if (!response.getHeader('content-security-policy')) {
      response.header('content-security-policy', api ? API_CSP : PORTAL_CSP)
    }
    response.header('x-content-type-options', 'nosniff')
    response.header('x-frame-options', 'DENY')
    response.header('referrer-policy', 'same-origin')
    response.header('cross-origin-opener-policy', 'same-origin')
    response.header('cross-origin-resource-policy', 'same-origin')
    response.header('permissions-policy', 'camera=(), microphone=(), geolocation=(), payment=()')
    // Over HTTPS only, which production is (behind its proxy): a year, subdomains included.
    if (app.inProduction) response.header('strict-transport-security', 'max-age=31536000; includeSubDomains')
  }
}
