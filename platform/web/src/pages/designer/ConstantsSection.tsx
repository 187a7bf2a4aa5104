import { useState, type FormEvent } from 'react'
import { parseAmount } from '#shared/condition_model'
import type { VersionBody } from '../../api/designer_queries'
import { useT } from '../../i18n'

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

interface Constant {
  value: string | number
  reference: string
  label?: { it: string; en: string }
}

/** What is wrong with a constant, as the engine will refuse it when the version is published. */
export function constantProblems(
  name: string,
  constant: Constant,
  factNames: ReadonlySet<string>
): Array<'value' | 'reference' | 'fact'> {
  const out: Array<'value' | 'reference' | 'fact'> = []
  if (parseAmount(String(constant.value)) === null || /,/.test(String(constant.value))) out.push('value')
  if (typeof constant.reference !== 'string' || constant.reference.trim().length === 0) out.push('reference')
  if (factNames.has(name)) out.push('fact')
  return out
}

/**
 * The constants of a version (the amounts, thresholds and percentages the steps read by name),
 * each with the article it comes from: edited in place, saved as typed, and marked in red while
 * the engine would refuse them (not a number, no reference, the name of a fact).
 */
export function ConstantsSection({
  body,
  editing,
  onChange,
}: {
  body: VersionBody
  editing: boolean
  onChange: (body: VersionBody) => void
}) {
  const { t } = useT()
  const constants = (body.parameters ?? {}) as Record<string, Constant>
  const factNames = new Set(Object.keys(((body.facts_schema ?? {}) as { properties?: object }).properties ?? {}))
  const [name, setName] = useState('')
  const [problem, setProblem] = useState<string | null>(null)
  const set = (key: string, next: Constant) => onChange({ ...body, parameters: { ...constants, [key]: next } })
  const add = (event: FormEvent) => {
    event.preventDefault()
    const trimmed = name.trim()
    if (!NAME.test(trimmed)) return setProblem(t('rulesetParts.constantNameInvalid'))
    if (trimmed in constants || factNames.has(trimmed))
      return setProblem(t('rulesetParts.constantNameTaken', { name: trimmed }))
    setProblem(null)
    setName('')
    set(trimmed, { value: '0', reference: '' })
  }
  return (
    <section id="sec-constants" aria-labelledby="h-constants" className="mb-4">
      <h2 id="h-constants" className="h4">
        {t('rulesetParts.constants')}
      </h2>
      <p className="small">{t('rulesetParts.constantsIntro')}</p>
      {Object.keys(constants).length === 0 ? (
        <p className="text-secondary">{t('designer.none')}</p>
      ) : (
        <div className="table-responsive">
          <table className="table table-sm align-top" data-testid="constants">
            <caption className="visually-hidden">{t('rulesetParts.constants')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('rulesetParts.constantName')}</th>
                <th scope="col">{t('rulesetParts.constantValue')}</th>
                <th scope="col">{t('rulesetParts.constantReference')}</th>
                <th scope="col">{t('rulesetParts.constantLabelIt')}</th>
                <th scope="col">{t('rulesetParts.constantLabelEn')}</th>
                {editing && <th scope="col">{t('rulesetParts.actions')}</th>}
              </tr>
            </thead>
            <tbody>
              {Object.entries(constants).map(([key, constant]) => {
                const problems = constantProblems(key, constant, factNames)
                const id = `constant-${key}`
                return (
                  <tr key={key} data-testid={id}>
                    <th scope="row">
                      <code>{key}</code>
                      {problems.includes('fact') && (
                        <span id={`${id}-fact`} className="d-block small text-danger">
                          {t('rulesetParts.constantIsFact')}
                        </span>
                      )}
                    </th>
                    <td>
                      <input
                        className={`form-control form-control-sm${problems.includes('value') ? ' is-invalid' : ''}`}
                        style={{ maxWidth: '9rem' }}
                        inputMode="decimal"
                        aria-label={t('rulesetParts.constantValueOf', { name: key })}
                        aria-invalid={problems.includes('value') || undefined}
                        aria-describedby={problems.includes('value') ? `${id}-value` : undefined}
                        value={String(constant.value)}
                        readOnly={!editing}
                        onChange={(e) => {
                          // A comma for the decimals is read as the point the engine wants.
                          const typed = e.target.value
                          const parsed = parseAmount(typed)
                          set(key, { ...constant, value: parsed === null ? typed : typed.trim().replace(',', '.') })
                        }}
                      />
                      {problems.includes('value') && (
                        <span id={`${id}-value`} className="invalid-feedback d-block">
                          {t('rulesetParts.constantValueInvalid')}
                        </span>
                      )}
                    </td>
                    <td>
                      <textarea
                        className={`form-control form-control-sm${problems.includes('reference') ? ' is-invalid' : ''}`}
                        rows={2}
                        aria-label={t('rulesetParts.constantReferenceOf', { name: key })}
                        aria-invalid={problems.includes('reference') || undefined}
                        aria-describedby={problems.includes('reference') ? `${id}-reference` : undefined}
                        value={constant.reference ?? ''}
                        readOnly={!editing}
                        onChange={(e) => set(key, { ...constant, reference: e.target.value })}
                      />
                      {problems.includes('reference') && (
                        <span id={`${id}-reference`} className="invalid-feedback d-block">
                          {t('rulesetParts.constantReferenceMissing')}
                        </span>
                      )}
                    </td>
                    {(['it', 'en'] as const).map((l) => (
                      <td key={l}>
                        <input
                          className="form-control form-control-sm"
                          aria-label={t(
                            l === 'it' ? 'rulesetParts.constantLabelItOf' : 'rulesetParts.constantLabelEnOf',
                            { name: key }
                          )}
                          value={constant.label?.[l] ?? ''}
                          readOnly={!editing}
                          onChange={(e) =>
                            set(key, { ...constant, label: { it: '', en: '', ...constant.label, [l]: e.target.value } })
                          }
                        />
                      </td>
                    ))}
                    {editing && (
                      <td>
                        <button
                          type="button"
                          className="btn btn-sm btn-outline-danger"
                          aria-label={t('rulesetParts.constantRemove', { name: key })}
                          onClick={() => {
                            const rest = { ...constants }
                            delete rest[key]
                            onChange({ ...body, parameters: rest })
                          }}
                        >
                          {t('rulesetParts.remove')}
                        </button>
                      </td>
                    )}
                  </tr>
                )
              })}
            </tbody>
          </table>
        </div>
      )}
      {editing && (
        <form className="row g-2 align-items-end" onSubmit={add}>
          <div className="col-auto">
            <label htmlFor="new-constant" className="form-label small">
              {t('rulesetParts.constantNew')}
            </label>
            <input
              id="new-constant"
              className={`form-control form-control-sm${problem ? ' is-invalid' : ''}`}
              value={name}
              aria-invalid={problem ? true : undefined}
              aria-describedby={problem ? 'new-constant-error' : undefined}
              onChange={(e) => setName(e.target.value)}
            />
          </div>
          <div className="col-auto">
            <button type="submit" className="btn btn-sm btn-outline-primary">
              {t('rulesetParts.constantAdd')}
            </button>
          </div>
          {problem && (
            <div id="new-constant-error" className="col-12 small text-danger" role="alert">
              {problem}
            </div>
          )}
        </form>
      )}
    </section>
  )
}
