import type { ReactNode } from 'react'
import { Link } from 'react-router'
import { ApiRequestError } from '../api/client'
import { useT } from '../i18n'

export function Loading() {
  const { t } = useT()
  return (
    <p role="status" className="portal-loading">
      {t('app.loading')}
    </p>
  )
}

/** A page that cannot be shown: why, and the way back. */
export function Problem({ children }: { children: ReactNode }) {
  const { t } = useT()
  return (
    <div className="portal-problem">
      <p className="lead">{children}</p>
      <Link to="/">{t('app.backHome')}</Link>
    </div>
  )
}

/** A failed read: the server's own message when it sent one (it is in the reader's language). */
export function LoadError({ error, notFound }: { error: unknown; notFound?: string }) {
  const { t } = useT()
  if (error instanceof ApiRequestError && error.status === 404 && notFound) return <Problem>{notFound}</Problem>
  return <Problem>{t('app.genericError')}</Problem>
}
