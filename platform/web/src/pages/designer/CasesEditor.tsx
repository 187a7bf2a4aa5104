import { Fragment } from 'react'
import type { CaseDto, CaseOutcomeDto } from '../../api/designer_queries'
import { useT } from '../../i18n'
import { JsonField } from './JsonField'
import { TracePanel } from './TracePanel'

/**
 * The version's test cases as a table edited in place (sentence, date, facts, expected), with the
 * outcome of the last run per case: green or red, and for a red one what differs and the trace.
 */
export function CasesEditor({
  cases,
  outcomes,
  onChange,
}: {
  cases: CaseDto[]
  /** The last run's outcome of each case, by position; null when not run since the last change. */
  outcomes: Array<CaseOutcomeDto | undefined> | null
  onChange?: (cases: CaseDto[]) => void
}) {
  const { t } = useT()
  const readOnly = !onChange
  const update = (i: number, change: Partial<CaseDto>) =>
    onChange?.(cases.map((c, j) => (j === i ? { ...c, ...change } : c)))
  return (
    <div>
      <div className="table-responsive">
        <table className="table table-sm align-top designer-cases" data-testid="cases">
          <caption className="visually-hidden">{t('designer.cases')}</caption>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">{t('designer.caseName')}</th>
              <th scope="col">{t('designer.caseAt')}</th>
              <th scope="col">{t('designer.caseFacts')}</th>
              <th scope="col">{t('designer.caseExpected')}</th>
              <th scope="col">{t('designer.caseResult')}</th>
              {!readOnly && (
                <td>
                  <span className="visually-hidden">{t('designer.caseRemove', { n: '' })}</span>
                </td>
              )}
            </tr>
          </thead>
          <tbody>
            {cases.map((c, i) => {
              const outcome = outcomes?.[i]
              const n = i + 1
              return (
                <Fragment key={i}>
                  <tr
                    key={i}
                    data-testid={`case-${n}`}
                    className={outcome ? (outcome.ok ? 'designer-ok' : 'designer-fail') : undefined}
                  >
                    <th scope="row">{n}</th>
                    <td style={{ minWidth: '16rem' }}>
                      <textarea
                        className="form-control form-control-sm"
                        rows={2}
                        aria-label={`${t('designer.caseName')} ${n}`}
                        value={c.name}
                        readOnly={readOnly}
                        onChange={(event) => update(i, { name: event.target.value })}
                      />
                    </td>
                    <td>
                      <input
                        type="date"
                        className="form-control form-control-sm"
                        aria-label={`${t('designer.caseAt')} ${n}`}
                        value={c.at}
                        readOnly={readOnly}
                        onChange={(event) => update(i, { at: event.target.value })}
                      />
                    </td>
                    <td style={{ minWidth: '14rem' }}>
                      <JsonField
                        label={`${t('designer.caseFacts')} ${n}`}
                        value={c.facts}
                        readOnly={readOnly}
                        rows={3}
                        onChange={(facts) => update(i, { facts: facts as Record<string, unknown> })}
                      />
                    </td>
                    <td style={{ minWidth: '12rem' }}>
                      <JsonField
                        label={`${t('designer.caseExpected')} ${n}`}
                        value={c.expected}
                        readOnly={readOnly}
                        rows={3}
                        onChange={(expected) => update(i, { expected: expected as Record<string, unknown> })}
                      />
                    </td>
                    <td style={{ minWidth: '12rem' }} data-testid={`case-${n}-outcome`}>
                      {!outcome ? (
                        <span className="badge bg-secondary">{t('designer.notRun')}</span>
                      ) : outcome.ok ? (
                        <span className="badge bg-success">✓ {t('designer.pass')}</span>
                      ) : (
                        <>
                          <span className="badge bg-danger">✗ {t('designer.fail')}</span>
                          <ul className="small mb-1 ps-3">
                            {outcome.diffs.map((d) => (
                              <li key={d}>{d}</li>
                            ))}
                            {outcome.error && <li>{outcome.error}</li>}
                          </ul>
                        </>
                      )}
                      {outcome && (
                        <span className="d-block small text-secondary">
                          {t('designer.ranOn', { version: outcome.version })}
                        </span>
                      )}
                    </td>
                    {!readOnly && (
                      <td>
                        <button
                          type="button"
                          className="btn btn-sm btn-outline-danger"
                          aria-label={t('designer.caseRemove', { n })}
                          onClick={() => onChange?.(cases.filter((_, j) => j !== i))}
                        >
                          ×
                        </button>
                      </td>
                    )}
                  </tr>
                  {outcome && !outcome.ok && outcome.trace && (
                    <tr data-testid={`case-${n}-trace-row`}>
                      <td />
                      <td colSpan={readOnly ? 5 : 6}>
                        <TracePanel trace={outcome.trace} testId={`case-${n}-trace`} />
                      </td>
                    </tr>
                  )}
                </Fragment>
              )
            })}
          </tbody>
        </table>
      </div>
      {!readOnly && (
        <button
          type="button"
          className="btn btn-outline-primary btn-sm"
          onClick={() => {
            const last = cases.at(-1)
            onChange?.([
              ...cases,
              { name: '', at: last?.at ?? '', facts: last?.facts ?? {}, expected: last?.expected ?? {} },
            ])
          }}
        >
          {t('designer.caseAdd')}
        </button>
      )}
    </div>
  )
}
