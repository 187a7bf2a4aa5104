import { useState, type FormEvent } from 'react'
import { useSearchParams } from 'react-router'
import type { AuditEntryDto } from '#shared/contract'
import { useAudit, type AuditFilters } from '../../api/staff_queries'
import { useCurrentTenant } from '../../app/tenant_context'
import { formatDateTime, useT } from '../../i18n'
import { LoadError, Loading } from '../../widgets/status'

const FILTER_NAMES = ['actor', 'entity', 'entity_id', 'action', 'from', 'to'] as const
/** The actions the platform writes in the trail (models/mixins/audited.ts and the services that read or publish). */
const ACTIONS = [
  'create',
  'create_batch',
  'update',
  'delete',
  'read',
  'publish',
  'invalidate',
  'retention_delete',
] as const
/** Tables people look for most: a hint in the "what" field, any other table name works too. */
const ENTITIES = [
  'submissions',
  'enrolments',
  'tenants',
  'memberships',
  'users',
  'attachments',
  'forms',
  'rule_sets',
  'ledger_entries',
  'payment_positions',
]

function filtersOf(params: URLSearchParams): AuditFilters {
  return Object.fromEntries(FILTER_NAMES.map((n) => [n, params.get(n) ?? ''])) as AuditFilters
}

/** Before and after of a change, field by field, as a definition list (values as JSON). */
function Changes({ entry }: { entry: AuditEntryDto }) {
  const { t } = useT()
  const fields = [...new Set([...Object.keys(entry.before ?? {}), ...Object.keys(entry.after ?? {})])]
  if (fields.length === 0) return <span>–</span>
  const show = (value: unknown) => (value === undefined ? '–' : JSON.stringify(value))
  return (
    <details>
      <summary>{t('audit.showChanges')}</summary>
      <dl className="audit-changes small mb-0">
        {fields.map((field) => (
          <div key={field}>
            <dt className="fw-semibold">{field}</dt>
            <dd className="mb-1 text-break">
              {entry.before && (
                <span className="d-block">
                  {t('audit.before')}: {show(entry.before[field])}
                </span>
              )}
              {entry.after && (
                <span className="d-block">
                  {t('audit.after')}: {show(entry.after[field])}
                </span>
              )}
            </dd>
          </div>
        ))}
      </dl>
    </details>
  )
}

/**
 * The tenant admins' audit viewer: who did what to which record and when, newest first, filtered on
 * the server (who, what, which record, which days), a page at a time. The filters live in the
 * address, so a link to a record's history can be shared.
 */
