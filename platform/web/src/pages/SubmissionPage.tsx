import { Link, useLocation, useParams } from 'react-router'
import type { SubmissionDetailDto, SubmissionWarning } from '#shared/contract'
import { useForms, useSubmission } from '../api/queries'
import { useCurrentTenant } from '../app/tenant_context'
import { formatDateTime, useT } from '../i18n'
import { StatusBadge } from '../widgets/StatusBadge'
import { LoadError, Loading } from '../widgets/status'

/** What FormPage passes along when it has just sent the application. */
export interface SentState {
  sent: 'first' | 'again'
  warnings?: SubmissionWarning[]
}

/** One page per submission: a new address is a new page, never the previous one's data. */
export function SubmissionRoute() {
  const { id = '' } = useParams()
  const tenant = useCurrentTenant()
  return <SubmissionPage key={`${tenant.slug}/${id}`} id={id} />
}

const CALLOUT: Record<SubmissionDetailDto['status'], string> = {
  draft: 'receipt-neutral',
  submitted: 'receipt-success',
  protocolled: 'receipt-success',
  accepted: 'receipt-success',
  needs_completion: 'receipt-warning',
  rejected: 'receipt-danger',
}

/**
 * The receipt of one application and what happened to it since: the title says its status (never
 * "inviata" for one that is not), the reason of a rejection or of a request to complete, and the
 * way to complete and send it again. While the protocol number is on its way, it is fetched.
 */
function SubmissionPage({ id }: { id: string }) {
  const { t, lang } = useT()
  const tenant = useCurrentTenant()
  const location = useLocation()
  const sent = (location.state as SentState | null) ?? null
  const query = useSubmission(tenant.slug, id)
  const forms = useForms(tenant.slug)
  const base = `/t/${encodeURIComponent(tenant.slug)}`

  if (query.isPending) return <Loading />
  if (query.isError) return <LoadError error={query.error} notFound={t('receipt.notFound')} />
  const s = query.data
  const formTitle = forms.data?.find((f) => f.key === s.formKey)?.title[lang]
  const reasonShown = (s.status === 'needs_completion' || s.status === 'rejected') && s.statusReason
  const warnings = sent?.warnings ?? []

  return (
    <section aria-labelledby="receipt-title" className="receipt">
      <div className={`receipt-callout ${CALLOUT[s.status]}`} data-testid="receipt-callout">
        <div className="d-flex align-items-start gap-3">
          <span className="receipt-icon" aria-hidden="true" />
          <div className="flex-grow-1">
            <h1 id="receipt-title" className="h2 mb-1" tabIndex={-1}>
              {t(`receipt.title_${s.status}`)}
            </h1>
            {formTitle && <p className="mb-2 receipt-form">{formTitle}</p>}
            {sent && (s.status === 'submitted' || s.status === 'protocolled') && (
              <p className="mb-0" data-testid="receipt-sent">
                {t(sent.sent === 'again' ? 'receipt.resentNow' : 'receipt.sentNow')}
              </p>
            )}
          </div>
        </div>
      </div>

      {warnings.length > 0 && (
        <div className="alert alert-warning mt-4" role="status" data-testid="receipt-warnings">
          <h2 className="h5">{t('receipt.warningsTitle')}</h2>
          <ul className="mb-2">
            {warnings.map((w, i) => (
              <li key={i}>{w.message}</li>
            ))}
          </ul>
          <p className="mb-0">{t('receipt.warningsText')}</p>
        </div>
      )}

      {reasonShown && (
        <div
          className={`alert ${s.status === 'rejected' ? 'alert-danger' : 'alert-warning'} mt-4`}
          data-testid="receipt-reason"
        >
          <h2 className="h5">
            {t(s.status === 'rejected' ? 'receipt.reason_rejected' : 'receipt.reason_needs_completion')}
          </h2>
          <p className="mb-0 receipt-reason-text">{s.statusReason}</p>
        </div>
      )}

      {s.status === 'needs_completion' && s.editable && (
        <p className="mt-3">
          <Link className="btn btn-primary" to={`${base}/domande/${s.id}/integra`} data-testid="complete-submission">
            {t('receipt.complete')}
          </Link>
        </p>
      )}
      {s.status === 'draft' && (
        <p className="mt-3">
          <Link className="btn btn-primary" to={`${base}/moduli/${encodeURIComponent(s.formKey)}?bozza=${s.id}`}>
            {t('receipt.resume')}
          </Link>
        </p>
      )}

      <dl className="row receipt-data mt-4">
        <dt className="col-sm-4">{t('receipt.number')}</dt>
        <dd className="col-sm-8" data-testid="receipt-id">
          {s.id}
        </dd>
        {s.childName && (
          <>
            <dt className="col-sm-4">{t('receipt.child')}</dt>
            <dd className="col-sm-8" data-testid="receipt-child">
              {s.childName}
            </dd>
          </>
        )}
        <dt className="col-sm-4">{t('receipt.status')}</dt>
        <dd className="col-sm-8">
          <StatusBadge status={s.status} testId="receipt-status" />
        </dd>
        {s.formVersion !== null && (
          <>
            <dt className="col-sm-4">{t('receipt.formVersion')}</dt>
            <dd className="col-sm-8" data-testid="receipt-form-version">
              {s.formVersion}
            </dd>
          </>
        )}
        {s.protocolNumber && (
          <>
            <dt className="col-sm-4">{t('receipt.protocol')}</dt>
            <dd className="col-sm-8" data-testid="receipt-protocol">
              {s.protocolNumber}
            </dd>
          </>
        )}
        {s.submittedAt ? (
          <>
            <dt className="col-sm-4">{t('receipt.submittedAt')}</dt>
            <dd className="col-sm-8">{formatDateTime(lang, s.submittedAt)}</dd>
          </>
        ) : (
          <>
            <dt className="col-sm-4">{t('receipt.updated')}</dt>
            <dd className="col-sm-8">{formatDateTime(lang, s.updatedAt ?? s.createdAt)}</dd>
          </>
        )}
      </dl>

      <div className="protocol-state" aria-live="polite" data-testid="protocol-state">
        {query.awaitingProtocol && (
          <p className="protocol-waiting mb-0 d-flex align-items-center gap-2">
            <span className="protocol-spinner" aria-hidden="true" />
            {t('receipt.protocolWaiting')}
          </p>
        )}
        {sent && s.protocolNumber && <p className="mb-0">{t('receipt.protocolDone', { number: s.protocolNumber })}</p>}
        {query.gaveUp && <p className="mb-0">{t('receipt.protocolLater')}</p>}
      </div>

      {s.history.length > 1 && (
        <section aria-labelledby="history-title" className="mt-4">
          <h2 id="history-title" className="h5">
            {t('receipt.history')}
          </h2>
          <ol className="receipt-history">
            {s.history.map((h, i) => (
              <li key={i}>
                <span className="me-2">{formatDateTime(lang, h.at)}</span>
                <StatusBadge status={h.to} />
                {h.reason && <span className="d-block small">{h.reason}</span>}
              </li>
            ))}
          </ol>
        </section>
      )}

      <p className="mt-4 d-flex gap-3 flex-wrap">
        {s.status !== 'draft' && (
          <a
            href={`/api/v1${base}/submissions/${s.id}/receipt?lang=${lang}`}
            target="_blank"
            rel="noopener"
            data-testid="receipt-pdf"
          >
            {t('receipt.pdf')}
          </a>
        )}
        <Link to={`${base}/domande`}>{t('submissions.title')}</Link>
        <Link to={base}>{t('app.backHome')}</Link>
      </p>
    </section>
  )
}
