import { useId, useMemo, useState, type FormEvent } from 'react'
import type { Blocco, FormDefinition } from '#forms/types'
import { tryRows, type BloccoTryResult } from '#shared/blocco_rule'
import { bloccoFields } from '#shared/condition_model'
import { api, ApiRequestError, tenantBase } from '../../api/client'
import { formatDay, useT } from '../../i18n'
import { JsonField } from './JsonField'
import { italianToday } from '../../app/italian_day'

/** Which rules a try runs: a published version, the one in force on a day, or the draft as it is held. */
export type TrySource = { version: number } | { at: string } | { draft: Pick<FormDefinition, 'blocchi' | 'conditions'> }

/** POST /forms/:id/blocchi/try. */
export function tryBlocchi(slug: string, formId: string, data: unknown, source: TrySource) {
  return api<BloccoTryResult>('POST', `${tenantBase(slug)}/forms/${encodeURIComponent(formId)}/blocchi/try`, {
    data,
    ...source,
  })
}

/** A rule's example over the form's sample, as the contract tests apply it: top-level keys replaced, null deletes. */
export function withExample(sample: Record<string, unknown>, example: Record<string, unknown>) {
  const out: Record<string, unknown> = { ...sample }
  for (const [key, value] of Object.entries(example)) {
    if (value === null) delete out[key]
    else out[key] = value
  }
  return out
}

/**
 * "Try it" for a form's BLOCCO rules: sample data (the form's sample, or a rule's example that
 * blocks or passes, picked from a list, then edited as JSON), run on the server by the evaluation
 * a submission goes through, and the answer shown field by field in the order of the form, each
 * with the messages of the rules that fire there; the rules that stay quiet are listed apart.
 * The rules tried are the draft's (when there is one) or those of the version in force on a
 * chosen day (today unless changed): a version published for a later day is not tried before it.
 */
