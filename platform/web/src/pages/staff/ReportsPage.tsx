import { useState, type FormEvent } from 'react'
import { useSearchParams } from 'react-router'
import type { ApiError } from '#shared/contract'
import { ApiRequestError } from '../../api/client'
import {
  useReportRun,
  useReports,
  useStartReportRun,
  type ReportDto,
  type ReportFormat,
  type ReportParamSchema,
} from '../../api/report_queries'
import { useSchools } from '../../api/staff_queries'
import { useCurrentTenant } from '../../app/tenant_context'
import { useT } from '../../i18n'
import { LoadError, Loading } from '../../widgets/status'

/** The parameters the portal names in its own words; others show the schema's title or their key. */
const KNOWN_PARAMS = ['from', 'to', 'day', 'school_year', 'school_code'] as const
type KnownParam = (typeof KNOWN_PARAMS)[number]
const isKnown = (key: string): key is KnownParam => (KNOWN_PARAMS as readonly string[]).includes(key)

const DAY_PATTERN = '^\\d{4}-\\d{2}-\\d{2}$'

const isoDay = (d: Date) =>
  `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`

/** What a field starts with: the schema's default, else today's month, today, the current school year. */
function initialValue(key: string, schema: ReportParamSchema, today = new Date()): string {
  if (schema.default !== undefined && schema.default !== null) return String(schema.default)
  if (key === 'from') return isoDay(new Date(today.getFullYear(), today.getMonth(), 1))
  if (key === 'to' || key === 'day') return isoDay(today)
  if (key === 'school_year') {
    const start = today.getMonth() + 1 >= 8 ? today.getFullYear() : today.getFullYear() - 1
    return `${start}/${start + 1}`
  }
  return ''
}

/** The reports grouped by the service (plugin) that declares them, in the order the server lists them. */
function byService(reports: ReportDto[]): Array<{ service: string; reports: ReportDto[] }> {
  const groups = new Map<string, { service: string; reports: ReportDto[] }>()
  for (const r of reports) {
    const group = groups.get(r.plugin) ?? { service: r.service, reports: [] }
    group.reports.push(r)
    groups.set(r.plugin, group)
  }
  return [...groups.values()]
}

/**
 * The reports staff may produce (Allegato A, "strumenti di reporting"), listed by service with
 * their descriptions; one opens at a time (a disclosure: its title is a button saying whether it is
 * open) on its parameters and a button per format; the file is prepared in the background, with its
 * progress, then offered for download. The open report is in the address (`?report=`), so a link
 * opens it and a change of language keeps it open. A report closed keeps its run: reopened, its
 * progress or its download is still there.
 */
export function ReportsPage() {
  const { t, lang } = useT()
  const tenant = useCurrentTenant()
  const reports = useReports(tenant.slug, lang)
  const [search, setSearch] = useSearchParams()
  const openId = search.get('report')
  if (reports.isPending) return <Loading />
  if (reports.isError) return <LoadError error={reports.error} />
  const groups = byService(reports.data)
  const toggle = (id: string) => {
    const next = new URLSearchParams(search)
    if (openId === id) next.delete('report')
    else next.set('report', id)
    setSearch(next, { replace: true })
  }
  return (
    <section aria-labelledby="reports-title">
      <h1 id="reports-title" className="h2 mb-3">
        {t('reports.title')}
      </h1>
      <p className="lead">{t('reports.intro')}</p>
      {groups.length === 0 && <p data-testid="reports-none">{t('reports.none')}</p>}
      {groups.map((g) => (
        <section key={g.service} className="mb-5" aria-labelledby={`reports-${g.reports[0].plugin}`}>
          <h2 id={`reports-${g.reports[0].plugin}`} className="h3 mb-3">
            {g.service}
          </h2>
          <ul className="list-unstyled">
            {g.reports.map((r) => (
              <li key={r.id} className="mb-3">
                <ReportCard report={r} open={openId === r.id} onToggle={() => toggle(r.id)} />
              </li>
            ))}
          </ul>
        </section>
      ))}
    </section>
  )
}

