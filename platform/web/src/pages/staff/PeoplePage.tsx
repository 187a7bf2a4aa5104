import { DocumentAlert } from '../../widgets/DocumentAlert'
import { FilterSelect } from '../../widgets/FilterSelect'
import { useState, type FormEvent } from 'react'
import { Link, useNavigate, useParams, useSearchParams } from 'react-router'
import type { ApiError, PersonDetailDto, PersonEnrolmentDto } from '#shared/contract'
import { ApiRequestError } from '../../api/client'
import { usePeople, usePerson, usePersonChange } from '../../api/staff_queries'
import { useCurrentTenant } from '../../app/tenant_context'
import { formatDay, useT } from '../../i18n'
import { LoadError, Loading } from '../../widgets/status'
import { DocumentsSection } from './DocumentsSection'

const KINDS = ['parent', 'child'] as const

function errorsOf(error: unknown): ApiError[] {
  return error instanceof ApiRequestError ? error.errors : error ? [{ message: String(error) }] : []
}

/** The fields of a person, with the server's message at each field. */
function PersonFields({
  errors,
  initial,
  withKind,
}: {
  errors: ApiError[]
  initial?: { kind?: string; firstName?: string; lastName?: string; fiscalCode?: string; birthDate?: string | null }
  withKind: boolean
}) {
  const { t } = useT()
  const at = (path: string) => errors.find((e) => e.path === path)?.message
  const field = (name: string, label: string, value: string | undefined, type = 'text', max = 100) => (
    <div className="col-12 col-md-6 col-lg-3">
      <label className="form-label" htmlFor={`person-${name}`}>
        {label}
      </label>
      <input
        id={`person-${name}`}
        name={name}
        type={type}
        className={`form-control ${at(`/${name}`) ? 'is-invalid' : ''}`}
        defaultValue={value ?? ''}
        maxLength={max}
        aria-invalid={Boolean(at(`/${name}`))}
        aria-describedby={at(`/${name}`) ? `person-${name}-error` : undefined}
      />
      {at(`/${name}`) && (
        <div id={`person-${name}-error`} className="invalid-feedback d-block">
          {at(`/${name}`)}
        </div>
      )}
    </div>
  )
  return (
    <div className="row g-3">
      {withKind && (
        <div className="col-12 col-md-6 col-lg-3">
          <label className="form-label" htmlFor="person-kind">
            {t('people.kind')}
          </label>
          <select id="person-kind" name="kind" className="form-select" defaultValue={initial?.kind ?? 'child'}>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`people.kind_${k}`)}
              </option>
            ))}
          </select>
        </div>
      )}
      {field('first_name', t('people.firstName'), initial?.firstName)}
      {field('last_name', t('people.lastName'), initial?.lastName)}
      {field('fiscal_code', t('people.fiscalCode'), initial?.fiscalCode, 'text', 16)}
      {field('birth_date', t('people.birthDate'), initial?.birthDate ?? undefined, 'date', 10)}
    </div>
  )
}

function bodyOf(form: FormData, withKind: boolean) {
  const body: Record<string, unknown> = {
    first_name: String(form.get('first_name') ?? ''),
    last_name: String(form.get('last_name') ?? ''),
    fiscal_code: String(form.get('fiscal_code') ?? ''),
    birth_date: String(form.get('birth_date') ?? '') || null,
  }
  if (withKind) body.kind = String(form.get('kind') ?? '')
  return body
}

