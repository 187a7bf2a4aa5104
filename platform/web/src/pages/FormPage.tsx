import { useEffect, useMemo, useRef, useState } from 'react'
import { Link, useNavigate, useParams, useSearchParams } from 'react-router'
import Form from '@rjsf/core'
import type { RJSFSchema, UiSchema } from '@rjsf/utils'
import { customizeValidator } from '@rjsf/validator-ajv8'
import Ajv2020 from 'ajv/dist/2020.js'
import { tariffFacts } from '#forms/tariff_preview'
import { FORM_STATE_BEHAVIOR } from '#shared/form_state'
import { normaliseFormData } from '#shared/normalise'
import type { FormDefinition } from '#forms/types'
import type { ApiError, CounterCitizenDto, EnrolmentWindowDto, SubmissionDetailDto } from '#shared/contract'
import { formSteps, type FormStep } from '#shared/form_steps'
import { fieldRuleErrors } from '#forms/validator'
import { ApiRequestError } from '../api/client'
import {
  useApplicantFacts,
  useCatalogLists,
  useFee,
  useFormDefinition,
  useSaveSubmission,
  useSubmission,
} from '../api/queries'
import { useCurrentTenant } from '../app/tenant_context'
import { useT, windowLabel } from '../i18n'
import {
  applyVisibility,
  firingBlocchi,
  isVisible,
  localizeSchema,
  onlyFields,
  rjsfTranslator,
  toErrorSchema,
  visibleData,
  withAttachmentFields,
  type Blocco,
  type Message,
} from '../forms/form_support'
import { DataSummary } from '../forms/DataSummary'
import { ErrorSummary, summaryLines, type SummaryLine } from '../forms/ErrorSummary'
import { accessibleTemplates } from '../widgets/templates'
import { TariffPdfButton } from '../widgets/TariffPdfButton'
import { withCatalogSelects } from '../widgets/CatalogSelect'
import { portalWidgets } from '../widgets/CodiceFiscaleWidget'
import { bandLabel, FeeAmount, feeView } from '../widgets/Fee'
import { LoadError, Loading, Problem } from '../widgets/status'
import type { SentState } from './SubmissionPage'

/**
 * RJSF only needs the validator to resolve `if`/`then` branches: the server validates for real,
 * so the project's own formats are accepted as they are here.
 */
export const formValidator = customizeValidator({
  AjvClass: Ajv2020 as never,
  customFormats: { 'codice-fiscale': /.*/, 'iban': /.*/ },
})

type Data = Record<string, unknown>

/**
 * The form of an address: `moduli/:formKey` (new, or `?bozza=<id>` to resume a draft) and
 * `domande/:id/integra` (an application sent back for completion). Each address is its own page:
 * going from one application to another never shows the first one's data.
 */
export function FormRoute() {
  const { formKey, id } = useParams()
  const [search] = useSearchParams()
  const tenant = useCurrentTenant()
  const submissionId = id ?? search.get('bozza') ?? undefined
  return (
    <FormLoader
      key={`${tenant.slug}/${formKey ?? ''}/${submissionId ?? ''}`}
      formKey={formKey}
      submissionId={submissionId}
      completing={id !== undefined}
    />
  )
}

export function FormLoader({
  formKey,
  submissionId,
  completing,
  onBehalfOf,
}: {
  formKey?: string
  submissionId?: string
  completing: boolean
  /** At the counter: the citizen an operator files for (procura), with the same form. */
  onBehalfOf?: CounterCitizenDto
}) {
  const { t } = useT()
  const tenant = useCurrentTenant()
  const submission = useSubmission(tenant.slug, submissionId)
  const key = formKey ?? submission.data?.formKey ?? ''
  const form = useFormDefinition(tenant.slug, key)
  const lists = useCatalogLists(tenant.slug)
  if (submissionId && submission.isError) return <LoadError error={submission.error} notFound={t('receipt.notFound')} />
  if (submissionId && submission.isPending) return <Loading />
  if (!key || form.isPending || lists.isPending) return <Loading />
  if (form.isError) return <LoadError error={form.error} />
  const existing = submission.data ?? null
  if (existing && (!existing.editable || (completing && existing.status !== 'needs_completion'))) {
    return <Problem>{t('form.notEditable')}</Problem>
  }
  return (
    <FormEditor
      formKey={key}
      definition={form.data.form.definition}
      window={form.data.form.enrolment ?? null}
      existing={existing}
      catalogLists={lists.data ?? NO_LISTS}
      onBehalfOf={onBehalfOf}
    />
  )
}

