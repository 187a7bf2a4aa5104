import { useEffect, useId, useState } from 'react'
import { checkFormula } from '../../api/designer_queries'
import { useT } from '../../i18n'

/** How long typing pauses before the formula is checked. */
const CHECK_AFTER_MS = 400

/**
 * A named formula, checked as it is typed by the engine's own grammar on the server (the same
 * parser that will run it), so what passes here is what the engine accepts.
 */
export function FormulaField({
  slug,
  ruleset,
  name,
  expression,
  reference,
  onChange,
  readOnly,
}: {
  slug: string
  ruleset: string
  name: string
  expression: string
  reference: string
  onChange?: (expression: string) => void
  readOnly?: boolean
}) {
  const { t } = useT()
  const id = useId()
  const [check, setCheck] = useState<{ state: 'idle' | 'checking' | 'ok' | 'error'; message?: string }>({
    state: 'idle',
  })
  useEffect(() => {
    if (readOnly) return
    let live = true
    setCheck({ state: 'checking' })
    const timer = setTimeout(() => {
      checkFormula(slug, ruleset, expression)
        .then((answer) => live && setCheck(answer.ok ? { state: 'ok' } : { state: 'error', message: answer.message }))
        .catch((error: Error) => live && setCheck({ state: 'error', message: error.message }))
    }, CHECK_AFTER_MS)
    return () => {
      live = false
      clearTimeout(timer)
    }
  }, [slug, ruleset, expression, readOnly])
  return (
    <div className="mb-3">
      <label htmlFor={id} className="form-label small fw-semibold">
        {name}
      </label>
      <input
        id={id}
        className={`form-control font-monospace${check.state === 'error' ? ' is-invalid' : ''}${check.state === 'ok' ? ' is-valid' : ''}`}
        value={expression}
        readOnly={readOnly}
        spellCheck={false}
        aria-invalid={check.state === 'error' ? true : undefined}
        aria-describedby={`${id}-check ${id}-ref`}
        data-testid={`formula-${name}`}
        onChange={(event) => onChange?.(event.target.value)}
      />
      <div id={`${id}-check`} role="status" className="small" data-testid={`formula-${name}-check`}>
        {check.state === 'checking' && <span className="text-secondary">{t('designer.formulaChecking')}</span>}
        {check.state === 'ok' && <span className="text-success">✓ {t('designer.formulaOk')}</span>}
        {check.state === 'error' && <span className="text-danger">✗ {check.message}</span>}
      </div>
      <div id={`${id}-ref`} className="small text-secondary">
        {t('designer.reference')}: {reference}
      </div>
    </div>
  )
}
