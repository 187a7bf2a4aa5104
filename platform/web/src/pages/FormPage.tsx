import { useEffect, useMemo, useRef, useState } from 'react'
import Form from '@rjsf/core'
import type { RJSFSchema, UiSchema } from '@rjsf/utils'
import { customizeValidator } from '@rjsf/validator-ajv8'
import Ajv2020 from 'ajv/dist/2020.js'
import { Alert, Button } from 'design-react-kit'
import { tariffFacts } from '#forms/tariff_preview'
import { FORM_STATE_BEHAVIOR } from '#shared/form_state'
import { normaliseFormData } from '#shared/normalise'
import type { FormDefinition } from '#forms/types'
import { api, ApiError, type EnrolmentWindow, type ServerError, type Submission } from '../api'
import { formatEuro, useT, windowLabel } from '../i18n'
import {
  applyVisibility,
  visibleData,
  withAttachmentFields,
  firingBlocchi,
  fieldAt,
  localizeSchema,
  rjsfTranslator,
  toErrorSchema,
  type Blocco,
  type Message,
} from '../form_support'
import { Receipt } from './SubmissionsPage'
import { accessibleTemplates } from '../widgets/templates'
import { TariffPdfButton } from '../widgets/TariffPdfButton'
import { withCatalogSelects } from '../widgets/CatalogSelect'

/**
 * RJSF only needs the validator to resolve `if`/`then` branches: the server validates for real,
 * so the project's own formats are accepted as they are here.
 */
const validator = customizeValidator({
  AjvClass: Ajv2020 as never,
  customFormats: { 'codice-fiscale': /.*/, 'iban': /.*/ },
})

type Data = Record<string, unknown>

interface TariffResult {
  amount?: string
  band?: string
  exempt?: boolean
}

function useTariff(tenant: string, definition: FormDefinition | null, data: Data) {
  const [result, setResult] = useState<TariffResult | null>(null)
  const facts = useMemo(() => (definition ? tariffFacts(definition, data) : null), [definition, data])
  const key = facts ? JSON.stringify(facts) : ''
  useEffect(() => {
    if (!facts) return
    // Debounced: one request once the citizen pauses, not one per keystroke.
    const timer = setTimeout(() => {
      api<{ result: TariffResult }>(
        'POST',
        `/t/${encodeURIComponent(tenant)}/rulesets/${encodeURIComponent(facts.ruleset)}/evaluate`,
        {
          at: new Date().toISOString().slice(0, 10),
          facts: facts.facts,
        }
      )
        .then((r) => setResult(r.result))
        .catch(() => setResult(null))
    }, 400)
    return () => clearTimeout(timer)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, tenant])
  return facts ? result : undefined
}

/** Server errors about a top-level field the citizen has since changed are answered: drop them. */
function withoutChanged(errors: ServerError[], before: Data, after: Data): ServerError[] {
  if (errors.length === 0) return errors
  const kept = errors.filter((e) => {
    const key = (e.path ?? '').split('/')[1]
    return !key || JSON.stringify(before[key]) === JSON.stringify(after[key])
  })
  return kept.length === errors.length ? errors : kept
}

/**
 * The summary's lines: each error with the field it names, once per field and message (parts of
 * one field, such as a document's name and size, fail together and read as one line).
 */
function summaryItems(errors: ServerError[], schema: unknown) {
  const seen = new Set<string>()
  return errors.flatMap((e) => {
    const field = e.path ? fieldAt(schema, e.path) : null
    const key = `${field?.title ?? e.path ?? ''}\u0000${e.message}`
    if (seen.has(key)) return []
    seen.add(key)
    return [{ e, field }]
  })
}

/** Follows a link of the error summary without changing the route (the portal routes on the hash). */
function focusField(event: React.MouseEvent, id: string) {
  event.preventDefault()
  const target = document.getElementById(id) ?? document.querySelector<HTMLElement>(`[id^="${id}"]`)
  target?.scrollIntoView({ block: 'center' })
  target?.focus()
}

