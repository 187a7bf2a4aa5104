import { Link, useParams } from 'react-router'
import { useBulkAction } from '../../api/staff_queries'
import { useCurrentTenant } from '../../app/tenant_context'
import { useT } from '../../i18n'
import { LoadError, Loading } from '../../widgets/status'

/**
 * A selection of applications being accepted: a progress bar while the job works, then what was
 * accepted and, for each application that could not be, why, with a link to open it.
 */
export function BulkAcceptPage() {
  const { t, lang } = useT()
  const tenant = useCurrentTenant()
  const { id = '' } = useParams()
  const action = useBulkAction(tenant.slug, id, lang)
  const base = `/t/${encodeURIComponent(tenant.slug)}/ufficio/domande`
  if (action.isPending) return <Loading />
  if (action.isError) return <LoadError error={action.error} notFound={t('bulk.notFound')} />
  const a = action.data
  const finished = a.done + a.failed
  const percent = a.total ? Math.round((finished * 100) / a.total) : 100
  const failures = a.items.filter((i) => i.status === 'failed')
  return (
    <section aria-labelledby="bulk-title">
      <h1 id="bulk-title" className="h2 mb-4">
        {t('bulk.title', { id: a.id })}
      </h1>
      <p aria-live="polite" data-testid="bulk-state">
        {a.status === 'done' ? t('bulk.finished') : t('bulk.working')}{' '}
        {t('bulk.progress', { finished, total: a.total })}
      </p>
      <div className="progress mb-4" style={{ height: '1.25rem' }}>
        <div
          className="progress-bar"
          role="progressbar"
          aria-label={t('bulk.progressLabel')}
          aria-valuenow={percent}
          aria-valuemin={0}
          aria-valuemax={100}
          style={{ width: `${percent}%` }}
          data-testid="bulk-progress"
        >
          {percent}%
        </div>
      </div>
      <ul className="list-unstyled d-flex flex-wrap gap-4 mb-4" data-testid="bulk-counts">
        <li>
          {t('bulk.done')} <strong data-testid="bulk-done">{a.done}</strong>
        </li>
        <li>
          {t('bulk.failed')} <strong data-testid="bulk-failed">{a.failed}</strong>
        </li>
        <li>
          {t('bulk.pending')} <strong>{a.pending}</strong>
        </li>
      </ul>
      {failures.length > 0 && (
        <>
          <h2 className="h4">{t('bulk.failures')}</h2>
          <ul data-testid="bulk-failures">
            {failures.map((f) => (
              <li key={f.submissionId} className="mb-2">
                <Link to={`${base}/${f.submissionId}`}>{t('review.title', { id: f.submissionId })}</Link>: {f.message}
              </li>
            ))}
          </ul>
        </>
      )}
      <Link to={base} className="btn btn-outline-primary mt-3">
        {t('bulk.back')}
      </Link>
    </section>
  )
}
