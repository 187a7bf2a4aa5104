import type { SubmissionStatus } from '#shared/contract'
import { useT } from '../i18n'

/**
 * Each status in the citizen's words and its own colour: grey while a draft, blue while the
 * offices have it, amber when the citizen must act, green accepted, red rejected.
 */
const COLOURS: Record<SubmissionStatus, string> = {
  draft: 'secondary',
  submitted: 'primary',
  protocolled: 'primary',
  needs_completion: 'warning',
  accepted: 'success',
  rejected: 'danger',
}

export function StatusBadge({ status, testId }: { status: SubmissionStatus; testId?: string }) {
  const { t } = useT()
  // Statuses come from the shared contract: one the server adds is a type error here until labelled.
  return (
    <span className={`badge status-badge bg-${COLOURS[status]}`} data-testid={testId}>
      {t(`status.${status}`)}
    </span>
  )
}
