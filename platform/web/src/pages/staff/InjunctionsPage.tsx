import { useState, type FormEvent } from 'react'
import { ApiRequestError } from '../../api/client'
import {
  injunctionPdfUrl,
  recordFileUrl,
  useCollectionRecords,
  useCreateCollectionRecord,
  useInjunctionCandidates,
  useInjunctions,
  useIssueInjunctions,
} from '../../api/injunction_queries'
import { useCurrentTenant } from '../../app/tenant_context'
import { formatDateTime, formatDay, formatEuro, useT } from '../../i18n'
import { LoadError, Loading } from '../../widgets/status'

function errorText(error: unknown, fallback: string) {
  return error instanceof ApiRequestError ? error.errors.map((e) => e.message).join(' ') : fallback
}

/**
 * After the arrears letters: the payers still unpaid a number of days after their letter, the
 * button that issues their injunctions (protocolled and sent by the server), the injunctions
 * issued with their PDFs, and the coercive-collection records with their files.
 */
export function InjunctionsPage() {
  const { t, lang } = useT()
  const tenant = useCurrentTenant()
  // Null: the tenant's settings (billing.injunctionAfterDays, recordAfterDays) until the office names other days.
  const [days, setDays] = useState<number | null>(null)
  const [recordDays, setRecordDays] = useState<number | null>(null)
  const [message, setMessage] = useState<string | null>(null)
  const candidates = useInjunctionCandidates(tenant.slug, days, lang)
  const injunctions = useInjunctions(tenant.slug, lang)
  const records = useCollectionRecords(tenant.slug)
  const issue = useIssueInjunctions(tenant.slug)
  const makeRecord = useCreateCollectionRecord(tenant.slug)

  const readDays = (event: FormEvent<HTMLFormElement>, name: string) => {
    event.preventDefault()
    const raw = String(new FormData(event.currentTarget).get(name) ?? '').trim()
    const value = Number(raw)
    return raw !== '' && Number.isInteger(value) && value >= 0 && value <= 3650 ? value : null
  }

  const statusLabel = (status: string) =>
    status === 'paid'
      ? t('injunctions.status_paid')
      : status === 'issued'
        ? t('injunctions.status_issued')
        : t('injunctions.status_issuing')

  return (
    <section aria-labelledby="injunctions-title">
      <h1 id="injunctions-title" className="h2 mb-3">
        {t('injunctions.title')}
      </h1>
      <p>{t('injunctions.intro')}</p>
      <p aria-live="polite" data-testid="injunctions-message">
        {message}
      </p>

      <h2 className="h4 mt-4">{t('injunctions.candidatesTitle')}</h2>
      <form className="d-flex flex-wrap align-items-end gap-3 mb-3" onSubmit={(e) => setDays(readDays(e, 'days'))}>
        <div>
          <label className="form-label" htmlFor="injunction-days">
            {t('injunctions.daysAfterLetter')}
          </label>
          <input
            id="injunction-days"
            name="days"
            type="number"
            min={0}
            max={3650}
            key={days ?? candidates.data?.after_days ?? 'loading'}
            defaultValue={days ?? candidates.data?.after_days ?? ''}
            className="form-control"
          />
        </div>
        <button type="submit" className="btn btn-outline-primary">
          {t('injunctions.show')}
        </button>
      </form>
      {candidates.isPending && <Loading />}
      {candidates.isError && <LoadError error={candidates.error} />}
      {candidates.data && candidates.data.candidates.length === 0 && <p>{t('injunctions.noCandidates')}</p>}
      {candidates.data && candidates.data.candidates.length > 0 && (
        <>
          <div className="table-responsive">
            <table className="table" data-testid="injunction-candidates">
              <caption>{t('injunctions.candidatesCaption', { count: candidates.data.candidates.length })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('injunctions.payer')}</th>
                  <th scope="col">{t('injunctions.fiscalCode')}</th>
                  <th scope="col">{t('injunctions.letterDate')}</th>
                  <th scope="col">{t('injunctions.months')}</th>
                  <th scope="col" className="text-end">
                    {t('injunctions.owed')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {candidates.data.candidates.map((c) => (
                  <tr key={c.payer_user_id}>
                    <td>{c.payer_name ?? '–'}</td>
                    <td>{c.payer_fiscal_code ?? '–'}</td>
                    <td>{formatDay(c.letter_date)}</td>
                    <td>{c.positions.map((p) => p.period).join(', ')}</td>
                    <td className="text-end">{formatEuro(c.owed, lang)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <button
            type="button"
            className="btn btn-primary"
            disabled={issue.isPending}
            onClick={() =>
              issue.mutate(days === null ? {} : { after_days: days }, {
                onSuccess: (answer) => setMessage(t('injunctions.issued', { count: answer.issued })),
                onError: (error) => setMessage(errorText(error, t('app.genericError'))),
              })
            }
          >
            {t('injunctions.issue')}
          </button>
        </>
      )}

      <h2 className="h4 mt-5">{t('injunctions.issuedTitle')}</h2>
      {injunctions.isPending && <Loading />}
      {injunctions.isError && <LoadError error={injunctions.error} />}
      {injunctions.data && injunctions.data.injunctions.length === 0 && <p>{t('injunctions.noneIssued')}</p>}
      {injunctions.data && injunctions.data.injunctions.length > 0 && (
        <div className="table-responsive">
          <table className="table" data-testid="injunctions-issued">
            <caption className="visually-hidden">{t('injunctions.issuedTitle')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('injunctions.number')}</th>
                <th scope="col">{t('injunctions.payer')}</th>
                <th scope="col">{t('injunctions.protocol')}</th>
                <th scope="col">{t('injunctions.status')}</th>
                <th scope="col" className="text-end">
                  {t('injunctions.owed')}
                </th>
                <th scope="col">{t('injunctions.noticeCode')}</th>
                <th scope="col">{t('injunctions.document')}</th>
              </tr>
            </thead>
            <tbody>
              {injunctions.data.injunctions.map((i) => (
                <tr key={i.id}>
                  <td>{i.number}</td>
                  <td>{i.payer_name ?? '–'}</td>
                  <td>{i.protocol ? `${i.protocol} (${formatDay(i.protocol_date)})` : '–'}</td>
                  <td>{statusLabel(i.status)}</td>
                  <td className="text-end">{formatEuro(i.owed, lang)}</td>
                  <td data-testid="injunction-notice">{i.position?.notice_code ?? '–'}</td>
                  <td>
                    <a href={injunctionPdfUrl(tenant.slug, i.id)} target="_blank" rel="noreferrer">
                      {t('injunctions.pdf', { number: i.number })}
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <h2 className="h4 mt-5">{t('injunctions.recordsTitle')}</h2>
      <p>{t('injunctions.recordsIntro')}</p>
      <form
        className="d-flex flex-wrap align-items-end gap-3 mb-3"
        onSubmit={(e) => {
          const value = readDays(e, 'record_days')
          setRecordDays(value)
          makeRecord.mutate(value === null ? {} : { after_days: value }, {
            onSuccess: (answer) =>
              setMessage(
                answer.record
                  ? t('injunctions.recordMade', { number: answer.record.number, count: answer.record.injunctions })
                  : t('injunctions.recordNone')
              ),
            onError: (error) => setMessage(errorText(error, t('app.genericError'))),
          })
        }}
      >
        <div>
          <label className="form-label" htmlFor="record-days">
            {t('injunctions.daysAfterInjunction')}
          </label>
          <input
            id="record-days"
            name="record_days"
            type="number"
            min={0}
            max={3650}
            defaultValue={recordDays ?? ''}
            placeholder={t('injunctions.tenantDays')}
            className="form-control"
          />
        </div>
        <button type="submit" className="btn btn-primary" disabled={makeRecord.isPending}>
          {t('injunctions.makeRecord')}
        </button>
      </form>
      {records.isPending && <Loading />}
      {records.isError && <LoadError error={records.error} />}
      {records.data && records.data.records.length > 0 && (
        <div className="table-responsive">
          <table className="table" data-testid="collection-records">
            <caption className="visually-hidden">{t('injunctions.recordsTitle')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('injunctions.number')}</th>
                <th scope="col">{t('injunctions.madeOn')}</th>
                <th scope="col">{t('injunctions.count')}</th>
                <th scope="col" className="text-end">
                  {t('injunctions.total')}
                </th>
                <th scope="col">{t('injunctions.files')}</th>
              </tr>
            </thead>
            <tbody>
              {records.data.records.map((r) => (
                <tr key={r.id}>
                  <td>{r.number}</td>
                  <td>{formatDateTime(lang, r.created_at)}</td>
                  <td>{r.injunctions}</td>
                  <td className="text-end">{formatEuro(r.total, lang)}</td>
                  <td className="d-flex gap-3">
                    <a href={recordFileUrl(tenant.slug, r.id, 'txt')}>
                      {t('injunctions.fileTxt', { number: r.number })}
                    </a>
                    <a href={recordFileUrl(tenant.slug, r.id, 'csv')}>
                      {t('injunctions.fileCsv', { number: r.number })}
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}
