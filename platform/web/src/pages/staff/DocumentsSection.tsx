import { useState, type FormEvent, type ReactNode } from 'react'
import { Link } from 'react-router'
import { DOCUMENT_TYPES, type ApiError, type DocumentDto } from '#shared/contract'
import { ApiRequestError } from '../../api/client'
import {
  documentFileUrl,
  useDocumentChange,
  useDocumentDelete,
  useDocumentUpload,
  useDocuments,
  type DocumentSubject,
} from '../../api/document_queries'
import { useCurrentTenant } from '../../app/tenant_context'
import { formatDay, useT } from '../../i18n'
import { formatBytes } from '../../widgets/FileUpload'
import { LoadError, Loading } from '../../widgets/status'

function errorsOf(error: unknown): ApiError[] {
  return error instanceof ApiRequestError ? error.errors : error ? [{ message: String(error) }] : []
}

const VALIDITY_CLASS: Record<DocumentDto['validity'], string> = {
  expired: 'bg-danger',
  expiring: 'bg-warning',
  valid: 'bg-success',
  no_expiry: 'bg-secondary',
}

/**
 * The documents kept for a person (identity, L. 104/92, foster care, medical diet, other): the
 * list with expired and expiring ones flagged, the image preview, the PDF opened by the browser,
 * the download, the deletion with a reason, and the upload form. Shown on a person's page and on an
 * enrolment's (its child), which lead to the same documents.
 */
