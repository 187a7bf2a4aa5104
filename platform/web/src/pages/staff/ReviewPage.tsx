import { useMemo, useRef, useState } from 'react'
import { Link, useParams } from 'react-router'
import type { UiSchema } from '@rjsf/utils'
import type { SubmissionDetailDto, SubmissionStatus } from '#shared/contract'
import { formSteps } from '#shared/form_steps'
import { useSubmission } from '../../api/queries'
import { useChangeStatus, useSubmissionForm } from '../../api/staff_queries'
import { ApiRequestError, tenantBase } from '../../api/client'
import { useCurrentTenant } from '../../app/tenant_context'
import { DataSummary } from '../../forms/DataSummary'
import { localizeSchema } from '../../forms/form_support'
import { formatDateTime, useT } from '../../i18n'
import { StatusBadge } from '../../widgets/StatusBadge'
import { LoadError, Loading } from '../../widgets/status'

type Json = Record<string, unknown>
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

interface FileRef {
  fileId: string
  name: string
  type: string
}

/** Every attachment in the data, wherever the form put it (a field, a list, a nested part). */
function attachmentsIn(value: unknown, out: FileRef[] = [], depth = 0): FileRef[] {
  if (depth > 8) return out
  if (Array.isArray(value)) for (const item of value) attachmentsIn(item, out, depth + 1)
  else if (isObject(value)) {
    if (typeof value.file_id === 'string' && typeof value.file_name === 'string') {
      out.push({ fileId: value.file_id, name: value.file_name, type: String(value.content_type ?? '') })
    } else for (const v of Object.values(value)) attachmentsIn(v, out, depth + 1)
  }
  return out
}

export function ReviewRoute() {
  const { id = '' } = useParams()
  const tenant = useCurrentTenant()
  return <ReviewPage key={`${tenant.slug}/${id}`} id={id} />
}

/**
 * One application as the offices read it: status, protocol number, the data under the labels of
 * the form version it was made on, the attachments (images shown, PDFs opened in the browser,
 * both downloadable), the history, and the decision: accept, reject or ask to complete, the last
 * two with the reason the citizen will read.
 */