export function FormPage({ tenant, formKey, draftId }: { tenant: string; formKey: string; draftId: string | null }) {
  const { t, lang } = useT()
  const [definition, setDefinition] = useState<FormDefinition | null>(null)
  const [window_, setWindow] = useState<EnrolmentWindow | null>(null)
  const [data, setData] = useState<Data>({})
  const [sid, setSid] = useState<number | null>(draftId ? Number(draftId) : null)
  const [serverErrors, setServerErrors] = useState<ServerError[]>([])
  const [notice, setNotice] = useState<string | null>(null)
  const [failed, setFailed] = useState(false)
  const [busy, setBusy] = useState(false)
  const [done, setDone] = useState<Submission | null>(null)
  const summaryRef = useRef<HTMLDivElement>(null)
  const base = `/t/${encodeURIComponent(tenant)}`

  useEffect(() => {
    const load = async () => {
      const form = await api<{ form: { definition: FormDefinition; enrolment?: EnrolmentWindow } }>(
        'GET',
        `${base}/forms/${encodeURIComponent(formKey)}`
      )
      if (draftId) {
        const draft = await api<{ submission: Submission }>('GET', `${base}/submissions/${encodeURIComponent(draftId)}`)
        setData(draft.submission.data ?? {})
      }
      setWindow(form.form.enrolment ?? null)
      setDefinition(form.form.definition)
    }
    load().catch(() => setFailed(true))
  }, [base, formKey, draftId])

  const schema = useMemo(
    () => (definition ? (localizeSchema(definition.schema, lang) as RJSFSchema) : null),
    [definition, lang]
  )
  const named = definition?.conditions
  const uiSchema = useMemo(
    () =>
      definition
        ? applyVisibility(
            withCatalogSelects(withAttachmentFields((definition.uiSchema ?? {}) as UiSchema, definition), data, tenant),
            data,
            named
          )
        : {},
    [definition, data, named, tenant]
  )
  // What the server will receive: BLOCCO rules, the fee and the requests all work on it.
  // What is sent is what the server stores: codici fiscali in capitals, IBANs without spaces.
  const sent = useMemo(
    () =>
      definition
        ? normaliseFormData(definition.schema, visibleData((definition.uiSchema ?? {}) as UiSchema, data, named))
        : data,
    [definition, data, named]
  )
  const blocchi: Message[] = useMemo(
    () => (definition ? firingBlocchi((definition.blocchi ?? []) as unknown as Blocco[], sent, lang, named) : []),
    [definition, sent, lang, named]
  )
  // Server errors stay until the field they point at changes or the form is sent again.
  const extraErrors = useMemo(
    () => toErrorSchema([...blocchi, ...serverErrors.map((e) => ({ path: e.path ?? '', message: e.message }))]),
    [blocchi, serverErrors]
  )
  const tariff = useTariff(tenant, definition, sent)

  const save = async () => {
    setBusy(true)
    setNotice(null)
    try {
      const r = sid
        ? await api<{ submission: Submission }>('PUT', `${base}/submissions/${sid}`, { data: sent })
        : await api<{ submission: Submission }>('POST', `${base}/forms/${encodeURIComponent(formKey)}/submissions`, {
            data: sent,
          })
      setSid(r.submission.id)
      setServerErrors([])
      setNotice(t('draftSaved'))
    } catch (error) {
      showErrors(error)
    } finally {
      setBusy(false)
    }
  }

  const send = async () => {
    setBusy(true)
    setNotice(null)
    try {
      const r = sid
        ? await api<{ submission: Submission }>('POST', `${base}/submissions/${sid}/submit`, { data: sent })
        : await api<{ submission: Submission }>('POST', `${base}/forms/${encodeURIComponent(formKey)}/submit`, {
            data: sent,
          })
      setDone(r.submission)
      window.scrollTo(0, 0)
    } catch (error) {
      showErrors(error)
    } finally {
      setBusy(false)
    }
  }

  const showErrors = (error: unknown) => {
    setServerErrors(error instanceof ApiError ? error.errors : [{ message: t('genericError') }])
  }

  // Move focus to the summary once it is on screen, so screen readers announce what to fix.
  useEffect(() => {
    if (serverErrors.length === 0) return
    summaryRef.current?.focus()
    summaryRef.current?.scrollIntoView({ block: 'start', behavior: 'instant' })
  }, [serverErrors])

  if (done) return <Receipt submission={done} tenant={tenant} />
  if (failed) return <Alert color="danger">{t('genericError')}</Alert>
  if (!definition || !schema) return <p role="status">{t('loading')}</p>

  const title = (definition.title as Record<string, string>)[lang] ?? (definition.title as Record<string, string>).it

  // A call that is not open shows why instead of a form that could not be sent (drafts included).
  if (window_ && !window_.open) {
    const closed = window_.state === 'closed'
    return (
      <div className="row">
        <div className="col-12 col-lg-8">
          <h1 className="h2 mb-4">{title}</h1>
          <div className="alert alert-warning" role="status" data-testid="enrolment-closed">
            <h2 className="h5">{t(closed ? 'winClosedTitle' : 'winNotOpenTitle')}</h2>
            {windowLabel(lang, window_) && <p className="fw-semibold">{windowLabel(lang, window_)}</p>}
            <p className="mb-0">{t(closed ? 'winClosedText' : 'winNotOpenText')}</p>
          </div>
          <a href="#/">{t('backHome')}</a>
        </div>
      </div>
    )
  }

  return (
    <div className="row">
      <div className="col-12 col-lg-8">
        <h1 className="h2 mb-4">{title}</h1>
        {serverErrors.length > 0 && (
          <div ref={summaryRef} tabIndex={-1} className="alert alert-danger" role="alert" data-testid="error-summary">
            <p className="fw-semibold">{t('errorsTitle')}</p>
            <ul className="mb-0">
              {summaryItems(serverErrors, schema).map(({ e, field }, i) => {
                return (
                  <li key={i}>
                    {field?.title ? (
                      <>
                        <a href={`#${field.id}`} onClick={(event) => focusField(event, field.id)}>
                          {field.title}
                        </a>
                        : {e.message}
                      </>
                    ) : (
                      e.message
                    )}
                  </li>
                )
              })}
            </ul>
          </div>
        )}
        {notice && (
          <Alert color="success" role="status">
            {notice}
          </Alert>
        )}
        <Form
          schema={schema}
          uiSchema={uiSchema}
          formData={data}
          validator={validator}
          noHtml5Validate
          noValidate
          experimental_defaultFormStateBehavior={FORM_STATE_BEHAVIOR}
          showErrorList={false}
          extraErrors={extraErrors}
          formContext={{ lang, apiBase: `/api/v1${base}`, formKey }}
          templates={accessibleTemplates}
          translateString={rjsfTranslator(lang) as never}
          onChange={(e) => {
            const next = (e.formData ?? {}) as Data
            setServerErrors((errors) => withoutChanged(errors, data, next))
            setData(next)
          }}
          onSubmit={() => send()}
        >
          <div className="form-actions d-flex flex-wrap gap-2 mt-4">
            <Button color="primary" outline type="button" onClick={save} disabled={busy}>
              {t('saveDraft')}
            </Button>
            <Button color="primary" type="submit" disabled={busy}>
              {t('submit')}
            </Button>
          </div>
        </Form>
      </div>
      {tariff !== undefined && (
        <aside className="col-12 col-lg-4 order-first order-lg-last mb-4" aria-labelledby="tariff-title">
          <div className="tariff-box card shadow-sm p-3" aria-live="polite" data-testid="tariff-box">
            <h2 id="tariff-title" className="h5">
              {t('tariffTitle')}
            </h2>
            {tariff?.amount !== undefined ? (
              <>
                <p className="tariff-amount mb-1">
                  <span data-testid="tariff-amount">{formatEuro(tariff.amount)}</span>{' '}
                  <small>{t('tariffPerMeal')}</small>
                </p>
                {tariff.band && (
                  <p className="mb-0">
                    {t('tariffBand')}:{' '}
                    <span data-testid="tariff-band" className="text-capitalize">
                      {tariff.band}
                    </span>
                  </p>
                )}
                {tariff.exempt && <p className="mb-0">{t('tariffExempt')}</p>}
                <TariffPdfButton apiBase={`/api/v1${base}`} formKey={formKey} data={sent} lang={lang} />
              </>
            ) : (
              <p className="mb-0">{t('tariffUnavailable')}</p>
            )}
          </div>
        </aside>
      )}
      {blocchi.length > 0 && (
        <p className="visually-hidden" aria-live="polite">
          {t('blocksTitle')}: {blocchi.length}
        </p>
      )}
    </div>
  )
}
