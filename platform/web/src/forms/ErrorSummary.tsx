import { forwardRef } from 'react'
import { Link } from 'react-router'
import type { ApiError } from '#shared/contract'
import { useT } from '../i18n'
import { fieldAt, pointerParts, withoutLabel } from './form_support'

export interface SummaryLine {
  error: ApiError
  /** "Genitore o tutore pagante — Codice fiscale", or null for an error about the whole form. */
  field: string | null
  /** The id of the field's input, to link to. */
  id: string | null
  /** The top-level field, to find the step that shows it. */
  top: string | null
  message: string
}

/**
 * One line per error: errors at different places never merge, even when their fields share a
 * label (the parent's and the child's "Codice fiscale"); only the very same message at the very
 * same place is said once. The field is named by its section, and the message does not repeat it.
 */
export function summaryLines(errors: ApiError[], schema: unknown, order: string[] = []): SummaryLine[] {
  const seen = new Set<string>()
  const out: SummaryLine[] = []
  for (const error of errors) {
    const at = error.path ? fieldAt(schema, error.path) : null
    // The parts of one field (a document's name, type and size) fail together: one line.
    const key = `${at?.title ? at.anchor : (error.path ?? '')}\u0000${error.message}`
    if (seen.has(key)) continue
    seen.add(key)
    out.push({
      error,
      field: at?.title ?? null,
      id: at?.title ? at.id : null,
      top: pointerParts(error.path ?? '')[0] ?? null,
      message: at?.title ? withoutLabel(error.message) : error.message,
    })
  }
  // In the order the form asks: errors about the whole form first, then field by field.
  const rank = (l: SummaryLine) =>
    l.top === null ? -1 : order.indexOf(l.top) === -1 ? order.length : order.indexOf(l.top)
  return out
    .map((l, i) => ({ l, i }))
    .sort((a, b) => rank(a.l) - rank(b.l) || a.i - b.i)
    .map(({ l }) => l)
}

/**
 * The errors the server gave for a sending, at the top of the page: each names its field and
 * links to it (on its step). A refusal because the child is already enrolled reads as such.
 */
export const ErrorSummary = forwardRef<
  HTMLDivElement,
  { lines: SummaryLine[]; onGo: (line: SummaryLine) => void; enrolmentsHref: string }
>(function ErrorSummary({ lines, onGo, enrolmentsHref }, ref) {
  const { t } = useT()
  const duplicates = lines.filter((l) => l.error.rule?.startsWith('duplicate:'))
  const others = lines.filter((l) => !l.error.rule?.startsWith('duplicate:'))
  return (
    <div ref={ref} tabIndex={-1} className="alert alert-danger error-summary" role="alert" data-testid="error-summary">
      {duplicates.length > 0 && (
        <div data-testid="duplicate-refusal" className={others.length ? 'mb-3' : ''}>
          <p className="fw-semibold mb-1">{t('form.duplicateTitle')}</p>
          {duplicates.map((l, i) => (
            <p key={i} className="mb-1">
              {l.message}
            </p>
          ))}
          <p className="mb-0">
            <Link to={enrolmentsHref}>{t('form.duplicateHint')}</Link>
          </p>
        </div>
      )}
      {others.length > 0 && (
        <>
          <p className="fw-semibold">{t('form.errorsCount', { count: others.length })}</p>
          <ul className="mb-0">
            {others.map((line, i) => (
              <li key={i}>
                {line.field && line.id ? (
                  <>
                    <a
                      href={`#${line.id}`}
                      onClick={(event) => {
                        event.preventDefault()
                        onGo(line)
                      }}
                    >
                      {line.field}
                    </a>
                    : {line.message}
                  </>
                ) : (
                  line.message
                )}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  )
})
