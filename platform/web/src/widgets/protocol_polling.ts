import { useEffect, useState } from 'react'
import { api, type Submission } from '../api'

/** How often and how long the receipt asks for the protocol number. */
export const POLL_INTERVAL_MS = 1500
export const POLL_TIMEOUT_MS = 60000

/**
 * A submitted application is registered in the protocol by a background job, a moment after the
 * answer to "submit". While it is `submitted` without a number, the submission is read again every
 * POLL_INTERVAL_MS until the number arrives, its status moves on, or POLL_TIMEOUT_MS pass.
 */
export function useProtocolNumber(initial: Submission, tenant: string) {
  const [submission, setSubmission] = useState(initial)
  const [gaveUp, setGaveUp] = useState(false)
  const pending = submission.status === 'submitted' && !submission.protocolNumber
  const waiting = pending && !gaveUp

  useEffect(() => {
    if (!(initial.status === 'submitted' && !initial.protocolNumber)) return
    let stopped = false
    let timer: ReturnType<typeof setTimeout> | undefined
    const started = Date.now()
    const url = `/t/${encodeURIComponent(tenant)}/submissions/${initial.id}`
    const poll = async () => {
      try {
        const r = await api<{ submission: Submission }>('GET', url)
        if (stopped) return
        setSubmission(r.submission)
        if (r.submission.protocolNumber || r.submission.status !== 'submitted') return
      } catch {
        // A failed read is tried again at the next tick, within the same time limit.
      }
      if (stopped) return
      if (Date.now() - started >= POLL_TIMEOUT_MS) setGaveUp(true)
      else timer = setTimeout(poll, POLL_INTERVAL_MS)
    }
    timer = setTimeout(poll, POLL_INTERVAL_MS)
    return () => {
      stopped = true
      clearTimeout(timer)
    }
  }, [initial.id, initial.status, initial.protocolNumber, tenant])

  return { submission, waiting, gaveUp: gaveUp && pending }
}
