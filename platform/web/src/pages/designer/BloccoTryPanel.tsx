import { useId, useMemo, useState, type FormEvent } from 'react'
import type { FormDefinition } from '#forms/types'
import { tryRows, type BloccoTryResult } from '#shared/blocco_rule'
import { bloccoFields } from '#shared/condition_model'
import { api, ApiRequestError, tenantBase } from '../../api/client'
import { useT } from '../../i18n'
import { JsonField } from './JsonField'

/** POST /forms/:id/blocchi/try: the rules of a published version, or of the draft as it is held. */
export function tryBlocchi(
  slug: string,
  formId: string,
  data: unknown,
  source: { version?: number } | { draft: Pick<FormDefinition, 'blocchi' | 'conditions'> }
) {
  return api<BloccoTryResult>('POST', `${tenantBase(slug)}/forms/${encodeURIComponent(formId)}/blocchi/try`, {
    data,
    ...source,
  })
}

/**
 * "Try it" for a form's BLOCCO rules: sample data (the form's own sample to start with, edited as
 * JSON), run on the server by the evaluation a submission goes through, and the answer shown field
 * by field in the order of the form, each with the messages of the rules that fire there; the
 * rules that stay quiet are listed apart. For the form builder to embed next to its rules.
 */
export function BloccoTryPanel({
  slug,
  formId,
  form,
  source,
}: {
  slug: string
  formId: string
  form: Pick<FormDefinition, 'schema' | 'uiSchema' | 'sample'>
  source: { version?: number } | { draft: Pick<FormDefinition, 'blocchi' | 'conditions'> }
}) {
  const { t, lang } = useT()
  const id = useId()
  const fields = useMemo(() => bloccoFields(form.schema, form.uiSchema), [form.schema, form.uiSchema])
  const [data, setData] = useState<unknown>(form.sample ?? {})
  const [result, setResult] = useState<BloccoTryResult | null>(null)
  const [problem, setProblem] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setProblem(null)
    setBusy(true)
    try {
      setResult(await tryBlocchi(slug, formId, data, source))
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