function ReviewPage({ id }: { id: string }) {
  const { t, lang } = useT()
  const tenant = useCurrentTenant()
  const submission = useSubmission(tenant.slug, id)
  const form = useSubmissionForm(tenant.slug, id)
  const base = `/t/${encodeURIComponent(tenant.slug)}`

  if (submission.isPending) return <Loading />
  if (submission.isError) return <LoadError error={submission.error} notFound={t('receipt.notFound')} />
  const s = submission.data
  const files = attachmentsIn(s.data)
  const fileUrl = (f: FileRef, inline: boolean) =>
    `/api/v1${tenantBase(tenant.slug)}/attachments/${encodeURIComponent(f.fileId)}${inline ? '?inline=1' : ''}`

  return (
    <section aria-labelledby="review-title" className="review">
      <p className="mb-2">
        <Link to={`${base}/ufficio/domande`}>← {t('review.back')}</Link>
      </p>
      <div className="d-flex flex-wrap align-items-center gap-3 mb-3">
        <h1 id="review-title" className="h2 mb-0">
          {t('review.title', { id: s.id })}
        </h1>
        <StatusBadge status={s.status} testId="review-status" />
      </div>

      <dl className="review-facts row mb-4">
        <div className="col-12 col-md-4">
          <dt>{t('review.protocol')}</dt>
          <dd data-testid="review-protocol">{s.protocolNumber ?? t('review.noProtocol')}</dd>
        </div>
        <div className="col-12 col-md-4">
          <dt>{t('review.sent')}</dt>
          <dd>{formatDateTime(lang, s.submittedAt)}</dd>
        </div>
        {form.data && (
          <div className="col-12 col-md-4">
            <dt>{t('inbox.form')}</dt>
            <dd data-testid="review-form-version">
              {t('review.formVersion', {
                title: form.data.title[lang] ?? form.data.title.it,
                version: form.data.version,
              })}
            </dd>
          </div>
        )}
      </dl>
      {s.onBehalf && <p className="small">{t('review.onBehalf')}</p>}
      <Warnings submission={s} />

      <Decision submission={s} />

      <section aria-labelledby="review-attachments" className="mb-4">
        <h2 id="review-attachments" className="h4">
          {t('review.attachments')}
        </h2>
        {files.length === 0 && <p>{t('review.noAttachments')}</p>}
        <ul className="list-unstyled row g-3" data-testid="review-attachments">
          {files.map((f) => (
            <li key={f.fileId} className="col-12 col-md-6">
              <div className="card card-bg h-100">
                <div className="card-body">
                  <p className="fw-semibold mb-2 text-break">{f.name}</p>
                  {/^image\/(png|jpeg|gif|webp)$/.test(f.type) && (
                    <img
                      className="review-preview mb-2"
                      src={fileUrl(f, true)}
                      alt={t('review.preview', { name: f.name })}
                    />
                  )}
                  <div className="d-flex gap-2 flex-wrap">
                    {(f.type === 'application/pdf' || f.type.startsWith('image/')) && (
                      <a
                        className="btn btn-outline-primary btn-sm"
                        href={fileUrl(f, true)}
                        target="_blank"
                        rel="noopener"
                      >
                        {t('review.open')}
                        <span className="visually-hidden"> {f.name}</span>
                      </a>
                    )}
                    <a className="btn btn-outline-primary btn-sm" href={fileUrl(f, false)} download={f.name}>
                      {t('review.download')}
                      <span className="visually-hidden"> {f.name}</span>
                    </a>
                  </div>
                </div>
              </div>
            </li>
          ))}
        </ul>
      </section>

      <section aria-labelledby="review-data" className="mb-4">
        <h2 id="review-data" className="h4">
          {t('review.data')}
        </h2>
        {form.isPending && <Loading />}
        {form.data && <FormData definition={form.data.definition} data={s.data} />}
      </section>

      <section aria-labelledby="review-history" className="mb-4">
        <h2 id="review-history" className="h4">
          {t('review.history')}
        </h2>
        <ol className="review-history" data-testid="review-history">
          {s.history.map((h, i) => (
            <li key={i}>
              <span className="fw-semibold">{t(`status.${h.to}`)}</span>
              {h.from && (
                <span className="text-secondary"> ({t('review.historyFrom', { status: t(`status.${h.from}`) })})</span>
              )}
              {' · '}
              {formatDateTime(lang, h.at)}
              {h.reason && <span className="d-block">{h.reason}</span>}
            </li>
          ))}
        </ol>
      </section>
    </section>
  )
}

function Warnings({ submission }: { submission: SubmissionDetailDto }) {
  const { t } = useT()
  const warnings = (submission as SubmissionDetailDto & { warnings?: { rule: string; message: string }[] }).warnings
  if (!warnings?.length) return null
  return (
    <div className="alert alert-warning" role="note">
      <h2 className="h5">{t('review.warnings')}</h2>
      <ul className="mb-0">
        {warnings.map((w) => (
          <li key={w.rule}>{w.message}</li>
        ))}
      </ul>
    </div>
  )
}

/** The data under the form's own labels, step by step. */
function FormData({ definition, data }: { definition: { schema: unknown; uiSchema?: Json }; data: Json }) {
  const { t, lang } = useT()
  const schema = useMemo(() => localizeSchema(definition.schema, lang), [definition, lang])
  const ui = (definition.uiSchema ?? {}) as UiSchema
  const steps = formSteps(definition.schema, ui, {
    it: t('form.allFields', { lng: 'it' }),
    en: t('form.allFields', { lng: 'en' }),
  })
  const { 'ui:steps': _steps, ...uiWithoutSteps } = ui
  return (
    <>
      {steps.map((step) => (
        <section key={step.id} className="summary-step" aria-labelledby={`review-step-${step.id}`}>
          <h3 id={`review-step-${step.id}`} className="h5 mb-2">
            {step.title[lang] ?? step.title.it}
          </h3>
          <DataSummary schema={schema} uiSchema={uiWithoutSteps} data={data} fields={step.fields} />
        </section>
      ))}
    </>
  )
}