/** The register of people (Allegato A, "gestione anagrafica"): parents and children, added here. */
export function PeoplePage() {
  const { t } = useT()
  const tenant = useCurrentTenant()
  const [params, setParams] = useSearchParams()
  const filters = { kind: params.get('kind') ?? '', fiscal_code: params.get('cf') ?? '' }
  const [page, setPage] = useState(1)
  const people = usePeople(tenant.slug, filters, page)
  const change = usePersonChange(tenant.slug)
  const navigate = useNavigate()
  const base = `/t/${encodeURIComponent(tenant.slug)}/ufficio/persone`
  const searchErrors = errorsOf(people.error)

  const search = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    const next = new URLSearchParams()
    const kind = String(form.get('kind') ?? '')
    const cf = String(form.get('cf') ?? '').trim()
    if (kind) next.set('kind', kind)
    if (cf) next.set('cf', cf)
    setPage(1)
    setParams(next)
  }
  const create = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    change.mutate(
      { method: 'POST', path: '', body: bodyOf(new FormData(event.currentTarget), true) },
      { onSuccess: (answer) => answer.person && navigate(`${base}/${answer.person.id}`) }
    )
  }

  return (
    <section aria-labelledby="people-title">
      <h1 id="people-title" className="h2 mb-4">
        {t('people.title')}
      </h1>
      <form className="card card-bg mb-4" onSubmit={search} role="search" key={params.toString()}>
        <div className="card-body row g-3 align-items-end">
          <div className="col-12 col-md-5">
            <label className="form-label" htmlFor="people-cf">
              {t('people.fiscalCode')}
            </label>
            <input
              id="people-cf"
              name="cf"
              className="form-control"
              maxLength={16}
              defaultValue={filters.fiscal_code}
              aria-invalid={searchErrors.length > 0}
              aria-describedby={searchErrors.length ? 'people-cf-error' : undefined}
            />
            {searchErrors.length > 0 && (
              <div id="people-cf-error" className="invalid-feedback d-block">
                {searchErrors.map((e) => e.message).join(' ')}
              </div>
            )}
          </div>
          <FilterSelect
            className="col-6 col-md-4"
            id="people-kind"
            name="kind"
            label={t('people.kind')}
            any={t('people.anyKind')}
            value={filters.kind}
            options={KINDS.map((k) => ({ value: k, label: t(`people.kind_${k}`) }))}
          />
          <div className="col-6 col-md-3">
            <button type="submit" className="btn btn-primary w-100">
              {t('people.search')}
            </button>
          </div>
        </div>
      </form>

      {people.isPending && <Loading />}
      {people.data && people.data.people.length === 0 && <p>{t('people.none')}</p>}
      {people.data && people.data.people.length > 0 && (
        <div className="table-responsive">
          <table className="table" data-testid="people-table">
            <caption className="visually-hidden">{t('people.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('people.name')}</th>
                <th scope="col">{t('people.fiscalCode')}</th>
                <th scope="col">{t('people.kind')}</th>
                <th scope="col" className="d-none d-md-table-cell">
                  {t('people.birthDate')}
                </th>
              </tr>
            </thead>
            <tbody>
              {people.data.people.map((p) => (
                <tr key={p.id}>
                  <td>
                    <Link to={`${base}/${p.id}`}>
                      {p.firstName} {p.lastName}
                    </Link>
                    <DocumentAlert alert={p.documents} />
                  </td>
                  <td>{p.fiscalCode}</td>
                  <td>{t(`people.kind_${p.kind}`)}</td>
                  <td className="d-none d-md-table-cell">{p.birthDate ? formatDay(p.birthDate) : '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {people.data && people.data.meta.lastPage > 1 && (
        <nav aria-label={t('people.pages')} className="d-flex gap-2 mb-4">
          <button
            type="button"
            className="btn btn-outline-primary btn-sm"
            disabled={page <= 1}
            onClick={() => setPage(page - 1)}
          >
            {t('register.previous')}
          </button>
          <button
            type="button"
            className="btn btn-outline-primary btn-sm"
            disabled={page >= people.data.meta.lastPage}
            onClick={() => setPage(page + 1)}
          >
            {t('register.next')}
          </button>
        </nav>
      )}

      <form className="card card-bg mt-4" onSubmit={create} noValidate data-testid="people-new">
        <div className="card-body">
          <h2 className="h4">{t('people.add')}</h2>
          <PersonFields errors={errorsOf(change.error)} withKind />
          {errorsOf(change.error).some((e) => !e.path) && (
            <p className="text-danger mt-2" role="alert">
              {errorsOf(change.error)
                .filter((e) => !e.path)
                .map((e) => e.message)
                .join(' ')}
            </p>
          )}
          <button type="submit" className="btn btn-primary mt-3" disabled={change.isPending}>
            {t('people.addSave')}
          </button>
        </div>
      </form>
    </section>
  )
}

function Enrolments({ list }: { list: PersonEnrolmentDto[] }) {
  const { t } = useT()
  if (list.length === 0) return <span className="text-secondary">{t('people.noEnrolments')}</span>
  return (
    <>
      {list
        .map(
          (e) =>
            `${e.serviceName} ${e.schoolYear}${e.status === 'active' ? '' : ` (${t(`register.status_${e.status}`)})`}`
        )
        .join('; ')}
    </>
  )
}

export function PersonRoute() {
  const { id = '' } = useParams()
  const tenant = useCurrentTenant()
  return <PersonPage key={`${tenant.slug}/${id}`} id={id} />
}

/** One person: change the data, the parents of a child (and its siblings' services), delete. */
function PersonPage({ id }: { id: string }) {
  const { t } = useT()
  const tenant = useCurrentTenant()
  const person = usePerson(tenant.slug, id)
  const save = usePersonChange(tenant.slug)
  const link = usePersonChange(tenant.slug)
  const remove = usePersonChange(tenant.slug)
  const navigate = useNavigate()
  const [saved, setSaved] = useState(false)
  const base = `/t/${encodeURIComponent(tenant.slug)}/ufficio/persone`
  if (person.isPending) return <Loading />
  if (person.isError) return <LoadError error={person.error} notFound={t('people.notFound')} />
  const p: PersonDetailDto = person.data

  const update = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    setSaved(false)
    save.mutate(
      { method: 'PATCH', path: `/${p.id}`, body: bodyOf(new FormData(event.currentTarget), false) },
      { onSuccess: () => setSaved(true) }
    )
  }
  const addParent = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const value = Number(new FormData(event.currentTarget).get('parent_id'))
    link.mutate({ method: 'POST', path: `/${p.id}/parents`, body: { parent_id: value } })
  }

  return (
    <section aria-labelledby="person-title">
      <p className="mb-2">
        <Link to={base}>← {t('people.back')}</Link>
      </p>
      <h1 id="person-title" className="h2 mb-3">
        {p.firstName} {p.lastName}
      </h1>
      <p>
        {t(`people.kind_${p.kind}`)} · {p.fiscalCode}
      </p>

      <form className="card card-bg mb-4" onSubmit={update} noValidate>
        <div className="card-body">
          <h2 className="h4">{t('people.edit')}</h2>
          <PersonFields errors={errorsOf(save.error)} initial={p} withKind={false} />
          {saved && (
            <p className="text-success fw-semibold mt-2" role="status" data-testid="person-saved">
              {t('people.saved')}
            </p>
          )}
          <button type="submit" className="btn btn-primary mt-3" disabled={save.isPending}>
            {t('people.save')}
          </button>
        </div>
      </form>

      {p.kind === 'parent' && (
        <section aria-labelledby="person-children" className="mb-4">
          <h2 id="person-children" className="h4">
            {t('people.children')}
          </h2>
          {p.children.length === 0 && <p>{t('people.noChildren')}</p>}
          <ul data-testid="person-children-list">
            {p.children.map((c) => (
              <li key={c.id}>
                <Link to={`${base}/${c.id}`}>
                  {c.firstName} {c.lastName}
                </Link>{' '}
                — <Enrolments list={c.enrolments} />
              </li>
            ))}
          </ul>
        </section>
      )}

      {p.kind === 'child' && (
        <>
          <section aria-labelledby="person-own" className="mb-4">
            <h2 id="person-own" className="h4">
              {t('people.enrolments')}
            </h2>
            <p data-testid="person-enrolments">
              <Enrolments list={p.enrolments} />
            </p>
          </section>
          <section aria-labelledby="person-parents" className="mb-4">
            <h2 id="person-parents" className="h4">
              {t('people.parents')}
            </h2>
            <ul>
              {p.parents.map((parent) => (
                <li key={parent.id}>
                  <Link to={`${base}/${parent.id}`}>
                    {parent.firstName} {parent.lastName}
                  </Link>{' '}
                  <button
                    type="button"
                    className="btn btn-link btn-sm"
                    onClick={() => link.mutate({ method: 'DELETE', path: `/${p.id}/parents/${parent.id}` })}
                  >
                    {t('people.unlink', { name: `${parent.firstName} ${parent.lastName}` })}
                  </button>
                </li>
              ))}
            </ul>
            <ParentPicker onPick={addParent} errors={errorsOf(link.error)} linked={p.parents.map((x) => x.id)} />
          </section>
          <section aria-labelledby="person-siblings" className="mb-4">
            <h2 id="person-siblings" className="h4">
              {t('people.siblings')}
            </h2>
            {p.siblings.length === 0 && <p>{t('people.noSiblings')}</p>}
            <ul data-testid="person-siblings-list">
              {p.siblings.map((s) => (
                <li key={s.id}>
                  <Link to={`${base}/${s.id}`}>
                    {s.firstName} {s.lastName}
                  </Link>{' '}
                  — <Enrolments list={s.enrolments} />
                </li>
              ))}
            </ul>
          </section>
        </>
      )}

      <DocumentsSection subject={{ person_id: p.id }} />

      <section aria-labelledby="person-delete" className="card card-bg mb-4">
        <div className="card-body">
          <h2 id="person-delete" className="h4">
            {t('people.delete')}
          </h2>
          <p>{t('people.deleteText')}</p>
          {remove.isError && (
            <p className="text-danger" role="alert" data-testid="person-delete-error">
              {errorsOf(remove.error)
                .map((e) => e.message)
                .join(' ')}
            </p>
          )}
          <button
            type="button"
            className="btn btn-outline-danger"
            disabled={remove.isPending}
            onClick={() => remove.mutate({ method: 'DELETE', path: `/${p.id}` }, { onSuccess: () => navigate(base) })}
          >
            {t('people.delete')}
          </button>
        </div>
      </section>
    </section>
  )
}

/** A parent chosen by codice fiscale among the register's parents. */
function ParentPicker({
  onPick,
  errors,
  linked,
}: {
  onPick: (event: FormEvent<HTMLFormElement>) => void
  errors: ApiError[]
  /** The parents already linked: not offered again. */
  linked: number[]
}) {
  const { t } = useT()
  const tenant = useCurrentTenant()
  const [code, setCode] = useState('')
  const found = usePeople(tenant.slug, { kind: 'parent', fiscal_code: code }, 1)
  const matches = code ? (found.data?.people ?? []).filter((m) => !linked.includes(m.id)) : []
  return (
    <div className="card card-bg">
      <div className="card-body">
        <h3 className="h5">{t('people.addParent')}</h3>
        <form
          className="d-flex flex-wrap gap-2 align-items-end mb-2"
          onSubmit={(e) => {
            e.preventDefault()
            setCode(String(new FormData(e.currentTarget).get('parent_cf') ?? '').trim())
          }}
        >
          <div>
            <label className="form-label" htmlFor="parent-cf">
              {t('people.parentCode')}
            </label>
            <input id="parent-cf" name="parent_cf" className="form-control" maxLength={16} />
          </div>
          <button type="submit" className="btn btn-outline-primary">
            {t('people.search')}
          </button>
        </form>
        {code && found.isError && (
          <p className="text-danger" role="alert">
            {errorsOf(found.error)
              .map((e) => e.message)
              .join(' ')}
          </p>
        )}
        {code && found.data && found.data.people.length === 0 && <p>{t('people.noParent')}</p>}
        {matches.map((m) => (
          <form key={m.id} onSubmit={onPick}>
            <input type="hidden" name="parent_id" value={m.id} />
            <button type="submit" className="btn btn-primary btn-sm">
              {t('people.linkParent', { name: `${m.firstName} ${m.lastName}` })}
            </button>
          </form>
        ))}
        {errors.length > 0 && (
          <p className="text-danger" role="alert">
            {errors.map((e) => e.message).join(' ')}
          </p>
        )}
      </div>
    </div>
  )
}