export function AuditPage() {
  const { t, lang } = useT()
  const tenant = useCurrentTenant()
  const [params, setParams] = useSearchParams()
  const filters = filtersOf(params)
  const [cursors, setCursors] = useState<string[]>([])
  const audit = useAudit(tenant.slug, filters, cursors.at(-1) ?? null)

  const apply = (next: AuditFilters) => {
    const search = new URLSearchParams()
    for (const name of FILTER_NAMES) if (next[name]) search.set(name, next[name]!.trim())
    setCursors([])
    setParams(search)
  }
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    apply(Object.fromEntries(FILTER_NAMES.map((n) => [n, String(form.get(n) ?? '')])) as AuditFilters)
  }
  const actionLabel = (action: string) =>
    (ACTIONS as readonly string[]).includes(action) ? t(`audit.action_${action as (typeof ACTIONS)[number]}`) : action

  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title" className="h2 mb-2">
        {t('audit.title')}
      </h1>
      <p className="mb-4">{t('audit.intro')}</p>

      <form className="card card-bg mb-4" onSubmit={submit} key={params.toString()} role="search">
        <div className="card-body">
          <h2 className="h5 mb-3">{t('audit.filters')}</h2>
          <div className="row g-3">
            <div className="col-12 col-md-6 col-lg-4">
              <label className="form-label" htmlFor="audit-actor">
                {t('audit.actor')}
              </label>
              <input
                id="audit-actor"
                name="actor"
                className="form-control"
                defaultValue={filters.actor}
                maxLength={254}
              />
            </div>
            <div className="col-12 col-md-6 col-lg-4">
              <label className="form-label" htmlFor="audit-entity">
                {t('audit.entity')}
              </label>
              <input
                id="audit-entity"
                name="entity"
                className="form-control"
                list="audit-entities"
                defaultValue={filters.entity}
                maxLength={64}
                aria-describedby="audit-entity-hint"
              />
              <datalist id="audit-entities">
                {ENTITIES.map((e) => (
                  <option key={e} value={e} />
                ))}
              </datalist>
              <small id="audit-entity-hint" className="form-text">
                {t('audit.entityHint')}
              </small>
            </div>
            <div className="col-12 col-md-6 col-lg-4">
              <label className="form-label" htmlFor="audit-entity-id">
                {t('audit.entityId')}
              </label>
              <input
                id="audit-entity-id"
                name="entity_id"
                className="form-control"
                defaultValue={filters.entity_id}
                maxLength={64}
              />
            </div>
            <div className="col-12 col-md-6 col-lg-4">
              <label className="form-label" htmlFor="audit-action">
                {t('audit.action')}
              </label>
              <select id="audit-action" name="action" className="form-select" defaultValue={filters.action}>
                <option value="">{t('audit.anyAction')}</option>
                {ACTIONS.map((a) => (
                  <option key={a} value={a}>
                    {actionLabel(a)}
                  </option>
                ))}
              </select>
            </div>
            <div className="col-6 col-lg-4">
              <label className="form-label" htmlFor="audit-from">
                {t('audit.from')}
              </label>
              <input id="audit-from" name="from" type="date" className="form-control" defaultValue={filters.from} />
            </div>
            <div className="col-6 col-lg-4">
              <label className="form-label" htmlFor="audit-to">
                {t('audit.to')}
              </label>
              <input id="audit-to" name="to" type="date" className="form-control" defaultValue={filters.to} />
            </div>
          </div>
          <div className="d-flex flex-wrap gap-2 mt-3">
            <button type="submit" className="btn btn-primary">
              {t('audit.apply')}
            </button>
            <button type="button" className="btn btn-outline-primary" onClick={() => apply({})}>
              {t('audit.reset')}
            </button>
          </div>
        </div>
      </form>

      {audit.isPending && <Loading />}
      {audit.isError && <LoadError error={audit.error} />}
      {audit.data && audit.data.entries.length === 0 && <p data-testid="audit-none">{t('audit.none')}</p>}
      {audit.data && audit.data.entries.length > 0 && (
        <div className="table-responsive">
          <table className="table audit-table" data-testid="audit-table">
            <caption className="visually-hidden">{t('audit.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('audit.when')}</th>
                <th scope="col">{t('audit.who')}</th>
                <th scope="col">{t('audit.what')}</th>
                <th scope="col">{t('audit.record')}</th>
                <th scope="col">{t('audit.changes')}</th>
              </tr>
            </thead>
            <tbody>
              {audit.data.entries.map((entry) => (
                <tr key={entry.id} data-testid={`audit-row-${entry.id}`}>
                  <td className="text-nowrap">{formatDateTime(lang, entry.createdAt)}</td>
                  <td className="text-break">{entry.actorLabel}</td>
                  <td>
                    {actionLabel(entry.action)}
                    <span className="d-block small text-secondary">{entry.entity}</span>
                  </td>
                  <td>{entry.entityId}</td>
                  <td>
                    <Changes entry={entry} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {audit.data && (cursors.length > 0 || audit.data.next) && (
        <nav aria-label={t('audit.pages')} className="d-flex flex-wrap gap-2">
          {cursors.length > 0 && (
            <button type="button" className="btn btn-outline-primary btn-sm" onClick={() => setCursors([])}>
              {t('audit.first')}
            </button>
          )}
          {audit.data.next && (
            <button
              type="button"
              className="btn btn-outline-primary btn-sm"
              onClick={() => setCursors([...cursors, audit.data!.next!])}
            >
              {t('audit.next')}
            </button>
          )}
        </nav>
      )}
    </section>
  )
}