export function DocumentsSection({ subject }: { subject: DocumentSubject }) {
  const { t, lang } = useT()
  const tenant = useCurrentTenant()
  const list = useDocuments(tenant.slug, subject)
  const upload = useDocumentUpload(tenant.slug, subject)
  const remove = useDocumentDelete(tenant.slug)
  const change = useDocumentChange(tenant.slug)
  const [deleting, setDeleting] = useState<number | null>(null)
  const [editing, setEditing] = useState<number | null>(null)
  const [announcement, setAnnouncement] = useState('')
  const base = `/t/${encodeURIComponent(tenant.slug)}`

  const send = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const form = event.currentTarget
    setAnnouncement('')
    upload.mutate(new FormData(form), {
      onSuccess: (document) => {
        form.reset()
        setAnnouncement(t('documents.uploaded', { name: document.fileName }))
      },
    })
  }
  const uploadErrors = errorsOf(upload.error)
  const at = (path: string) => uploadErrors.find((e) => e.path === path)?.message
  const elsewhere = uploadErrors.filter(
    (e) => !['/type', '/issued_on', '/expires_on', '/notes', '/file'].includes(e.path ?? '')
  )

  const field = (name: string, input: ReactNode, label: string) => (
    <div className="col-12 col-md-6 col-lg-3">
      <label className="form-label" htmlFor={`doc-${name}`}>
        {label}
      </label>
      {input}
      {at(`/${name}`) && (
        <div id={`doc-${name}-error`} className="invalid-feedback d-block">
          {at(`/${name}`)}
        </div>
      )}
    </div>
  )
  const invalid = (name: string) => ({
    'className': `form-control ${at(`/${name}`) ? 'is-invalid' : ''}`,
    'aria-invalid': Boolean(at(`/${name}`)),
    'aria-describedby': at(`/${name}`) ? `doc-${name}-error` : undefined,
  })

  return (
    <section aria-labelledby="documents-title" className="mb-4" id="documenti">
      <h2 id="documents-title" className="h4">
        {t('documents.title')}
      </h2>
      <p aria-live="polite" role="status" className="text-success fw-semibold" data-testid="documents-status">
        {announcement}
      </p>
      {list.isPending && <Loading />}
      {list.isError && <LoadError error={list.error} notFound={t('documents.none')} />}
      {list.data && list.data.documents.length === 0 && <p>{t('documents.none')}</p>}
      {list.data && list.data.documents.length > 0 && (
        <ul className="list-unstyled row g-3" data-testid="documents-list">
          {list.data.documents.map((d) => {
            const name = d.fileName
            const image = d.contentType.startsWith('image/')
            return (
              <li key={d.id} className="col-12 col-lg-6" data-testid={`document-${d.id}`}>
                <div className="card card-bg h-100">
                  <div className="card-body">
                    <h3 className="h5 mb-1">{t(`documents.type_${d.type}`)}</h3>
                    <p className="mb-1">
                      <span className={`badge ${VALIDITY_CLASS[d.validity]}`} data-testid="document-validity">
                        {t(`documents.validity_${d.validity}`, { day: formatDay(d.expiresOn) })}
                      </span>
                    </p>
                    <p className="mb-1 small text-break">
                      {name} · {formatBytes(d.sizeBytes, lang)}
                    </p>
                    {d.issuedOn && (
                      <p className="mb-1 small">{t('documents.issued', { day: formatDay(d.issuedOn) })}</p>
                    )}
                    {d.notes && <p className="mb-1 small">{d.notes}</p>}
                    {d.submissionId && (
                      <p className="mb-1 small">
                        <Link to={`${base}/ufficio/domande/${d.submissionId}`}>
                          {t('documents.fromApplication', { id: d.submissionId })}
                        </Link>
                      </p>
                    )}
                    {image && (
                      <img
                        className="review-preview my-2"
                        src={documentFileUrl(tenant.slug, d.id, true)}
                        alt={t('documents.preview', { name })}
                      />
                    )}
                    <div className="d-flex gap-2 flex-wrap mt-2">
                      <a
                        className="btn btn-outline-primary btn-sm"
                        href={documentFileUrl(tenant.slug, d.id, true)}
                        target="_blank"
                        rel="noopener"
                        data-testid="document-open"
                      >
                        {t('documents.open')}
                        <span className="visually-hidden"> {name}</span>
                      </a>
                      <a
                        className="btn btn-outline-primary btn-sm"
                        href={documentFileUrl(tenant.slug, d.id, false)}
                        download={name}
                        data-testid="document-download"
                      >
                        {t('documents.download')}
                        <span className="visually-hidden"> {name}</span>
                      </a>
                      <button
                        type="button"
                        className="btn btn-outline-primary btn-sm"
                        onClick={() => {
                          change.reset()
                          setEditing(editing === d.id ? null : d.id)
                        }}
                        aria-expanded={editing === d.id}
                        data-testid="document-edit"
                      >
                        {t('documents.edit')}
                        <span className="visually-hidden"> {name}</span>
                      </button>
                      <button
                        type="button"
                        className="btn btn-outline-danger btn-sm"
                        onClick={() => {
                          remove.reset()
                          setDeleting(deleting === d.id ? null : d.id)
                        }}
                        aria-expanded={deleting === d.id}
                        data-testid="document-delete"
                      >
                        {t('documents.delete')}
                        <span className="visually-hidden"> {name}</span>
                      </button>
                    </div>
                    {editing === d.id && (
                      <EditDocument
                        document={d}
                        errors={errorsOf(change.error)}
                        busy={change.isPending}
                        onSave={(body) =>
                          change.mutate(
                            { id: d.id, body },
                            {
                              onSuccess: () => {
                                setEditing(null)
                                setAnnouncement(t('documents.changed', { name }))
                              },
                            }
                          )
                        }
                      />
                    )}
                    {deleting === d.id && (
                      <form
                        className="mt-3"
                        noValidate
                        onSubmit={(event) => {
                          event.preventDefault()
                          const reason = String(new FormData(event.currentTarget).get('reason') ?? '')
                          remove.mutate(
                            { id: d.id, reason },
                            {
                              onSuccess: () => {
                                setDeleting(null)
                                setAnnouncement(t('documents.deleted', { name }))
                              },
                            }
                          )
                        }}
                      >
                        <label className="form-label" htmlFor={`doc-reason-${d.id}`}>
                          {t('documents.reason')}
                        </label>
                        <textarea
                          id={`doc-reason-${d.id}`}
                          name="reason"
                          rows={2}
                          maxLength={500}
                          className={`form-control ${remove.isError ? 'is-invalid' : ''}`}
                          aria-invalid={remove.isError}
                          aria-describedby={remove.isError ? `doc-reason-${d.id}-error` : undefined}
                        />
                        {remove.isError && (
                          <div id={`doc-reason-${d.id}-error`} className="invalid-feedback d-block">
                            {errorsOf(remove.error)
                              .map((e) => e.message)
                              .join(' ')}
                          </div>
                        )}
                        <button type="submit" className="btn btn-danger btn-sm mt-2" disabled={remove.isPending}>
                          {t('documents.confirmDelete')}
                        </button>
                      </form>
                    )}
                  </div>
                </div>
              </li>
            )
          })}
        </ul>
      )}

      <form className="card card-bg mt-3" onSubmit={send} noValidate data-testid="documents-upload">
        <div className="card-body">
          <h3 className="h5">{t('documents.add')}</h3>
          <p className="small">{t('documents.hint')}</p>
          <div className="row g-3">
            {field(
              'type',
              <select
                id="doc-type"
                name="type"
                {...invalid('type')}
                className={`form-select ${at('/type') ? 'is-invalid' : ''}`}
              >
                {DOCUMENT_TYPES.map((type) => (
                  <option key={type} value={type}>
                    {t(`documents.type_${type}`)}
                  </option>
                ))}
              </select>,
              t('documents.type')
            )}
            {field(
              'issued_on',
              <input id="doc-issued_on" name="issued_on" type="date" {...invalid('issued_on')} />,
              t('documents.issuedOn')
            )}
            {field(
              'expires_on',
              <input id="doc-expires_on" name="expires_on" type="date" {...invalid('expires_on')} />,
              t('documents.expiresOn')
            )}
            {field(
              'file',
              <input
                id="doc-file"
                name="file"
                type="file"
                accept="application/pdf,image/jpeg,image/png"
                {...invalid('file')}
              />,
              t('documents.file')
            )}
            <div className="col-12">
              <label className="form-label" htmlFor="doc-notes">
                {t('documents.notes')}
              </label>
              <textarea id="doc-notes" name="notes" rows={2} maxLength={1000} {...invalid('notes')} />
              {at('/notes') && (
                <div id="doc-notes-error" className="invalid-feedback d-block">
                  {at('/notes')}
                </div>
              )}
            </div>
          </div>
          {elsewhere.length > 0 && (
            <p className="text-danger mt-2" role="alert">
              {elsewhere.map((e) => e.message).join(' ')}
            </p>
          )}
          <button type="submit" className="btn btn-primary mt-3" disabled={upload.isPending}>
            {upload.isPending ? t('documents.uploading') : t('documents.upload')}
          </button>
        </div>
      </form>
    </section>
  )
}

