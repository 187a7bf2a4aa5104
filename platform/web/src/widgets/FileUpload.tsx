import { useId, useRef, useState } from 'react'
import type { FieldProps } from '@rjsf/utils'
import { useFormT, type Lang } from '../i18n'

/**
 * The control of an attachment field (form `attachments`): the citizen picks a file, it is uploaded
 * at once to `POST /forms/:id/attachments?field=<pointer>`, and the field keeps the reference the
 * server answered (`{ file_id, file_name, content_type, size_bytes, sha256 }`), which is exactly
 * what the server checks again on submit. The server reads the type from the content and applies
 * the field's size limit; its refusal is shown at the field, in the citizen's language.
 */

export interface AttachmentReference {
  file_id: string
  file_name: string
  content_type: string
  size_bytes: number
  sha256?: string
}

/** What FormPage puts in RJSF's formContext for this control. */
export interface UploadContext {
  lang?: Lang
  /** `/api/v1/t/<tenant>`: uploads and downloads go under it. */
  apiBase?: string
  formKey?: string
}

/** The field's own rule, copied into its `ui:options.attachment` by `withAttachmentFields`. */
export interface AttachmentOptions {
  pointer: string
  types: string[]
  max_bytes: number
}

const TYPE_NAMES: Record<string, string> = {
  'application/pdf': 'PDF',
  'image/jpeg': 'JPEG',
  'image/png': 'PNG',
}

const isReference = (v: unknown): v is AttachmentReference =>
  typeof v === 'object' && v !== null && typeof (v as AttachmentReference).file_id === 'string'

