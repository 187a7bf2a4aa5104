/**
 * A person's documents (`/documents`): the list for a person of the register or the child of an
 * enrolment, the upload (multipart), the deletion with its reason. After a change the list is
 * read again.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import type { ApiError, DocumentDto, DocumentsAnswerDto } from '#shared/contract'
import { currentLang } from '../i18n'
import { ApiRequestError, api, tenantBase } from './client'

/** Whose documents: a person of the register or an enrolment (its child). */
export type DocumentSubject = { person_id: number } | { enrolment_id: number }

const subjectQuery = (subject: DocumentSubject) =>
  new URLSearchParams(Object.entries(subject).map(([k, v]) => [k, String(v)]))

export function useDocuments(slug: string, subject: DocumentSubject) {
  const query = subjectQuery(subject).toString()
  return useQuery({
    queryKey: ['documents', slug, query],
    queryFn: () => api<DocumentsAnswerDto>('GET', `${tenantBase(slug)}/documents?${query}`),
    retry: false,
  })
}

/** The address of a document's file: a download, or shown by the browser (`inline`). */
export function documentFileUrl(slug: string, id: number, inline: boolean) {
  return `/api/v1${tenantBase(slug)}/documents/${id}/file${inline ? '?inline=1' : ''}`
}

/** Uploads a document: the form's fields and the file, as multipart, with the session cookie. */
async function upload(slug: string, subject: DocumentSubject, form: FormData) {
  for (const [name, value] of subjectQuery(subject)) form.set(name, value)
  const response = await fetch(`/api/v1${tenantBase(slug)}/documents`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'accept': 'application/json', 'accept-language': currentLang() },
    body: form,
  })
  let payload: { document?: DocumentDto; errors?: ApiError[] } = {}
  try {
    payload = await response.json()
  } catch {
    // A proxy's HTML error page: the status says enough.
  }
  if (!response.ok) {
    throw new ApiRequestError(response.status, payload.errors ?? [{ message: `HTTP ${response.status}` }])
  }
  return payload.document!
}

export function useDocumentUpload(slug: string, subject: DocumentSubject) {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (form: FormData) => upload(slug, subject, form),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['documents', slug] }),
  })
}

export function useDocumentDelete(slug: string) {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (change: { id: number; reason: string }) =>
      api<unknown>('DELETE', `${tenantBase(slug)}/documents/${change.id}`, { reason: change.reason }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['documents', slug] }),
  })
}

/** Changes a document's type, dates or notes (`null` empties a date or the notes). */
export function useDocumentChange(slug: string) {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (change: { id: number; body: Record<string, string | null> }) =>
      api<{ document: DocumentDto }>('PATCH', `${tenantBase(slug)}/documents/${change.id}`, change.body),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['documents', slug] }),
  })
}