export function BloccoTryPanel({
  slug,
  formId,
  form,
  draft = null,
  beforeTry,
}: {
  slug: string
  formId: string
  form: Pick<FormDefinition, 'schema' | 'uiSchema' | 'sample'> & { blocchi?: Blocco[] }
  /** The draft's rules as the builder holds them; null when the form has no draft. */
  draft?: Pick<FormDefinition, 'blocchi' | 'conditions'> | null
  /** Called before the try (the page saves what is pending). */
  beforeTry?: () => Promise<void>
}) {
  const { t, lang } = useT()
  const id = useId()
  const fields = useMemo(() => bloccoFields(form.schema, form.uiSchema), [form.schema, form.uiSchema])
  const sample = (form.sample ?? {}) as Record<string, unknown>
  const [data, setData] = useState<unknown>(sample)
  const [picked, setPicked] = useState('sample')
  const [which, setWhich] = useState<'draft' | 'at'>(draft ? 'draft' : 'at')
  const [at, setAt] = useState(italianToday())
  const [result, setResult] = useState<BloccoTryResult | null>(null)
  const [problem, setProblem] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const examples = (form.blocchi ?? []).flatMap((rule) =>
    (['fires', 'passes'] as const)
      .filter((kind) => rule.examples?.[kind] && Object.keys(rule.examples[kind]).length > 0)
      .map((kind) => ({ value: `${kind}:${rule.id}`, rule, kind }))
  )
  const pick = (value: string) => {
    setPicked(value)
    const example = examples.find((e) => e.value === value)
    setData(example ? withExample(sample, example.rule.examples[example.kind]) : sample)
  }
  const useDraft = draft !== null && which === 'draft'
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setProblem(null)
    setBusy(true)
    try {
      if (useDraft) await beforeTry?.()
      setResult(await tryBlocchi(slug, formId, data, useDraft ? { draft } : { at }))
    } catch (error) {
      setResult(null)
      setProblem(error instanceof ApiRequestError ? error.message : (error as Error).message)
    } finally {
      setBusy(false)
    }
  }
  const shown = result ? tryRows(result, fields) : null
  return (
    <section aria-labelledby={`${id}-title`} className="mb-4" data-testid="blocco-try">
      <h2 id={`${id}-title`} className="h5">
        {t('bloccoTry.title')}
      </h2>
      <form onSubmit={submit}>
        {draft !== null ? (
          <fieldset className="mb-3">
            <legend className="fs-6 fw-semibold">{t('bloccoTry.which')}</legend>
            <div className="form-check">
              <input
                id={`${id}-draft`}
                className="form-check-input"
                type="radio"
                name={`${id}-which`}
                checked={which === 'draft'}
                onChange={() => setWhich('draft')}
              />
              <label className="form-check-label" htmlFor={`${id}-draft`}>
                {t('bloccoTry.whichDraft')}
              </label>
            </div>
            <div className="form-check">
              <input
                id={`${id}-at-choice`}
                className="form-check-input"
                type="radio"
                name={`${id}-which`}
                checked={which === 'at'}
                onChange={() => setWhich('at')}
              />
              <label className="form-check-label" htmlFor={`${id}-at-choice`}>
                {t('bloccoTry.whichAt')}
              </label>
            </div>
          </fieldset>
        ) : null}
        <div className="row g-3 mb-2">
          {!useDraft && (
            <div className="col-md-4">
              <label htmlFor={`${id}-at`} className="form-label">
                {t('bloccoTry.at')}
              </label>
              <input
                id={`${id}-at`}
                type="date"
                className="form-control"
                required
                value={at}
                onChange={(e) => setAt(e.target.value)}
              />
            </div>
          )}
          <div className="col-md-8">
            <label htmlFor={`${id}-pick`} className="form-label">
              {t('bloccoTry.pick')}
            </label>
            <select id={`${id}-pick`} className="form-select" value={picked} onChange={(e) => pick(e.target.value)}>
              <option value="sample">{t('bloccoTry.pickSample')}</option>
              {examples.map((e) => (
                <option key={e.value} value={e.value}>
                  {t(e.kind === 'fires' ? 'bloccoTry.pickFires' : 'bloccoTry.pickPasses', { rule: e.rule.id })}
                </option>
              ))}
            </select>
          </div>
        </div>
        <JsonField label={t('bloccoTry.data')} value={data} rows={8} onChange={setData} testId="blocco-try-data" />
        <button type="submit" className="btn btn-primary btn-sm" disabled={busy}>
          {busy ? t('bloccoTry.running') : t('bloccoTry.run')}
        </button>
      </form>
      {problem && (
        <p className="text-danger mt-2" role="alert">
          {problem}
        </p>
      )}
      <div role="status" className="mt-3">
        {result && shown && (
          <>
            <p className="small mb-1" data-testid="blocco-try-source">
              {result.draft
                ? t('bloccoTry.ranDraft')
                : result.valid_from
                  ? t('bloccoTry.ranVersion', { version: String(result.version), from: formatDay(result.valid_from) })
                  : t('bloccoTry.ranVersionFromStart', { version: String(result.version) })}
            </p>
            <p className="fw-semibold" data-testid="blocco-try-summary">
              {result.fired === 0
                ? t('bloccoTry.none', { count: result.rules.length })
                : t('bloccoTry.fired', { fired: result.fired, count: result.rules.length })}
            </p>
            {shown.rows.length > 0 && (
              <table className="table table-sm" data-testid="blocco-try-fields">
                <caption className="caption-top">{t('bloccoTry.byField')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('bloccoTry.field')}</th>
                    <th scope="col">{t('bloccoTry.rules')}</th>
                  </tr>
                </thead>
                <tbody>
                  {shown.rows.map((row) => (
                    <tr key={row.pointer}>
                      <th scope="row" className="fw-normal">
                        {row.unknown ? t('bloccoTry.unknownField', { path: row.pointer }) : row.label[lang]}{' '}
                        <code className="small text-secondary">{row.pointer}</code>
                      </th>
                      <td>
                        <ul className="list-unstyled mb-0">
                          {row.rules.map((r) => (
                            <li key={r.rule}>
                              <code>{r.rule}</code>
                              {r.unevaluable && (
                                <span className="badge bg-warning text-dark ms-1">{t('bloccoTry.unevaluable')}</span>
                              )}
                              <span className="d-block small">{r.message}</span>
                            </li>
                          ))}
                        </ul>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {shown.quiet.length > 0 && (
              <details>
                <summary className="small">{t('bloccoTry.quiet', { count: shown.quiet.length })}</summary>
                <p className="small mb-0">
                  {shown.quiet.map((rule, i) => (
                    <span key={rule}>
                      {i > 0 && ', '}
                      <code>{rule}</code>
                    </span>
                  ))}
                </p>
              </details>
            )}
          </>
        )}
      </div>
    </section>
  )
}