/** Without the tenant's lists (the request failed), list fields stay free text. */
const NO_LISTS: ReadonlySet<string> = new Set()

function FormEditor({
  formKey,
  definition,
  window: callWindow,
  existing,
  catalogLists,
  onBehalfOf,
}: {
  formKey: string
  definition: FormDefinition
  window: EnrolmentWindowDto | null
  existing: SubmissionDetailDto | null
  onBehalfOf?: CounterCitizenDto
  /** The sources kept as lists in the tenant's catalog (declared by the services' plugins). */
  catalogLists: ReadonlySet<string>
}) {
  const { t, lang } = useT()
  const tenant = useCurrentTenant()
  const navigate = useNavigate()
  const save = useSaveSubmission(tenant.slug)
  const [data, setData] = useState<Data>(existing?.data ?? {})
  const [sid, setSid] = useState<number | null>(existing?.id ?? null)
  const [serverErrors, setServerErrors] = useState<ApiError[]>([])
  const [notice, setNotice] = useState<string | null>(null)
  const [step, setStep] = useState(0)
  // Steps the citizen has been on: what still blocks there is counted in the list of steps.
  const [seen, setSeen] = useState<ReadonlySet<string>>(new Set())
  const [triedToSend, setTriedToSend] = useState(false)
  const summaryRef = useRef<HTMLDivElement>(null)
  const stepTitleRef = useRef<HTMLHeadingElement>(null)
  const moved = useRef(false)
  const base = `/t/${encodeURIComponent(tenant.slug)}`
  const completing = existing?.status === 'needs_completion'

  const title = definition.title[lang] ?? definition.title.it
  const schema = useMemo(() => localizeSchema(definition.schema, lang) as RJSFSchema, [definition, lang])
  const named = definition.conditions
  const baseUi = (definition.uiSchema ?? {}) as UiSchema
  const steps = useMemo(
    () =>
      formSteps(definition.schema, baseUi, {
        it: t('form.allFields', { lng: 'it' }),
        en: t('form.allFields', { lng: 'en' }),
      }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [definition]
  )
  const allFields = useMemo(() => steps.flatMap((s) => s.fields), [steps])
  // The steps with something to fill for these data (a step whose every field is hidden is skipped).
  const shown = steps.filter((s) => s.fields.some((f) => isVisible(baseUi, f, data, named)))
  const total = shown.length + 1
  const current = Math.min(step, total - 1)
  const onSummary = current === total - 1
  const currentStep = onSummary ? null : shown[current]

  const fullUi = useMemo(
    () =>
      applyVisibility(
        withCatalogSelects(withAttachmentFields(baseUi, definition), data, tenant.slug, catalogLists),
        data,
        named
      ),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [definition, data, named, tenant.slug, catalogLists]
  )
  const { 'ui:steps': _steps, ...uiWithoutSteps } = fullUi
  const stepUi = currentStep ? onlyFields(uiWithoutSteps, allFields, currentStep.fields) : uiWithoutSteps
  // What the server will receive: BLOCCO rules, the fee and the requests all work on it. It is
  // what the server stores: codici fiscali in capitals, IBANs without spaces.
  const sent = useMemo(
    () => normaliseFormData(definition.schema, visibleData(baseUi, data, named)),
    [definition, baseUi, data, named]
  )
  const applicantFacts = useApplicantFacts(tenant.slug, formKey, onBehalfOf?.id, lang).data ?? null
  const blocchi: Message[] = useMemo(
    () => firingBlocchi((definition.blocchi ?? []) as unknown as Blocco[], sent, lang, named, applicantFacts),
    [definition, sent, lang, named, applicantFacts]
  )
  // The rules every field obeys (no control characters, plausible dates), checked here by the
  // server's own code so that the message sits at the field before sending.
  const fieldErrors: Message[] = useMemo(
    () => (definition ? fieldRuleErrors(definition, sent, lang) : []),
    [definition, sent, lang]
  )
  // Server errors stay until the field they point at changes or the form is sent again.
  const extraErrors = useMemo(
    () =>
      toErrorSchema([
        ...blocchi,
        ...fieldErrors,
        ...serverErrors.map((e) => ({ path: e.path ?? '', message: e.message })),
      ]),
    [blocchi, fieldErrors, serverErrors]
  )
  const lines = useMemo(() => summaryLines(serverErrors, schema, allFields), [serverErrors, schema, allFields])
  const fee = useFee(tenant.slug, tariffFacts(definition, sent), lang)

  const problemsOn = (s: FormStep) =>
    lines.filter((l) => l.top && s.fields.includes(l.top)).length +
    (triedToSend || seen.has(s.id) ? blocchi.filter((b) => s.fields.includes(b.path.split('/')[1] ?? '')).length : 0)

  const goTo = (index: number) => {
    if (currentStep) setSeen((before) => new Set([...before, currentStep.id]))
    moved.current = true
    setStep(index)
    setNotice(null)
  }

  // A new step: its heading takes the focus (screen readers announce it) and the page starts at it.
  useEffect(() => {
    if (!moved.current) return
    moved.current = false
    stepTitleRef.current?.focus({ preventScroll: true })
    stepTitleRef.current?.scrollIntoView({ block: 'start', behavior: 'instant' })
  }, [current])

  // Move focus to the error summary once it is on screen, so screen readers announce what to fix.
  useEffect(() => {
    if (serverErrors.length === 0) return
    summaryRef.current?.focus()
    summaryRef.current?.scrollIntoView({ block: 'start', behavior: 'instant' })
  }, [serverErrors])

  /** From the error summary to the field: its step first, then the field itself. */
  const goToField = (line: SummaryLine) => {
    const index = shown.findIndex((s) => line.top !== null && s.fields.includes(line.top))
    if (index >= 0 && index !== current) setStep(index)
    // The step renders first; then the field exists and takes the focus.
    setTimeout(() => {
      const id = line.id ?? ''
      // The field's own input, or the first input inside it (a group, an upload, a list).
      const target =
        document.getElementById(id) ??
        document.querySelector<HTMLElement>(
          `:is(input, select, textarea)[id^="${id}_"], :is(input, select, textarea)[id^="${id}__"]`
        )
      target?.scrollIntoView({ block: 'center' })
      target?.focus()
    }, 0)
  }

  const showErrors = (error: unknown) => {
    setServerErrors(error instanceof ApiRequestError ? error.errors : [{ message: t('app.genericError') }])
  }

  const saveDraft = () => {
    setNotice(null)
    save.mutate(
      { mode: 'draft', formKey, id: sid, data: sent, applicantUserId: onBehalfOf?.id },
      {
        onSuccess: (answer) => {
          setSid(answer.submission.id)
          setServerErrors([])
          setNotice(t('form.draftSaved'))
        },
        onError: showErrors,
      }
    )
  }

  const send = () => {
    setNotice(null)
    setTriedToSend(true)
    save.mutate(
      { mode: 'submit', formKey, id: sid, data: sent, applicantUserId: onBehalfOf?.id },
      {
        onSuccess: (answer) => {
          if (onBehalfOf) {
            // Filed at the counter: the operator goes on with the application as the offices see it.
            navigate(`${base}/ufficio/domande/${answer.submission.id}`)
            window.scrollTo(0, 0)
            return
          }
          const state: SentState = { sent: completing ? 'again' : 'first', warnings: answer.warnings ?? [] }
          navigate(`${base}/domande/${answer.submission.id}`, { state })
          window.scrollTo(0, 0)
        },
        onError: showErrors,
      }
    )
  }

  // A call that is not open shows why instead of a form that could not be sent (drafts included).
  // A request to complete is answered whatever the dates: that application was sent in time.
  // At the counter the offices may take it late (the server records it as such).
  const late = Boolean(onBehalfOf && callWindow && !callWindow.open && !completing)
  if (callWindow && !callWindow.open && !completing && !onBehalfOf) {
    const closed = callWindow.state === 'closed'
    const label = windowLabel(t, callWindow)
    return (
      <div className="row">
        <div className="col-12 col-lg-8">
          <h1 className="h2 mb-4">{title}</h1>
          <div className="alert alert-warning" role="status" data-testid="enrolment-closed">
            <h2 className="h5">{t(closed ? 'window.closedTitle' : 'window.notOpenTitle')}</h2>
            {label && <p className="fw-semibold">{label}</p>}
            <p className="mb-0">{t(closed ? 'window.closedText' : 'window.notOpenText')}</p>
          </div>
          <Link to={base}>{t('app.backHome')}</Link>
        </div>
      </div>
    )
  }

  const stepTitle = currentStep ? (currentStep.title[lang] ?? currentStep.title.it) : t('form.summaryTitle')
  const percent = Math.round(((current + 1) / total) * 100)
  const view = fee.data ? feeView(fee.data) : null
  const hasFee = definition.tariff_preview !== undefined

  return (
    <div className="row form-layout">
      <div className="col-12 col-lg-8">
        <h1 className="h2 mb-3">{title}</h1>
        {onBehalfOf && (
          <div className="alert alert-info" data-testid="on-behalf">
            <p className="mb-0">
              {t('counter.fillingFor', { name: onBehalfOf.fullName, code: onBehalfOf.fiscalCode ?? '' })}
            </p>
          </div>
        )}
        {late && (
          <div className="alert alert-warning" data-testid="late-filing">
            <p className="mb-0">{t('counter.late', { when: windowLabel(t, callWindow!) ?? '' })}</p>
          </div>
        )}
        {completing && existing?.statusReason && (
          <div className="alert alert-warning" data-testid="completion-reason">
            <h2 className="h5">{t('form.completingTitle')}</h2>
            <p className="mb-1 fw-semibold">{existing.statusReason}</p>
            <p className="mb-0">{t('form.completingText')}</p>
          </div>
        )}
        {applicantFacts?.blocco_debiti && applicantFacts.debito_scaduto_cents > 0 && (
          <div className="alert alert-danger" data-testid="debt-block">
            <h2 className="h5">{t('form.debtTitle')}</h2>
            <p className={onBehalfOf ? 'mb-0' : 'mb-1'}>
              {t('form.debtText', { amount: applicantFacts.debito_scaduto })}
            </p>
            {!onBehalfOf && (
              <p className="mb-0">
                <Link to={`${base}/pagamenti`}>{t('form.debtPay')}</Link>
              </p>
            )}
          </div>
        )}
        {lines.length > 0 && (
          <ErrorSummary ref={summaryRef} lines={lines} onGo={goToField} enrolmentsHref={`${base}/iscritti`} />
        )}

        <nav className="form-steps mb-4" aria-label={t('form.stepsLabel')} data-testid="form-steps">
          <p className="form-steps-index mb-1" data-testid="step-index">
            {t('form.step', { current: current + 1, total })}
          </p>
          <div
            className="progress form-steps-progress"
            role="progressbar"
            aria-label={t('form.step', { current: current + 1, total })}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={percent}
          >
            <div className="progress-bar" style={{ width: `${percent}%` }} />
          </div>
          <ol className="form-steps-list d-none d-md-flex">
            {[...shown, null].map((s, i) => {
              const name = s ? (s.title[lang] ?? s.title.it) : t('form.summaryTitle')
              const problems = s ? problemsOn(s) : 0
              return (
                <li key={s?.id ?? 'summary'} className={i === current ? 'is-current' : i < current ? 'is-done' : ''}>
                  <button
                    type="button"
                    className="form-steps-button"
                    aria-current={i === current ? 'step' : undefined}
                    onClick={() => goTo(i)}
                  >
                    <span className="form-steps-number" aria-hidden="true">
                      {i + 1}
                    </span>
                    <span className="form-steps-name">{name}</span>
                    {problems > 0 && (
                      <span className="badge bg-danger ms-1">{t('form.stepErrors', { count: problems })}</span>
                    )}
                  </button>
                </li>
              )
            })}
          </ol>
        </nav>

        <h2 className="h3 mb-3 form-step-title" tabIndex={-1} ref={stepTitleRef} data-testid="step-title">
          {stepTitle}
        </h2>

        {notice && (
          <div className="alert alert-success" role="status">
            {notice}
          </div>
        )}

        {onSummary ? (
          <section aria-label={t('form.summaryTitle')} data-testid="form-summary">
            <p>{t('form.summaryIntro')}</p>
            {blocchi.length > 0 && (
              <div className="alert alert-warning" data-testid="summary-blocchi">
                <p className="fw-semibold mb-1">{t('form.blocksTitle')}</p>
                <ul className="mb-0">
                  {blocchi.map((b, i) => (
                    <li key={i}>{b.message}</li>
                  ))}
                </ul>
              </div>
            )}
            {shown.map((s, i) => (
              <section key={s.id} className="summary-step" aria-labelledby={`summary-${s.id}`}>
                <div className="d-flex flex-wrap justify-content-between align-items-baseline gap-2">
                  <h3 id={`summary-${s.id}`} className="h5 mb-2">
                    {s.title[lang] ?? s.title.it}
                  </h3>
                  <button type="button" className="btn btn-link btn-sm p-0" onClick={() => goTo(i)}>
                    {t('form.summaryEdit')}
                    <span className="visually-hidden">– {s.title[lang] ?? s.title.it}</span>
                  </button>
                </div>
                <DataSummary
                  schema={schema}
                  uiSchema={uiWithoutSteps}
                  data={sent}
                  fields={s.fields.filter((f) => isVisible(baseUi, f, data, named))}
                />
              </section>
            ))}
            <div className="form-actions d-flex flex-wrap gap-2 mt-4">
              <button type="button" className="btn btn-outline-primary" onClick={() => goTo(current - 1)}>
                {t('form.previous')}
              </button>
              <button type="button" className="btn btn-outline-primary" onClick={saveDraft} disabled={save.isPending}>
                {t('form.saveDraft')}
              </button>
              <button type="button" className="btn btn-primary" onClick={send} disabled={save.isPending}>
                {completing ? t('form.resubmit') : t('form.submit')}
              </button>
            </div>
          </section>
        ) : (
          <Form
            schema={schema}
            uiSchema={stepUi}
            formData={data}
            validator={formValidator}
            noHtml5Validate
            noValidate
            experimental_defaultFormStateBehavior={FORM_STATE_BEHAVIOR}
            showErrorList={false}
            extraErrors={extraErrors}
            formContext={{ lang, apiBase: `/api/v1${base}`, formKey }}
            templates={accessibleTemplates}
            widgets={portalWidgets}
            translateString={rjsfTranslator(lang) as never}
            onChange={(e) => {
              const next = (e.formData ?? {}) as Data
              setServerErrors((errors) => withoutChanged(errors, data, next))
              setData(next)
            }}
            // Enter in a field moves on, as "Avanti" does; sending happens from the summary only.
            onSubmit={() => goTo(current + 1)}
          >
            <div className="form-actions d-flex flex-wrap gap-2 mt-4">
              {current > 0 && (
                <button type="button" className="btn btn-outline-primary" onClick={() => goTo(current - 1)}>
                  {t('form.previous')}
                </button>
              )}
              <button type="button" className="btn btn-outline-primary" onClick={saveDraft} disabled={save.isPending}>
                {t('form.saveDraft')}
              </button>
              <button type="submit" className="btn btn-primary">
                {current === total - 2 ? t('form.toSummary') : t('form.next')}
              </button>
            </div>
          </Form>
        )}
      </div>
      {hasFee && (
        <aside className="col-12 col-lg-4 fee-column" aria-labelledby="tariff-title">
          <div className="tariff-box card shadow-sm" aria-live="polite" data-testid="tariff-box">
            <div className="card-body">
              <h2 id="tariff-title" className="h5 tariff-title">
                {t('fee.title')}
              </h2>
              {view?.amount ? (
                <>
                  <p className="tariff-amount mb-1">
                    <FeeAmount amount={view.amount} unit={view.unit} testId="tariff-amount" />
                  </p>
                  {view.band && (
                    <p className="mb-0 tariff-band">
                      {t('fee.band')}: <span data-testid="tariff-band">{bandLabel(view.band)}</span>
                    </p>
                  )}
                  {view.exempt && <p className="mb-0">{t('fee.exempt')}</p>}
                  {(view.text || view.reasons.length > 0) && (
                    <div className="tariff-why small mt-2" data-testid="tariff-summary">
                      {/* The sentence says amount, band and reasons at once: shown only when there is no list of reasons. */}
                      {view.text && view.reasons.length === 0 && <p className="mb-1">{view.text}</p>}
                      {view.reasons.length > 0 && (
                        <ul className="mb-0 ps-3">
                          {view.reasons.map((r, i) => (
                            <li key={i}>{r}</li>
                          ))}
                        </ul>
                      )}
                    </div>
                  )}
                  <TariffPdfButton apiBase={`/api/v1${base}`} formKey={formKey} data={sent} lang={lang} />
                </>
              ) : (
                <p className="mb-0">{t('fee.unavailable')}</p>
              )}
            </div>
          </div>
        </aside>
      )}
      {blocchi.length > 0 && (
        <p className="visually-hidden" aria-live="polite">
          {t('form.blocksTitle')}: {blocchi.length}
        </p>
      )}
    </div>
  )
}

/** Server errors about a top-level field the citizen has since changed are answered: drop them. */
function withoutChanged(errors: ApiError[], before: Data, after: Data): ApiError[] {
  if (errors.length === 0) return errors
  const kept = errors.filter((e) => {
    const key = (e.path ?? '').split('/')[1]
    return !key || JSON.stringify(before[key]) === JSON.stringify(after[key])
  })
  return kept.length === errors.length ? errors : kept
}
