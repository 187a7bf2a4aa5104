import { useState, type FormEvent } from 'react'
import { DOCUMENT_RETENTION_DEFAULTS, DOCUMENT_TYPES, jsonPointer } from '#shared/contract'
import { useForms, useTenant } from '../../api/queries'
import { ApiRequestError } from '../../api/client'
import { useUpdateSettings } from '../../api/staff_queries'
import { useCurrentTenant } from '../../app/tenant_context'
import { useT } from '../../i18n'
import { LoadError, Loading } from '../../widgets/status'
import { FieldError } from '../../widgets/FieldError'
import { ProtocolSettingsForm } from './ProtocolSettingsForm'
import { CatalogSettings } from './CatalogSettings'
import { ListsSettings } from './ListsSettings'

type Window = { opens?: string; closes?: string }
const RETENTION = ['unreferenced_days', 'stale_draft_days'] as const
/** The arrears settings of the billing block (billing_settings.ts): days, where they count from, how often letters go. */
const ARREARS_DAYS = [
  'reminderAfterDays',
  'letterAfterDays',
  'debtBlockAfterDays',
  'injunctionAfterDays',
  'injunctionPayDays',
  'recordAfterDays',
] as const
/** The least amount for an injunction, typed in euro ("25", "25,50") and stored in cents. */
const EURO = /^(\d{1,7})(?:[.,](\d{1,2}))?$/
const REMINDER_FROM = ['due', 'loaded'] as const
const LETTER_PERIODS = ['', 'monthly', 'quarterly', 'four_monthly', 'six_monthly'] as const

/**
 * The tenant admins' settings, for the blocks the API checks: each form's enrolment period and how
 * long uploaded documents are kept. The server is the judge: what it refuses comes back with the
 * path of the setting (`/settings/enrolment/<form>/closes`), and the message is shown at that field.
 */
