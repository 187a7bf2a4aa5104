import { useState, type FormEvent } from 'react'
import { Link, useParams } from 'react-router'
import type { EnrolmentDetailDto } from '#shared/contract'
import { useEnrolment } from '../../api/queries'
import { useOverrideFee, useWithdrawEnrolment } from '../../api/staff_queries'
import { ApiRequestError } from '../../api/client'
import { useCurrentTenant } from '../../app/tenant_context'
import { feeText, formatDateTime, formatDay, formatEuro, useT } from '../../i18n'
import { LoadError, Loading } from '../../widgets/status'
import { childLabel } from './RegisterPage'
import { DocumentsSection } from './DocumentsSection'

export function RegisterEntryRoute() {
  const { id = '' } = useParams()
  const tenant = useCurrentTenant()
  return <RegisterEntryPage key={`${tenant.slug}/${id}`} id={id} />
}

/**
 * One enrolled child as the offices read it: the record, the computed fee with the rules
 * engine's whole trace, and the fee set by hand (who, when, why), which the operator can set or
 * take back with a reason.
 */
function RegisterEntryPage({ id }: { id: string }) {
  const { t, lang } = useT()
  const tenant = useCurrentTenant()
  const query = useEnrolment(tenant.slug, id, lang)
  const base = `/t/${encodeURIComponent(tenant.slug)}`
  if (query.isPending) return <Loading />
  if (query.isError) return <LoadError error={query.error} notFound={t('enrolments.notFound')} />
  const e = query.data
  const tariff = e.tariff
  return (
    <section aria-labelledby="entry-title">
      <p className="mb-2">
        <Link to={`${base}/ufficio/iscritti`}>← {t('register.back')}</Link>
      </p>
      <h1 id="entry-title" className="h2 mb-3">
        {childLabel(e)}
      </h1>
      <dl className="row mb-4">
        <dt className="col-sm-4">{t('register.service')}</dt>
        <dd className="col-sm-8">{e.serviceName}</dd>
        <dt className="col-sm-4">{t('register.schoolYear')}</dt>
        <dd className="col-sm-8">{e.schoolYear}</dd>
        <dt className="col-sm-4">{t('register.school')}</dt>
        <dd className="col-sm-8">
          {[e.school.name ?? e.school.id, e.school.section].filter(Boolean).join(' · ') || '–'}
        </dd>
        {e.child.fiscalCode && (
          <>
            <dt className="col-sm-4">{t('enrolments.fiscalCode')}</dt>
            <dd className="col-sm-8">{e.child.fiscalCode}</dd>
          </>
        )}
        <dt className="col-sm-4">{t('register.isee')}</dt>
        <dd className="col-sm-8">
          {e.isee?.presented && e.isee.value ? formatEuro(e.isee.value, lang) : t('register.iseeNone')}
        </dd>
        <dt className="col-sm-4">{t('register.status')}</dt>
        <dd className="col-sm-8">{t(`register.status_${e.status}`)}</dd>
        <dt className="col-sm-4">{t('register.applicationRow')}</dt>
        <dd className="col-sm-8">
          <Link to={`${base}/ufficio/domande/${e.submissionId}`}>
            {t('register.application', { id: e.submissionId })}
          </Link>
        </dd>
      </dl>

      {e.child.fiscalCode && <DocumentsSection subject={{ enrolment_id: e.id }} />}

      <section aria-labelledby="entry-computed" className="mb-4">
        <h2 id="entry-computed" className="h4">
          {t('register.computed')}
        </h2>
        <p className="fs-5 fw-semibold mb-1" data-testid="entry-computed">
          {tariff.amount
            ? feeText(tariff.amount, tariff.unit ?? null, lang)
            : (tariff.missingText ?? t('register.noFee'))}
        </p>
        {tariff.summary?.text && <p>{tariff.summary.text}</p>}
        {tariff.ruleset && (
          <p className="small text-secondary">
            {t('register.computedBy', {
              title: tariff.title ?? tariff.ruleset,
              version: tariff.version ?? '–',
              at: formatDay(tariff.at),
            })}
          </p>
        )}
        {tariff.trace.length > 0 && (
          <details>
            <summary>{t('register.trace')}</summary>
            <div className="table-responsive">
              <table className="table table-sm" data-testid="entry-trace">
                <caption className="visually-hidden">{t('register.trace')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('register.step')}</th>
                    <th scope="col">{t('register.explanation')}</th>
                    <th scope="col">{t('register.source')}</th>
                  </tr>
                </thead>
                <tbody>
                  {tariff.trace.map((step, i) => (
                    <tr key={i}>
                      <td>{step.step}</td>
                      <td>{step.message}</td>
                      <td>{step.source ?? '–'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        )}
      </section>

      <Override enrolment={e} />
      <Withdrawal enrolment={e} />
    </section>
  )
}

const AMOUNT = /^\d{1,6}([.,]\d{1,2})?$/

function Override({ enrolment }: { enrolment: EnrolmentDetailDto }) {
  const { t, lang } = useT()
  const tenant = useCurrentTenant()
  const save = useOverrideFee(tenant.slug, String(enrolment.id))
  const [problems, setProblems] = useState<{ amount?: string; reason?: string }>({})
  const [done, setDone] = useState<'saved' | 'cleared' | null>(null)
  const current = enrolment.tariff.override

  const send = (event: FormEvent<HTMLFormElement>, clear: boolean) => {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    const amount = String(form.get('amount') ?? '').trim()
    const reason = String(form.get('reason') ?? '').trim()
    const found: { amount?: string; reason?: string } = {}
    if (!clear && !AMOUNT.test(amount)) found.amount = t('register.overrideAmountError')
    if (!reason) found.reason = t('register.overrideReasonError')
    setProblems(found)
    setDone(null)
    if (found.amount || found.reason) {
      document.getElementById(found.amount ? 'override-amount' : 'override-reason')?.focus()
      return
    }
    const target = event.currentTarget
    save.mutate(
      { amount: clear ? null : amount.replace(',', '.'), reason },
      {
        onSuccess: () => {
          setDone(clear ? 'cleared' : 'saved')
          target.reset()
        },
      }
    )
  }
  const serverError =
    save.error instanceof ApiRequestError
      ? save.error.errors.map((e) => e.message).join(' ')
      : save.error
        ? t('app.genericError')
        : null

  return (
    <section aria-labelledby="entry-override" className="card card-bg mb-4">
      <div className="card-body">
        <h2 id="entry-override" className="h4">
          {t('register.override')}
        </h2>
        {current ? (
          <div data-testid="entry-override">
            <p className="fs-5 fw-semibold mb-1">{formatEuro(current.amount, lang)}</p>
            {current.byName && (
              <p className="mb-1 small">
                {t('register.overrideBy', { name: current.byName, at: formatDateTime(lang, current.at) })}
              </p>
            )}
            {current.reason && (
              <p>
                <span className="fw-semibold">{t('register.overrideReason')}:</span> {current.reason}
              </p>
            )}
          </div>
        ) : (
          <p data-testid="entry-override-none">{t('register.overrideNone')}</p>
        )}
        <div role="status" aria-live="polite">
          {done && (
            <p className="text-success fw-semibold" data-testid="override-done">
              {done === 'saved' ? t('register.overrideSaved') : t('register.overrideCleared')}
            </p>
          )}
        </div>
        {serverError && (
          <p className="text-danger" role="alert">
            {serverError}
          </p>
        )}
        <form
          onSubmit={(e) => {
            const submitter = (e.nativeEvent as SubmitEvent).submitter as HTMLButtonElement | null
            send(e, submitter?.value === 'clear')
          }}
          noValidate
        >
          <h3 className="h5 mt-3">{t('register.overrideTitle')}</h3>
          <div className="row g-3">
            <div className="col-12 col-md-4">
              <label htmlFor="override-amount" className="form-label">
                {t('register.overrideAmount')}
              </label>
              <input
                id="override-amount"
                name="amount"
                type="text"
                inputMode="decimal"
                className={`form-control ${problems.amount ? 'is-invalid' : ''}`}
                aria-invalid={Boolean(problems.amount)}
                aria-describedby={problems.amount ? 'override-amount-error' : 'override-amount-hint'}
                maxLength={10}
              />
              {problems.amount ? (
                <div id="override-amount-error" className="invalid-feedback d-block">
                  {problems.amount}
                </div>
              ) : (
                <small id="override-amount-hint" className="form-text">
                  {t('register.overrideAmountHint')}
                </small>
              )}
            </div>
            <div className="col-12 col-md-8">
              <label htmlFor="override-reason" className="form-label">
                {t('register.overrideReason')}
              </label>
              <textarea
                id="override-reason"
                name="reason"
                rows={2}
                maxLength={500}
                className={`form-control ${problems.reason ? 'is-invalid' : ''}`}
                aria-invalid={Boolean(problems.reason)}
                aria-describedby={problems.reason ? 'override-reason-error' : 'override-reason-hint'}
              />
              {problems.reason ? (
                <div id="override-reason-error" className="invalid-feedback d-block">
                  {problems.reason}
                </div>
              ) : (
                <small id="override-reason-hint" className="form-text">
                  {t('register.overrideReasonHint')}
                </small>
              )}
            </div>
          </div>
          <div className="d-flex flex-wrap gap-2 mt-3">
            <button type="submit" value="set" className="btn btn-primary" disabled={save.isPending}>
              {t('register.overrideSave')}
            </button>
            {current && (
              <button type="submit" value="clear" className="btn btn-outline-primary" disabled={save.isPending}>
                {t('register.overrideClear')}
              </button>
            )}
          </div>
        </form>
      </div>
    </section>
  )
}

/**
 * The withdrawal: who, from when and why once done; before, the form to withdraw the child from a
 * day of the school year (billing charges the months begun before it).
 */
function Withdrawal({ enrolment }: { enrolment: EnrolmentDetailDto }) {
  const { t } = useT()
  const tenant = useCurrentTenant()
  const withdraw = useWithdrawEnrolment(tenant.slug, String(enrolment.id))
  const [problems, setProblems] = useState<{ from?: string; reason?: string }>({})
  const start = Number(enrolment.schoolYear.slice(0, 4))
  const range = { min: `${start}-09-01`, max: `${start + 1}-08-31` }
  const serverErrors = withdraw.error instanceof ApiRequestError ? withdraw.error.errors : []
  const fieldError = (name: 'from' | 'reason') =>
    problems[name] ?? serverErrors.find((e) => e.path === `/${name}`)?.message
  const otherError = withdraw.error
    ? serverErrors
        .filter((e) => e.path !== '/from' && e.path !== '/reason')
        .map((e) => e.message)
        .join(' ') || (serverErrors.length ? null : t('app.genericError'))
    : null

  const send = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    const from = String(form.get('from') ?? '')
    const reason = String(form.get('reason') ?? '').trim()
    const found: { from?: string; reason?: string } = {}
    if (!from || from < range.min || from > range.max) {
      found.from = t('register.withdrawFromError', { first: formatDay(range.min), last: formatDay(range.max) })
    }
    if (!reason) found.reason = t('register.withdrawReasonError')
    setProblems(found)
    if (found.from || found.reason) {
      document.getElementById(found.from ? 'withdraw-from' : 'withdraw-reason')?.focus()
      return
    }
    withdraw.mutate({ from, reason })
  }

  if (enrolment.status === 'withdrawn') {
    const w = enrolment.withdrawal
    return (
      <section aria-labelledby="entry-withdrawal" className="card card-bg mb-4" data-testid="entry-withdrawal">
        <div className="card-body">
          <h2 id="entry-withdrawal" className="h4">
            {t('register.withdrawal')}
          </h2>
          <p className="mb-1">
            {t('register.withdrawnFrom', { day: formatDay(w?.from ?? enrolment.withdrawnFrom ?? null) })}
            {w?.byName && ` — ${t('register.withdrawnBy', { name: w.byName })}`}
          </p>
          {w?.reason && (
            <p className="mb-0">
              <span className="fw-semibold">{t('register.overrideReason')}:</span> {w.reason}
            </p>
          )}
        </div>
      </section>
    )
  }
  if (enrolment.status !== 'active') return null
  return (
    <section aria-labelledby="entry-withdraw" className="card card-bg mb-4">
      <div className="card-body">
        <h2 id="entry-withdraw" className="h4">
          {t('register.withdrawTitle')}
        </h2>
        <p>{t('register.withdrawText')}</p>
        <form onSubmit={send} noValidate>
          <div className="mb-3">
            <label htmlFor="withdraw-from" className="form-label">
              {t('register.withdrawFrom')}
            </label>
            <input
              id="withdraw-from"
              name="from"
              type="date"
              className={`form-control ${fieldError('from') ? 'is-invalid' : ''}`}
              min={range.min}
              max={range.max}
              aria-invalid={Boolean(fieldError('from'))}
              aria-describedby={fieldError('from') ? 'withdraw-from-error' : undefined}
            />
            {fieldError('from') && (
              <div id="withdraw-from-error" className="invalid-feedback d-block">
                {fieldError('from')}
              </div>
            )}
          </div>
          <div className="mb-3">
            <label htmlFor="withdraw-reason" className="form-label">
              {t('register.withdrawReason')}
            </label>
            <textarea
              id="withdraw-reason"
              name="reason"
              rows={2}
              maxLength={2000}
              className={`form-control ${fieldError('reason') ? 'is-invalid' : ''}`}
              aria-invalid={Boolean(fieldError('reason'))}
              aria-describedby={fieldError('reason') ? 'withdraw-reason-error' : undefined}
            />
            {fieldError('reason') && (
              <div id="withdraw-reason-error" className="invalid-feedback d-block">
                {fieldError('reason')}
              </div>
            )}
          </div>
          {otherError && (
            <p className="text-danger" role="alert">
              {otherError}
            </p>
          )}
          <button type="submit" className="btn btn-outline-danger" disabled={withdraw.isPending}>
            {t('register.withdrawSave')}
          </button>
        </form>
      </div>
    </section>
  )
}
