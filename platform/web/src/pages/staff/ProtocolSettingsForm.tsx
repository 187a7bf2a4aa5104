import { useState, type FormEvent } from 'react'
import { jsonPointer } from '#shared/contract'
import { ApiRequestError } from '../../api/client'
import { useUpdateSettings } from '../../api/staff_queries'
import { useT } from '../../i18n'
import { useCurrentTenant } from '../../app/tenant_context'
import { FieldError } from '../../widgets/FieldError'

type Protocol = {
  driver?: string
  url?: string
  codEnte?: string
  username?: string
  passwordEnv?: string
  codAoo?: string | null
  attachments?: string
  timeoutMs?: number
}
const TEXT_FIELDS = ['url', 'codEnte', 'username', 'passwordEnv', 'codAoo'] as const
const ALL_FIELDS = [...TEXT_FIELDS, 'attachments', 'timeoutMs'] as const

/** The server's errors by JSON Pointer; several at one path are read one after the other. */
export function errorsByPath(error: unknown): Record<string, string> {
  const found: Record<string, string> = {}
  for (const e of error instanceof ApiRequestError ? error.errors : [{ message: String(error) }]) {
    const at = (e as { path?: string }).path ?? ''
    found[at] = found[at] ? `${found[at]} ${e.message}` : e.message
  }
  return found
}

/**
 * The protocol system that registers the applications (settings block `protocol`): the local
 * simulator, or a DOCAREA service. The password is never asked here nor shown: it lives in an
 * environment variable of the server, whose name the form takes (`passwordEnv`).
 */
export function ProtocolSettingsForm({ stored }: { stored: Protocol | undefined }) {
  const { t } = useT()
  const update = useUpdateSettings(useCurrentTenant().slug)
  const [driver, setDriver] = useState(stored?.driver === 'docarea' ? 'docarea' : 'simulator')
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [saved, setSaved] = useState(false)
  const path = (field: string) => jsonPointer(['settings', 'protocol', field])
  const id = (field: string) => `protocol-${field}`
  const described = (field: string, hint?: string) =>
    [hint, errors[path(field)] ? `${id(field)}-error` : null].filter(Boolean).join(' ') || undefined

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    setSaved(false)
    const data = new FormData(event.currentTarget)
    // The whole block is sent: what is emptied (or not used by the simulator) goes away.
    const block: Record<string, unknown> = { driver }
    for (const field of ALL_FIELDS) block[field] = null
    if (driver === 'docarea') {
      for (const field of TEXT_FIELDS) {
        const value = String(data.get(field) ?? '').trim()
        block[field] = value === '' ? (field === 'codAoo' ? null : '') : value
      }
      block.attachments = String(data.get('attachments') ?? 'swa')
      const timeout = String(data.get('timeoutMs') ?? '').trim()
      block.timeoutMs = timeout === '' ? null : /^\d+$/.test(timeout) ? Number(timeout) : timeout
    }
    update.mutate(
      { protocol: block },
      {
        onSuccess: () => {
          setErrors({})
          setSaved(true)
        },
        onError: (error) => setErrors(errorsByPath(error)),
      }
    )
  }

  const known = new Set([...ALL_FIELDS, 'driver'].map(path))
  const general = Object.entries(errors).filter(([p]) => !known.has(p))
  const text = (field: (typeof TEXT_FIELDS)[number], hint?: string) => (
    <div className="col-12 col-md-6" key={field}>
      <label className="form-label" htmlFor={id(field)}>
        {t(`protocolSettings.${field}`)}
      </label>
      <input
        id={id(field)}
        name={field}
        type={field === 'url' ? 'url' : 'text'}
        className={`form-control${errors[path(field)] ? ' is-invalid' : ''}`}
        defaultValue={stored?.[field] ?? ''}
        autoComplete="off"
        aria-invalid={errors[path(field)] ? true : undefined}
        aria-describedby={described(field, hint)}
      />
      {hint && (
        <small id={hint} className="form-text">
          {t('protocolSettings.passwordEnvHint')}
        </small>
      )}
      <FieldError id={`${id(field)}-error`} message={errors[path(field)]} />
    </div>
  )

  return (
    <form onSubmit={submit} noValidate aria-labelledby="protocol-title" data-testid="protocol-settings">
      <fieldset className="card card-bg mb-4">
        <div className="card-body">
          <legend className="h5" id="protocol-title">
            {t('protocolSettings.title')}
          </legend>
          <p className="small">{t('protocolSettings.intro')}</p>
          <div aria-live="polite">
            {saved && (
              <div className="alert alert-success" data-testid="protocol-saved">
                {t('settings.saved')}
              </div>
            )}
            {Object.keys(errors).length > 0 && (
              <div className="alert alert-danger" data-testid="protocol-failed">
                {t('settings.failed')}
                {general.map(([p, message]) => (
                  <span key={p} className="d-block">
                    {message}
                  </span>
                ))}
              </div>
            )}
          </div>
          <div className="row g-3">
            <div className="col-12 col-md-6">
              <label className="form-label" htmlFor={id('driver')}>
                {t('protocolSettings.driver')}
              </label>
              <select
                id={id('driver')}
                name="driver"
                className={`form-select${errors[path('driver')] ? ' is-invalid' : ''}`}
                value={driver}
                onChange={(e) => setDriver(e.target.value)}
                aria-describedby={described('driver')}
              >
                <option value="simulator">{t('protocolSettings.simulator')}</option>
                <option value="docarea">{t('protocolSettings.docarea')}</option>
              </select>
              <FieldError id={`${id('driver')}-error`} message={errors[path('driver')]} />
            </div>
            {driver === 'docarea' && (
              <>
                {text('url')}
                {text('codEnte')}
                {text('codAoo')}
                {text('username')}
                {text('passwordEnv', 'protocol-passwordEnv-hint')}
                <div className="col-12 col-md-6">
                  <label className="form-label" htmlFor={id('attachments')}>
                    {t('protocolSettings.attachments')}
                  </label>
                  <select
                    id={id('attachments')}
                    name="attachments"
                    className={`form-select${errors[path('attachments')] ? ' is-invalid' : ''}`}
                    defaultValue={stored?.attachments ?? 'swa'}
                    aria-describedby={described('attachments')}
                  >
                    <option value="swa">SOAP with Attachments (SwA)</option>
                    <option value="mtom">MTOM</option>
                  </select>
                  <FieldError id={`${id('attachments')}-error`} message={errors[path('attachments')]} />
                </div>
                <div className="col-12 col-md-6">
                  <label className="form-label" htmlFor={id('timeoutMs')}>
                    {t('protocolSettings.timeoutMs')}
                  </label>
                  <input
                    id={id('timeoutMs')}
                    name="timeoutMs"
                    type="text"
                    inputMode="numeric"
                    className={`form-control${errors[path('timeoutMs')] ? ' is-invalid' : ''}`}
                    defaultValue={stored?.timeoutMs ?? ''}
                    aria-invalid={errors[path('timeoutMs')] ? true : undefined}
                    aria-describedby={described('timeoutMs')}
                  />
                  <FieldError id={`${id('timeoutMs')}-error`} message={errors[path('timeoutMs')]} />
                </div>
              </>
            )}
          </div>
          <button type="submit" className="btn btn-primary mt-3" disabled={update.isPending}>
            {t('protocolSettings.save')}
          </button>
        </div>
      </fieldset>
    </form>
  )
}