function ReportCard({ report, open, onToggle }: { report: ReportDto; open: boolean; onToggle: () => void }) {
  const { t } = useT()
  const tenant = useCurrentTenant()
  const properties = Object.entries(report.params.properties ?? {})
  const required = new Set(report.params.required ?? [])
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(properties.map(([key, schema]) => [key, initialValue(key, schema)]))
  )
  const [errors, setErrors] = useState<ApiError[]>([])
  const [runId, setRunId] = useState<number | null>(null)
  const start = useStartReportRun(tenant.slug, report.id)
  const run = useReportRun(tenant.slug, report.id, runId)
  const idBase = `report-${report.id.replace(/[^a-z0-9-]/gi, '-')}`
  const headingId = `${idBase}-title`
  const bodyId = `${idBase}-body`

  const submit = (format: ReportFormat) => (event?: FormEvent) => {
    event?.preventDefault()
    setErrors([])
    setRunId(null)
    const params = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== ''))
    start.mutate(
      { format, params },
      {
        onSuccess: (r) => setRunId(r.id),
        onError: (error) =>
          setErrors(error instanceof ApiRequestError ? error.errors : [{ message: t('app.genericError') }]),
      }
    )
  }
  const fieldErrors = (key: string) => errors.filter((e) => e.path === `/params/${key}`)
  const otherErrors = errors.filter((e) => !properties.some(([key]) => e.path === `/params/${key}`))
  const current = run.data
  const working = start.isPending || current?.status === 'queued' || current?.status === 'running'
  const percent = current?.total ? Math.min(100, Math.round((current.done * 100) / current.total)) : 0

  return (
    <article className="card shadow-sm report-card" aria-labelledby={headingId} data-testid={`report-${report.id}`}>
      <div className="card-body">
        <h3 id={headingId} className="h4 card-title mb-1">
          <button
            type="button"
            className="btn btn-link p-0 text-start text-decoration-none fw-semibold d-flex align-items-center gap-2"
            aria-expanded={open}
            aria-controls={bodyId}
            onClick={onToggle}
          >
            <span aria-hidden="true" className="report-toggle-mark">
              {open ? '−' : '+'}
            </span>
            {report.title}
          </button>
        </h3>
        {report.description && <p className="card-text mb-0">{report.description}</p>}
        <div id={bodyId} hidden={!open} className="mt-3">
          <form onSubmit={submit('xlsx')} noValidate>
            {properties.length > 0 && (
              <fieldset className="row g-3 mb-3">
                <legend className="visually-hidden">{t('reports.params', { title: report.title })}</legend>
                {properties.map(([key, schema]) => (
                  <ParamField
                    key={key}
                    id={`${idBase}-${key}`}
                    name={key}
                    schema={schema}
                    required={required.has(key)}
                    value={values[key] ?? ''}
                    errors={fieldErrors(key)}
                    onChange={(v) => setValues((old) => ({ ...old, [key]: v }))}
                  />
                ))}
              </fieldset>
            )}
            {otherErrors.length > 0 && (
              <div className="alert alert-danger" role="alert">
                {otherErrors.map((e, i) => (
                  <p key={i} className="mb-0">
                    {e.message}
                  </p>
                ))}
              </div>
            )}
            <div className="d-flex flex-wrap gap-2">
              <button type="submit" className="btn btn-primary" disabled={working}>
                {t('reports.xlsx')}
              </button>
              <button type="button" className="btn btn-outline-primary" disabled={working} onClick={submit('csv')}>
                {t('reports.csv')}
              </button>
            </div>
          </form>
          {current && (
            <div className="mt-3" data-testid={`${idBase}-run`}>
              <p aria-live="polite" className="mb-2">
                {current.status === 'done'
                  ? t('reports.ready')
                  : current.status === 'failed'
                    ? t('reports.failed')
                    : current.status === 'expired'
                      ? t('reports.expired')
                      : t('reports.working')}{' '}
                {current.total !== null && t('reports.progress', { done: current.done, total: current.total })}
              </p>
              {(current.status === 'queued' || current.status === 'running' || current.status === 'done') && (
                <div className="progress mb-2" style={{ height: '1.25rem' }}>
                  <div
                    className="progress-bar"
                    role="progressbar"
                    aria-label={t('reports.progressLabel', { title: report.title })}
                    aria-valuenow={current.status === 'done' ? 100 : percent}
                    aria-valuemin={0}
                    aria-valuemax={100}
                    style={{ width: `${current.status === 'done' ? 100 : percent}%` }}
                  >
                    {current.status === 'done' ? 100 : percent}%
                  </div>
                </div>
              )}
              {current.status === 'failed' && current.error && (
                <div className="alert alert-danger" role="alert">
                  {current.error}
                </div>
              )}
              {current.status === 'done' && current.download && (
                <a className="btn btn-success" href={current.download} download>
                  {t('reports.download', { format: current.format === 'xlsx' ? 'Excel (xlsx)' : 'CSV' })}
                </a>
              )}
            </div>
          )}
          {run.isError && (
            <div className="alert alert-danger mt-3" role="alert">
              {run.error instanceof ApiRequestError ? run.error.message : t('app.genericError')}
            </div>
          )}
        </div>
      </div>
    </article>
  )
}