/** The type, dates and notes of a kept document, changed (e.g. the expiry of a certificate filed from an application). */
function EditDocument({
  document: d,
  errors,
  busy,
  onSave,
}: {
  document: DocumentDto
  errors: ApiError[]
  busy: boolean
  onSave: (body: Record<string, string | null>) => void
}) {
  const { t } = useT()
  const at = (path: string) => errors.find((e) => e.path === path)?.message
  const id = (name: string) => `doc-${d.id}-${name}`
  const props = (name: string) => ({
    'id': id(name),
    'name': name,
    'className': `form-control ${at(`/${name}`) ? 'is-invalid' : ''}`,
    'aria-invalid': Boolean(at(`/${name}`)),
    'aria-describedby': at(`/${name}`) ? `${id(name)}-error` : undefined,
  })
  const error = (name: string) =>
    at(`/${name}`) && (
      <div id={`${id(name)}-error`} className="invalid-feedback d-block">
        {at(`/${name}`)}
      </div>
    )
  const other = errors.filter((e) => !['/type', '/issued_on', '/expires_on', '/notes'].includes(e.path ?? ''))
  return (
    <form
      className="mt-3"
      noValidate
      data-testid="document-edit-form"
      onSubmit={(event) => {
        event.preventDefault()
        const data = new FormData(event.currentTarget)
        const value = (name: string) => String(data.get(name) ?? '').trim() || null
        onSave({
          type: value('type'),
          issued_on: value('issued_on'),
          expires_on: value('expires_on'),
          notes: value('notes'),
        })
      }}
    >
      <label className="form-label" htmlFor={id('type')}>
        {t('documents.type')}
      </label>
      <select {...props('type')} className={`form-select ${at('/type') ? 'is-invalid' : ''}`} defaultValue={d.type}>
        {DOCUMENT_TYPES.map((type) => (
          <option key={type} value={type}>
            {t(`documents.type_${type}`)}
          </option>
        ))}
      </select>
      {error('type')}
      <label className="form-label mt-2" htmlFor={id('issued_on')}>
        {t('documents.issuedOn')}
      </label>
      <input type="date" {...props('issued_on')} defaultValue={d.issuedOn ?? ''} />
      {error('issued_on')}
      <label className="form-label mt-2" htmlFor={id('expires_on')}>
        {t('documents.expiresOn')}
      </label>
      <input type="date" {...props('expires_on')} defaultValue={d.expiresOn ?? ''} />
      {error('expires_on')}
      <label className="form-label mt-2" htmlFor={id('notes')}>
        {t('documents.notes')}
      </label>
      <textarea rows={2} maxLength={1000} {...props('notes')} defaultValue={d.notes ?? ''} />
      {error('notes')}
      {other.length > 0 && (
        <p className="text-danger mt-2" role="alert">
          {other.map((e) => e.message).join(' ')}
        </p>
      )}
      <button type="submit" className="btn btn-primary btn-sm mt-2" disabled={busy}>
        {t('documents.save')}
      </button>
    </form>
  )
}
