import { useMemo, useState, type FormEvent } from 'react'
import { newLeaf, ruleSetFields, toCondition } from '#shared/condition_model'
import type { VersionBody } from '../../api/designer_queries'
import { useT } from '../../i18n'
import { ConditionEditor } from './ConditionEditor'

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/
/** The named conditions of a version, each in the point-and-click editor, added and removed by name. */
export function NamedConditionsSection({
  body,
  editing,
  version,
  onChange,
}: {
  body: VersionBody
  editing: boolean
  /** Resets the editors when another version is shown. */
  version: number | undefined
  onChange: (body: VersionBody) => void
}) {
  const { t } = useT()
  const fields = useMemo(() => ruleSetFields(body), [body.facts_schema, body.steps, body.outputs]) // eslint-disable-line react-hooks/exhaustive-deps
  const conditions = body.conditions ?? {}
  const names = Object.keys(conditions)
  const [name, setName] = useState('')
  const [problem, setProblem] = useState<string | null>(null)
  const add = (event: FormEvent) => {
    event.preventDefault()
    const trimmed = name.trim()
    if (!NAME.test(trimmed)) return setProblem(t('rulesetParts.conditionNameInvalid'))
    if (names.includes(trimmed)) return setProblem(t('rulesetParts.conditionNameTaken', { name: trimmed }))
    setProblem(null)
    setName('')
    // A new condition starts as one comparison on the first fact, ready to be changed.
    const condition = { all: fields[0] ? [toCondition(newLeaf(fields[0]))] : [] }
    onChange({ ...body, conditions: { ...conditions, [trimmed]: condition } })
  }
  return (
    <section id="sec-conditions" aria-labelledby="h-conditions" className="mb-4">
      <h2 id="h-conditions" className="h4">
        {t('designer.conditions')}
      </h2>
      {names.length === 0 && <p className="text-secondary">{t('designer.none')}</p>}
      {names.map((key) => (
        <div key={`${version}-${key}`} data-testid={`condition-${key}`}>
          <ConditionEditor
            label={key}
            value={conditions[key]}
            fields={fields}
            named={names.filter((n) => n !== key)}
            readOnly={!editing}
            testId={`condition-editor-${key}`}
            onChange={(next) => onChange({ ...body, conditions: { ...conditions, [key]: next } })}
          />
          {editing && (
            <p className="text-end mt-n2">
              <button
                type="button"
                className="btn btn-sm btn-outline-danger"
                aria-label={t('rulesetParts.conditionRemove', { name: key })}
                onClick={() => {
                  const rest = { ...conditions }
                  delete rest[key]
                  onChange({ ...body, conditions: rest })
                }}
              >
                {t('rulesetParts.remove')}
              </button>
            </p>
          )}
        </div>
      ))}
      {editing && (
        <form className="row g-2 align-items-end" onSubmit={add}>
          <div className="col-auto">
            <label htmlFor="new-condition" className="form-label small">
              {t('rulesetParts.conditionNew')}
            </label>
            <input
              id="new-condition"
              className={`form-control form-control-sm${problem ? ' is-invalid' : ''}`}
              value={name}
              aria-invalid={problem ? true : undefined}
              aria-describedby={problem ? 'new-condition-error' : undefined}
              onChange={(e) => setName(e.target.value)}
            />
          </div>
          <div className="col-auto">
            <button type="submit" className="btn btn-sm btn-outline-primary">
              {t('rulesetParts.conditionAdd')}
            </button>
          </div>
          {problem && (
            <div id="new-condition-error" className="col-12 small text-danger" role="alert">
              {problem}
            </div>
          )}
        </form>
      )}
    </section>
  )
}
