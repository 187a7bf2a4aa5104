import { useEffect, useState } from 'react'
import { useProtocolNumber } from '../widgets/protocol_polling'
import { Badge } from 'design-react-kit'
import { api, type FormSummary, type Submission } from '../api'
import { formatDate, statusLabel, useT } from '../i18n'

export function SubmissionsPage({ tenant }: { tenant: string }) {
  const { t, lang } = useT()
  const [rows, setRows] = useState<Submission[] | null>(null)
  const [titles, setTitles] = useState<Map<string, FormSummary['title']>>(new Map())
  const [failed, setFailed] = useState(false)

  useEffect(() => {
    const base = `/t/${encodeURIComponent(tenant)}`
    api<{ submissions: Submission[] }>('GET', `${base}/submissions`)
      .then((r) => setRows(r.submissions))
      .catch(() => setFailed(true))
    // Titles are a nicety: without them the list shows the form keys.
    api<{ forms: FormSummary[] }>('GET', `${base}/forms`)
      .then((r) => setTitles(new Map(r.forms.map((f) => [f.key, f.title]))))
      .catch(() => {})
  }, [tenant])

  return (
    <>
      <h1 className="h2 mb-4">{t('myApplications')}</h1>
      {failed && <p>{t('genericError')}</p>}
      {!rows && !failed && <p role="status">{t('loading')}</p>}
      {rows && rows.length === 0 && <p>{t('noApplications')}</p>}
      {rows && rows.length > 0 && (
        <div className="table-responsive">
          <table className="table">
            <caption className="visually-hidden">{t('myApplications')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('form')}</th>
                <th scope="col">{t('status')}</th>
                <th scope="col">{t('protocol')}</th>
                <th scope="col">{t('updated')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((s) => {
                const title = titles.get(s.formKey)?.[lang] ?? s.formKey
                return (
                  <tr key={s.id}>
                    <td>
                      {/* The form is the link, first, so that it stays in view on a narrow screen. */}
                      {s.status === 'draft' ? (
                        <a href={`#/t/${tenant}/moduli/${encodeURIComponent(s.formKey)}?bozza=${s.id}`}>
                          {title}
                          <span className="d-block small">{t('resume')}</span>
                        </a>
                      ) : (
                        <a href={`#/t/${tenant}/domande/${s.id}`}>{title}</a>
                      )}
                      <span className="d-block small text-secondary">
                        {t('receiptNumber')} {s.id}
                      </span>
                    </td>
                    <td>
                      <Badge color={s.status === 'draft' ? 'secondary' : 'primary'}>
                        {statusLabel(lang, s.status)}
                      </Badge>
                    </td>
                    <td>{s.protocolNumber ?? '–'}</td>
                    <td>{formatDate(lang, s.updatedAt ?? s.createdAt)}</td>
                  </tr>
                )
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  )
}

/** Receipt of one submission: what the citizen keeps after sending. */
export function Receipt({ submission: initial, tenant }: { submission: Submission; tenant: string }) {
  const { t, lang } = useT()
  // Protocol registration runs after the answer: the number is fetched until it arrives.
  const { submission, waiting, gaveUp } = useProtocolNumber(initial, tenant)
  return (
    <section aria-labelledby="receipt-title" className="receipt">
      <div className="callout success">
        <h1 id="receipt-title" className="h2" tabIndex={-1}>
          {submission.status === 'draft' ? statusLabel(lang, 'draft') : t('receiptTitle')}
        </h1>
        <dl className="row mb-0">
          <dt className="col-sm-4">{t('receiptNumber')}</dt>
          <dd className="col-sm-8" data-testid="receipt-id">
            {submission.id}
          </dd>
          <dt className="col-sm-4">{t('status')}</dt>
          <dd className="col-sm-8" data-testid="receipt-status">
            {statusLabel(lang, submission.status)}
          </dd>
          {submission.protocolNumber && (
            <>
              <dt className="col-sm-4">{t('protocol')}</dt>
              <dd className="col-sm-8" data-testid="receipt-protocol">
                {submission.protocolNumber}
              </dd>
            </>
          )}
          <dt className="col-sm-4">{t('updated')}</dt>
          <dd className="col-sm-8">
            {formatDate(lang, submission.submittedAt ?? submission.updatedAt ?? submission.createdAt)}
          </dd>
        </dl>
        <div className="protocol-state" aria-live="polite" data-testid="protocol-state">
          {waiting && (
            <p className="protocol-waiting mt-3 mb-0 d-flex align-items-center gap-2">
              <span className="protocol-spinner" aria-hidden="true" />
              {t('protocolWaiting')}
            </p>
          )}
          {!waiting && !initial.protocolNumber && submission.protocolNumber && (
            <p className="mt-3 mb-0">
              {t('protocolDone')} {submission.protocolNumber}.
            </p>
          )}
          {gaveUp && <p className="mt-3 mb-0">{t('protocolLater')}</p>}
        </div>
      </div>
      <p className="mt-4 d-flex gap-3 flex-wrap">
        {submission.status !== 'draft' && (
          <a
            href={`/api/v1/t/${encodeURIComponent(tenant)}/submissions/${submission.id}/receipt?lang=${lang}`}
            target="_blank"
            rel="noopener"
            data-testid="receipt-pdf"
          >
            {t('receiptPdf')}
          </a>
        )}
        <a href={`#/t/${tenant}/domande`}>{t('myApplications')}</a>
        <a href="#/">{t('backHome')}</a>
      </p>
    </section>
  )
}

export function SubmissionPage({ tenant, id }: { tenant: string; id: string }) {
  const { t } = useT()
  const [submission, setSubmission] = useState<Submission | null>(null)
  const [failed, setFailed] = useState(false)
  useEffect(() => {
    api<{ submission: Submission }>('GET', `/t/${encodeURIComponent(tenant)}/submissions/${encodeURIComponent(id)}`)
      .then((r) => setSubmission(r.submission))
      .catch(() => setFailed(true))
  }, [tenant, id])
  if (failed) return <p>{t('genericError')}</p>
  if (!submission) return <p role="status">{t('loading')}</p>
  return <Receipt submission={submission} tenant={tenant} />
}