type Move = Extract<SubmissionStatus, 'accepted' | 'rejected' | 'needs_completion'>

function Decision({ submission }: { submission: SubmissionDetailDto }) {
  const { t } = useT()
  const tenant = useCurrentTenant()
  const change = useChangeStatus(tenant.slug, String(submission.id))
  const [asking, setAsking] = useState<Exclude<Move, 'accepted'> | null>(null)
  const [reason, setReason] = useState('')
  const [missing, setMissing] = useState(false)
  const [done, setDone] = useState<Move | null>(null)
  const reasonRef = useRef<HTMLTextAreaElement>(null)

  const move = (status: Move) => {
    if (status !== 'accepted' && !reason.trim()) {
      setMissing(true)
      reasonRef.current?.focus()
      return
    }
    change.mutate(
      { status, reason: status === 'accepted' ? undefined : reason.trim() },
      {
        onSuccess: () => {
          setDone(status)
          setAsking(null)
          setReason('')
        },
      }
    )
  }
  const serverError =
    change.error instanceof ApiRequestError
      ? change.error.errors.map((e) => e.message).join(' ')
      : change.error
        ? t('app.genericError')
        : null

  let body
  if (submission.status === 'protocolled') {
    body = (
      <>
        {asking === null ? (
          <div className="d-flex flex-wrap gap-2">
            <button
              type="button"
              className="btn btn-success"
              onClick={() => move('accepted')}
              disabled={change.isPending}
            >
              {t('review.accept')}
            </button>
            <button type="button" className="btn btn-outline-primary" onClick={() => setAsking('needs_completion')}>
              {t('review.askCompletion')}
            </button>
            <button type="button" className="btn btn-outline-danger" onClick={() => setAsking('rejected')}>
              {t('review.reject')}
            </button>
          </div>
        ) : (
          <div>
            <label htmlFor="review-reason" className="form-label fw-semibold">
              {t('review.reason')}
            </label>
            <textarea
              id="review-reason"
              ref={reasonRef}
              className={`form-control ${missing ? 'is-invalid' : ''}`}
              rows={3}
              maxLength={2000}
              value={reason}
              aria-invalid={missing}
              aria-describedby={missing ? 'review-reason-error' : undefined}
              onChange={(e) => {
                setReason(e.target.value)
                setMissing(false)
              }}
              autoFocus
            />
            {missing && (
              <div id="review-reason-error" className="invalid-feedback d-block">
                {t('review.reasonRequired')}
              </div>
            )}
            <div className="d-flex flex-wrap gap-2 mt-2">
              <button
                type="button"
                className={asking === 'rejected' ? 'btn btn-danger' : 'btn btn-primary'}
                onClick={() => move(asking)}
                disabled={change.isPending}
              >
                {asking === 'rejected' ? t('review.confirmReject') : t('review.confirmCompletion')}
              </button>
              <button type="button" className="btn btn-outline-secondary" onClick={() => setAsking(null)}>
                {t('review.cancel')}
              </button>
            </div>
          </div>
        )}
      </>
    )
  } else if (submission.status === 'submitted') body = <p className="mb-0">{t('review.waitProtocol')}</p>
  else if (submission.status === 'needs_completion') body = <p className="mb-0">{t('review.waitCitizen')}</p>
  else body = <p className="mb-0">{t('review.final')}</p>

  const reasonShown =
    (submission.status === 'needs_completion' || submission.status === 'rejected') && submission.statusReason
  return (
    <section aria-labelledby="review-decision" className="card card-bg mb-4">
      <div className="card-body">
        <h2 id="review-decision" className="h4">
          {t('review.actions')}
        </h2>
        <div role="status" aria-live="polite">
          {done && (
            <p className="fw-semibold text-success" data-testid="review-done">
              {t(`review.done_${done}`)}
            </p>
          )}
        </div>
        {reasonShown && (
          <p data-testid="review-reason-shown">
            <span className="fw-semibold">{t('review.currentReason')}:</span> {submission.statusReason}
          </p>
        )}
        {serverError && (
          <p className="text-danger" role="alert">
            {serverError}
          </p>
        )}
        {body}
      </div>
    </section>
  )
}