function ParamField(props: {
  id: string
  name: string
  schema: ReportParamSchema
  required: boolean
  value: string
  errors: ApiError[]
  onChange: (value: string) => void
}) {
  const { t } = useT()
  const { id, name, schema, required, value, errors, onChange } = props
  const isSchool = name === 'school_code'
  const label = isKnown(name) ? t(`reports.param_${name}`) : (schema.title ?? name)
  const hint = name === 'school_year' ? t('reports.schoolYearHint') : null
  const invalid = errors.length > 0
  const describedBy = [hint ? `${id}-hint` : '', invalid ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined
  const common = {
    'id': id,
    'name': name,
    'required': required,
    'aria-invalid': invalid || undefined,
    'aria-describedby': describedBy,
    'className': `form-control${invalid ? ' is-invalid' : ''}`,
  }
  let input
  if (isSchool) {
    input = (
      <select
        {...common}
        className={`form-select${invalid ? ' is-invalid' : ''}`}
        value={value}
        onChange={(e) => onChange(e.target.value)}
      >
        {!required && <option value="">{t('reports.anySchool')}</option>}
        <SchoolOptions />
      </select>
    )
  } else if (schema.enum) {
    input = (
      <select
        {...common}
        className={`form-select${invalid ? ' is-invalid' : ''}`}
        value={value}
        onChange={(e) => onChange(e.target.value)}
      >
        {!required && <option value="">–</option>}
        {schema.enum.map((v) => (
          <option key={String(v)} value={String(v)}>
            {String(v)}
          </option>
        ))}
      </select>
    )
  } else {
    const type =
      schema.pattern === DAY_PATTERN
        ? 'date'
        : schema.type === 'integer' || schema.type === 'number'
          ? 'number'
          : 'text'
    input = (
      <input
        {...common}
        type={type}
        value={value}
        maxLength={schema.maxLength}
        min={schema.minimum}
        max={schema.maximum}
        onChange={(e) => onChange(e.target.value)}
      />
    )
  }
  return (
    <div className="col-12 col-md-6 col-lg-4">
      <label htmlFor={id} className="form-label fw-semibold">
        {label}
        {required && <span aria-hidden="true"> *</span>}
      </label>
      {input}
      {hint && (
        <p id={`${id}-hint`} className="form-text mb-0">
          {hint}
        </p>
      )}
      {invalid && (
        <div id={`${id}-error`} className="invalid-feedback d-block">
          {errors.map((e) => e.message).join(' ')}
        </div>
      )}
    </div>
  )
}

/** The tenant's schools, as options of a report's school parameter. */
function SchoolOptions() {
  const tenant = useCurrentTenant()
  const schools = useSchools(tenant.slug)
  return (
    <>
      {(schools.data?.schools ?? []).map((s) => (
        <option key={s.code} value={s.code}>
          {s.name}
        </option>
      ))}
    </>
  )
}
