import { useEffect, useId, useState } from 'react'
import { useT } from '../../i18n'

/**
 * A piece of a rule set written as JSON (a condition, a step, a schema): the text is kept as
 * typed, and each change that parses goes to `onChange`; one that does not says why, in place.
 */
export function JsonField({
  label,
  value,
  onChange,
  readOnly,
  rows = 4,
  testId,
}: {
  label: string
  value: unknown
  onChange?: (value: unknown) => void
  readOnly?: boolean
  rows?: number
  testId?: string
}) {
  const { t } = useT()
  const id = useId()
  const [text, setText] = useState(() => JSON.stringify(value, null, 2))
  const [error, setError] = useState<string | null>(null)
  const outside = JSON.stringify(value)
  // A value changed from outside (a case removed above this one, a version switched): shown as it is.
  useEffect(() => {
    setText((current) => {
      try {
        if (JSON.stringify(JSON.parse(current)) === outside) return current
      } catch {
        // The text being typed does not parse yet: the outside value replaces it only if it changed.
      }
      setError(null)
      return JSON.stringify(JSON.parse(outside ?? 'null'), null, 2)
    })
  }, [outside])
  return (
    <div className="mb-3">
      <label htmlFor={id} className="form-label small fw-semibold">
        {label}
      </label>
      <textarea
        id={id}
        className={`form-control font-monospace small${error ? ' is-invalid' : ''}`}
        rows={rows}
        value={text}
        readOnly={readOnly}
        spellCheck={false}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        data-testid={testId}
        onChange={(event) => {
          setText(event.target.value)
          try {
            const parsed = JSON.parse(event.target.value) as unknown
            setError(null)
            onChange?.(parsed)
          } catch (problem) {
            setError(t('designer.jsonInvalid', { message: (problem as Error).message }))
          }
        }}
      />
      {error && (
        <div id={`${id}-error`} className="invalid-feedback d-block">
          {error}
        </div>
      )}
    </div>
  )
}