/** "245 kB", "1,2 MB": sizes as a person reads them, in their language's number format. */
export function formatBytes(bytes: number, lang: Lang): string {
  const format = (n: number, digits: number) =>
    new Intl.NumberFormat(lang === 'it' ? 'it-IT' : 'en-GB', { maximumFractionDigits: digits }).format(n)
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${format(bytes / 1024, 0)} kB`
  return `${format(bytes / (1024 * 1024), 1)} MB`
}

interface UploadError {
  message: string
}

/** XMLHttpRequest rather than fetch: only it reports upload progress. */
function upload(
  url: string,
  file: File,
  lang: Lang,
  onProgress: (percent: number) => void
): Promise<{ status: number; body: { attachment?: AttachmentReference; errors?: UploadError[] } | null }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', url)
    xhr.withCredentials = true
    xhr.setRequestHeader('accept', 'application/json')
    xhr.setRequestHeader('accept-language', lang)
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(Math.round((e.loaded / e.total) * 100))
    }
    xhr.onload = () => {
      let body = null
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : null
      } catch {
        // A proxy's HTML error page: the status says enough.
      }
      resolve({ status: xhr.status, body })
    }
    xhr.onerror = () => reject(new Error('network'))
    const data = new FormData()
    data.append('file', file, file.name)
    xhr.send(data)
  })
}

export function FileUpload(props: FieldProps) {
  const context = (props.registry.formContext ?? {}) as UploadContext
  const { t: translate, lang } = useFormT(props.registry.formContext)
  const t = (
    key: 'choose' | 'replace' | 'remove' | 'none' | 'uploading' | 'uploaded' | 'removed' | 'download' | 'failed'
  ) => translate(`upload.${key}`)
  const options = (props.uiSchema?.['ui:options']?.attachment ?? null) as AttachmentOptions | null
  const value = isReference(props.formData) ? props.formData : null
  const [progress, setProgress] = useState<number | null>(null)
  const [refusal, setRefusal] = useState<string | null>(null)
  const [announcement, setAnnouncement] = useState('')
  const inputRef = useRef<HTMLInputElement>(null)
  const reactId = useId()
  const base = props.fieldPathId?.$id ?? `attachment-${reactId.replace(/:/g, '')}`
  const ids = { title: `${base}__title`, input: `${base}__file`, hint: `${base}__hint`, error: `${base}__error` }
  const pointer = options?.pointer ?? `/${props.name}`
  const title = props.schema.title ?? props.name
  const busy = progress !== null

  const onFile = async (file: File | undefined) => {
    if (!file || !context.apiBase || !context.formKey) return
    setRefusal(null)
    setProgress(0)
    setAnnouncement(`${t('uploading')}: ${file.name}`)
    const url = `${context.apiBase}/forms/${encodeURIComponent(context.formKey)}/attachments?field=${encodeURIComponent(pointer)}`
    try {
      const { status, body } = await upload(url, file, lang, setProgress)
      if (status === 201 && body?.attachment) {
        props.onChange(body.attachment, props.fieldPathId.path)
        setAnnouncement(`${t('uploaded')} ${body.attachment.file_name}`)
      } else {
        const message =
          body?.errors?.[0]?.message ??
          (status === 413 && options
            ? translate('upload.tooLarge', { size: formatBytes(options.max_bytes, lang) })
            : t('failed'))
        setRefusal(message)
        setAnnouncement('')
      }
    } catch {
      setRefusal(t('failed'))
      setAnnouncement('')
    } finally {
      setProgress(null)
      // The same file can be chosen again after a refusal.
      if (inputRef.current) inputRef.current.value = ''
    }
  }

  const remove = () => {
    props.onChange(undefined, props.fieldPathId.path)
    setRefusal(null)
    setAnnouncement(t('removed'))
    inputRef.current?.focus()
  }

  const errors = [...(refusal ? [refusal] : []), ...(props.rawErrors ?? [])]
  const accepted = options
    ? translate('upload.accepted', {
        types: options.types.map((type) => TYPE_NAMES[type] ?? type).join(', '),
        size: formatBytes(options.max_bytes, lang),
      })
    : null
  const download =
    value && context.apiBase ? `${context.apiBase}/attachments/${encodeURIComponent(value.file_id)}` : null

  return (
    <div
      className={`form-group file-upload ${errors.length ? 'has-error' : ''}`}
      role="group"
      aria-labelledby={ids.title}
      data-testid={`upload-${props.name}`}
    >
      <p id={ids.title} className="control-label fw-semibold mb-1">
        {title}
        {props.required ? <span className="required"> *</span> : null}
      </p>
      {accepted && (
        <p id={ids.hint} className="field-description mb-2">
          {accepted}
        </p>
      )}
      {value ? (
        <div className="file-upload-current d-flex flex-wrap align-items-center gap-2 mb-2">
          <span className="visually-hidden">{t('uploaded')}</span>
          {download ? (
            <a href={download} className="file-upload-name" data-testid="attachment-link">
              {value.file_name}
              <span className="visually-hidden"> ({t('download')})</span>
            </a>
          ) : (
            <span className="file-upload-name">{value.file_name}</span>
          )}
          <span className="file-upload-size">({formatBytes(value.size_bytes, lang)})</span>
        </div>
      ) : (
        !busy && <p className="mb-2 file-upload-empty">{t('none')}</p>
      )}
      {busy && (
        <div className="file-upload-progress mb-2">
          <div
            className="progress"
            role="progressbar"
            aria-label={t('uploading')}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={progress}
          >
            <div className="progress-bar" style={{ width: `${progress}%` }} />
          </div>
          <p className="small mb-0 mt-1">
            {t('uploading')}… {progress}%
          </p>
        </div>
      )}
      <div className="d-flex flex-wrap align-items-center gap-2">
        <input
          ref={inputRef}
          id={ids.input}
          type="file"
          className="upload"
          accept={options?.types.join(',')}
          disabled={busy || props.disabled || props.readonly}
          aria-describedby={[accepted ? ids.hint : null, errors.length ? ids.error : null].filter(Boolean).join(' ')}
          aria-invalid={errors.length > 0 || undefined}
          onChange={(e) => onFile(e.target.files?.[0])}
        />
        <label htmlFor={ids.input} className="file-upload-button">
          {value ? t('replace') : t('choose')}
          <span className="visually-hidden">: {title}</span>
        </label>
        {value && (
          <button
            type="button"
            className="btn btn-outline-danger btn-sm file-upload-remove"
            onClick={remove}
            disabled={busy}
          >
            {t('remove')}
            <span className="visually-hidden">: {value.file_name}</span>
          </button>
        )}
      </div>
      {errors.length > 0 && (
        <div id={ids.error} role="alert" data-testid="upload-error">
          <ul className="error-detail mt-2">
            {errors.map((e, i) => (
              <li key={i} className="text-danger">
                {e}
              </li>
            ))}
          </ul>
        </div>
      )}
      <p className="visually-hidden" aria-live="polite">
        {announcement}
      </p>
    </div>
  )
}