export function SettingsPage() {
  const { t, lang } = useT()
  const current = useCurrentTenant()
  const tenant = useTenant(current.slug)
  const forms = useForms(current.slug)
  const update = useUpdateSettings(current.slug)
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [saved, setSaved] = useState(false)

  if (tenant.isPending || forms.isPending) return <Loading />
  if (tenant.isError) return <LoadError error={tenant.error} />
  if (forms.isError) return <LoadError error={forms.error} />
  const settings = tenant.data.tenant.settings ?? {}
  const windows = (settings.enrolment ?? {}) as Record<string, Window>
  const retention = (settings.attachments ?? {}) as Record<string, number>
  const kept = ((settings.documents as { retention_days?: Record<string, number> } | undefined)?.retention_days ??
    {}) as Record<string, number>
  const billing = (settings.billing ?? {}) as Record<string, unknown>
  // The server names a setting by JSON Pointer (form keys hold dots): the fields are named the same way.
  const path = (...parts: string[]) => jsonPointer(['settings', ...parts])
  const fieldId = (p: string) => `setting-${p.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '')}`
  const described = (p: string, hint?: string) =>
    [hint, errors[p] ? `${fieldId(p)}-error` : null].filter(Boolean).join(' ') || undefined

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    setSaved(false)
    const data = new FormData(event.currentTarget)
    const enrolment: Record<string, Window | null> = {}
    for (const form of forms.data) {
      const opens = String(data.get(path('enrolment', form.key, 'opens')) ?? '')
      const closes = String(data.get(path('enrolment', form.key, 'closes')) ?? '')
      enrolment[form.key] = opens || closes ? { ...(opens && { opens }), ...(closes && { closes }) } : null
    }
    const attachments: Record<string, number | string | null> = {}
    for (const name of RETENTION) {
      const value = String(data.get(path('attachments', name)) ?? '').trim()
      attachments[name] = value === '' ? null : /^-?\d+$/.test(value) ? Number(value) : value
    }
    const retentionDays: Record<string, number | string | null> = {}
    for (const type of DOCUMENT_TYPES) {
      const value = String(data.get(path('documents', 'retention_days', type)) ?? '').trim()
      retentionDays[type] = value === '' ? null : /^-?\d+$/.test(value) ? Number(value) : value
    }
    // The arrears: an emptied number goes back to its default (null deletes the stored value).
    const arrears: Record<string, unknown> = {}
    for (const name of ARREARS_DAYS) {
      const value = String(data.get(path('billing', name)) ?? '').trim()
      arrears[name] = value === '' ? null : /^-?\d+$/.test(value) ? Number(value) : value
    }
    arrears.reminderFrom = String(data.get(path('billing', 'reminderFrom')) ?? 'due')
    arrears.letterPeriod = String(data.get(path('billing', 'letterPeriod')) ?? '') || null
    arrears.debtBlocksEnrolment = data.get(path('billing', 'debtBlocksEnrolment')) === 'on'
    const minPath = path('billing', 'injunctionMinCents')
    const min = String(data.get(minPath) ?? '').trim()
    const euro = EURO.exec(min)
    if (min !== '' && !euro) {
      setErrors({ [minPath]: t('settings.injunctionMinInvalid') })
      return
    }
    arrears.injunctionMinCents = euro ? Number(euro[1]) * 100 + Number((euro[2] ?? '0').padEnd(2, '0')) : null
    // Whole blocks replace the stored ones field by field: an emptied date goes away.
    const windowsPatch = Object.fromEntries(
      Object.entries(enrolment).map(([key, w]) => [
        key,
        w ? { opens: w.opens ?? null, closes: w.closes ?? null } : null,
      ])
    )
    update.mutate(
      { enrolment: windowsPatch, attachments, billing: arrears, documents: { retention_days: retentionDays } },
      {
        onSuccess: () => {
          setErrors({})
          setSaved(true)
        },
        onError: (error) => {
          const found: Record<string, string> = {}
          for (const e of error instanceof ApiRequestError ? error.errors : [{ message: String(error) }]) {
            const at = (e as { path?: string }).path ?? ''
            found[at] = found[at] ? `${found[at]} ${e.message}` : e.message
          }
          setErrors(found)
        },
      }
    )
  }

  // An error whose path names no field here (a whole block, an unknown key) is shown above the form.
  const known = new Set([
    ...forms.data.flatMap((f) => ['opens', 'closes'].map((w) => path('enrolment', f.key, w))),
    ...RETENTION.map((r) => path('attachments', r)),
    ...DOCUMENT_TYPES.map((type) => path('documents', 'retention_days', type)),
    ...[...ARREARS_DAYS, 'reminderFrom', 'letterPeriod', 'debtBlocksEnrolment', 'injunctionMinCents'].map((n) =>
      path('billing', n)
    ),
  ])
  const dayField = (name: (typeof ARREARS_DAYS)[number]) => {
    const p = path('billing', name)
    return (
      <div key={name} className="col-12 col-md-6">
        <label className="form-label" htmlFor={fieldId(p)}>
          {t(`settings.${name}`)}
        </label>
        <input
          id={fieldId(p)}
          name={p}
          type="text"
          inputMode="numeric"
          className={`form-control${errors[p] ? ' is-invalid' : ''}`}
          defaultValue={typeof billing[name] === 'number' ? String(billing[name]) : ''}
          aria-invalid={errors[p] ? true : undefined}
          aria-describedby={described(p, `${fieldId(p)}-hint`)}
        />
        <small id={`${fieldId(p)}-hint`} className="form-text">
          {t(`settings.${name}Hint`)}
        </small>
        <FieldError id={`${fieldId(p)}-error`} message={errors[p]} />
      </div>
    )
  }
  const choiceField = (name: 'reminderFrom' | 'letterPeriod', options: readonly string[], stored: string) => {
    const p = path('billing', name)
    return (
      <div key={name} className="col-12 col-md-6">
        <label className="form-label" htmlFor={fieldId(p)}>
          {t(`settings.${name}`)}
        </label>
        <select
          id={fieldId(p)}
          name={p}
          className={`form-select${errors[p] ? ' is-invalid' : ''}`}
          defaultValue={stored}
          aria-invalid={errors[p] ? true : undefined}
          aria-describedby={described(p)}
        >
          {options.map((o) => (
            <option key={o} value={o}>
              {t(`settings.${name}_${o || 'daily'}` as `settings.${'reminderFrom_due' | 'letterPeriod_daily'}`)}
            </option>
          ))}
        </select>
        <FieldError id={`${fieldId(p)}-error`} message={errors[p]} />
      </div>
    )
  }
  const blockPath = path('billing', 'debtBlocksEnrolment')
  const minPath = path('billing', 'injunctionMinCents')
  const general = Object.entries(errors).filter(([p]) => !known.has(p))

  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title" className="h2 mb-2">
        {t('settings.title')}
      </h1>
      <p className="mb-4">{t('settings.intro')}</p>
      <div aria-live="polite">
        {saved && (
          <div className="alert alert-success" data-testid="settings-saved">
            {t('settings.saved')}
          </div>
        )}
        {Object.keys(errors).length > 0 && (
          <div className="alert alert-danger" data-testid="settings-failed">
            {t('settings.failed')}
            {general.map(([p, message]) => (
              <span key={p} className="d-block">
                {message}
              </span>
            ))}
          </div>
        )}
      </div>
      <form onSubmit={submit} noValidate>
        <fieldset className="card card-bg mb-4">
          <div className="card-body">
            <legend className="h5">{t('settings.windows')}</legend>
            <p className="small" id="windows-hint">
              {t('settings.windowsHint')}
            </p>
            {forms.data.map((form) => (
              <div key={form.key} className="row g-3 mb-3" data-testid={`window-${form.key}`}>
                <h2 className="h6 col-12 mb-0">{form.title[lang] ?? form.title.it}</h2>
                {(['opens', 'closes'] as const).map((which) => {
                  const p = path('enrolment', form.key, which)
                  return (
                    <div key={which} className="col-12 col-md-6">
                      <label className="form-label" htmlFor={fieldId(p)}>
                        {t(`settings.${which}`)}
                      </label>
                      <input
                        id={fieldId(p)}
                        name={p}
                        type="date"
                        className={`form-control${errors[p] ? ' is-invalid' : ''}`}
                        defaultValue={windows[form.key]?.[which] ?? ''}
                        aria-invalid={errors[p] ? true : undefined}
                        aria-describedby={described(p, 'windows-hint')}
                      />
                      <FieldError id={`${fieldId(p)}-error`} message={errors[p]} />
                    </div>
                  )
                })}
              </div>
            ))}
          </div>
        </fieldset>
        <fieldset className="card card-bg mb-4">
          <div className="card-body">
            <legend className="h5">{t('settings.retention')}</legend>
            <div className="row g-3">
              {RETENTION.map((name) => {
                const p = path('attachments', name)
                return (
                  <div key={name} className="col-12 col-md-6">
                    <label className="form-label" htmlFor={fieldId(p)}>
                      {t(name === 'unreferenced_days' ? 'settings.unreferencedDays' : 'settings.staleDraftDays')}
                    </label>
                    <input
                      id={fieldId(p)}
                      name={p}
                      type="text"
                      inputMode="numeric"
                      className={`form-control${errors[p] ? ' is-invalid' : ''}`}
                      defaultValue={retention[name] ?? ''}
                      aria-invalid={errors[p] ? true : undefined}
                      aria-describedby={described(p, 'days-hint')}
                    />
                    <FieldError id={`${fieldId(p)}-error`} message={errors[p]} />
                  </div>
                )
              })}
            </div>
            <small id="days-hint" className="form-text">
              {t('settings.daysHint')}
            </small>
          </div>
        </fieldset>
        <fieldset className="card card-bg mb-4" data-testid="settings-documents">
          <div className="card-body">
            <legend className="h5">{t('settings.documentsRetention')}</legend>
            <p className="small" id="documents-days-hint">
              {t('settings.documentsRetentionHint')}
            </p>
            <div className="row g-3">
              {DOCUMENT_TYPES.map((type) => {
                const p = path('documents', 'retention_days', type)
                return (
                  <div key={type} className="col-12 col-md-6 col-lg-4">
                    <label className="form-label" htmlFor={fieldId(p)}>
                      {t(`documents.type_${type}`)}
                    </label>
                    <input
                      id={fieldId(p)}
                      name={p}
                      type="text"
                      inputMode="numeric"
                      className={`form-control${errors[p] ? ' is-invalid' : ''}`}
                      defaultValue={kept[type] ?? ''}
                      placeholder={String(DOCUMENT_RETENTION_DEFAULTS[type])}
                      aria-invalid={errors[p] ? true : undefined}
                      aria-describedby={described(p, 'documents-days-hint')}
                    />
                    <FieldError id={`${fieldId(p)}-error`} message={errors[p]} />
                  </div>
                )
              })}
            </div>
          </div>
        </fieldset>
        <fieldset className="card card-bg mb-4" data-testid="settings-arrears">
          <div className="card-body">
            <legend className="h5">{t('settings.arrears')}</legend>
            <p className="small">{t('settings.arrearsHint')}</p>
            <div className="row g-3">
              {dayField('reminderAfterDays')}
              {choiceField('reminderFrom', REMINDER_FROM, billing.reminderFrom === 'loaded' ? 'loaded' : 'due')}
              {dayField('letterAfterDays')}
              {choiceField(
                'letterPeriod',
                LETTER_PERIODS,
                typeof billing.letterPeriod === 'string' ? billing.letterPeriod : ''
              )}
              <div className="col-12 col-md-6">
                <div className="form-check">
                  <input
                    id={fieldId(blockPath)}
                    name={blockPath}
                    type="checkbox"
                    className={`form-check-input${errors[blockPath] ? ' is-invalid' : ''}`}
                    defaultChecked={billing.debtBlocksEnrolment === true}
                    aria-invalid={errors[blockPath] ? true : undefined}
                    aria-describedby={described(blockPath)}
                  />
                  <label className="form-check-label" htmlFor={fieldId(blockPath)}>
                    {t('settings.debtBlocksEnrolment')}
                  </label>
                </div>
                <FieldError id={`${fieldId(blockPath)}-error`} message={errors[blockPath]} />
              </div>
              {dayField('debtBlockAfterDays')}
            </div>
          </div>
        </fieldset>
        <fieldset className="card card-bg mb-4" data-testid="settings-injunctions">
          <div className="card-body">
            <legend className="h5">{t('settings.injunctions')}</legend>
            <p className="small">{t('settings.injunctionsHint')}</p>
            <div className="row g-3">
              {dayField('injunctionAfterDays')}
              {dayField('injunctionPayDays')}
              {dayField('recordAfterDays')}
              <div className="col-12 col-md-6">
                <label className="form-label" htmlFor={fieldId(minPath)}>
                  {t('settings.injunctionMin')}
                </label>
                <input
                  id={fieldId(minPath)}
                  name={minPath}
                  type="text"
                  inputMode="decimal"
                  className={`form-control${errors[minPath] ? ' is-invalid' : ''}`}
                  defaultValue={
                    typeof billing.injunctionMinCents === 'number' && billing.injunctionMinCents > 0
                      ? (billing.injunctionMinCents / 100).toFixed(2).replace('.', lang === 'it' ? ',' : '.')
                      : ''
                  }
                  aria-invalid={errors[minPath] ? true : undefined}
                  aria-describedby={described(minPath, `${fieldId(minPath)}-hint`)}
                />
                <small id={`${fieldId(minPath)}-hint`} className="form-text">
                  {t('settings.injunctionMinHint')}
                </small>
                <FieldError id={`${fieldId(minPath)}-error`} message={errors[minPath]} />
              </div>
            </div>
          </div>
        </fieldset>
        <button type="submit" className="btn btn-primary" disabled={update.isPending}>
          {t('settings.save')}
        </button>
      </form>
      <ProtocolSettingsForm stored={settings.protocol as Parameters<typeof ProtocolSettingsForm>[0]['stored']} />
      <CatalogSettings />
      <ListsSettings />
    </section>
  )
}
