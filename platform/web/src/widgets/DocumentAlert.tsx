import type { DocumentAlertDto, DocumentType } from '#shared/contract'
import { useT } from '../i18n'

/**
 * The flag of a list row whose person has documents to renew (the register, the people list): the
 * words say which types are expired or expiring, with a sign before them, so the colour is never
 * the only cue (WCAG 1.4.1).
 */
export function DocumentAlert({ alert }: { alert: DocumentAlertDto | null | undefined }) {
  const { t } = useT()
  if (!alert || (alert.expired.length === 0 && alert.expiring.length === 0)) return null
  const names = (types: DocumentType[]) => types.map((type) => t(`documents.type_${type}`)).join(', ')
  return (
    <span className="d-block" data-testid="document-alert">
      {alert.expired.length > 0 && (
        <span className="badge bg-danger text-wrap text-start me-1" data-testid="document-alert-expired">
          <span aria-hidden="true">⚠ </span>
          {t('documents.alert_expired', { types: names(alert.expired) })}
        </span>
      )}
      {alert.expiring.length > 0 && (
        <span className="badge bg-warning text-wrap text-start" data-testid="document-alert-expiring">
          <span aria-hidden="true">◷ </span>
          {t('documents.alert_expiring', { types: names(alert.expiring) })}
        </span>
      )}
    </span>
  )
}
