/**
 * Sending the outbox (outbox.ts) and saying, always, whether everything is sent. Entries go in the
 * order they were made (a class's marks before its closing), in batches the API takes (500 marks,
 * 100 adults' entries); each is taken out of the outbox once the server answered it, accepted,
 * duplicate (already there from an earlier send) or refused. Without a network nothing is lost:
 * sending stops and starts again when the browser says the network is back, and every 20 seconds.
 */
import { useCallback, useEffect, useRef, useState } from 'react'
import type { Lang, PluginScreenProps } from '@sportello/platform/sdk/web'
import { enqueue, isNetworkFailure, pending, remove, type OutboxEntry } from './outbox'

type Api = PluginScreenProps['api']

export interface Refusal {
  id: string
  message: string
}

interface MarkAnswer {
  results: Array<{ id: string; result: 'accepted' | 'duplicate' | 'rejected'; message?: string }>
}

/** Answers that will never change on a resend: the entry is dropped and the refusal shown. */
const FINAL_REFUSALS = new Set([400, 403, 404, 409, 422])

const statusOf = (error: unknown) =>
  error && typeof error === 'object' && 'status' in error ? Number((error as { status: unknown }).status) : 0
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error))

/** Consecutive entries of the same kind and source, so that each batch is one request. */
function runs(entries: OutboxEntry[]) {
  const out: OutboxEntry[][] = []
  for (const entry of entries) {
    const last = out.at(-1)
    const limit = entry.kind === 'mark' ? 500 : entry.kind === 'adults' ? 100 : 1
    if (last && last[0].kind === entry.kind && last[0].source === entry.source && last.length < limit) last.push(entry)
    else out.push([entry])
  }
  return out
}

async function sendRun(api: Api, run: OutboxEntry[]): Promise<Refusal[]> {
  const source = run[0].source
  if (run[0].kind === 'close') {
    await api('POST', '/refezione/attendance/close', { source, ...run[0].body })
    return []
  }
  const answer =
    run[0].kind === 'mark'
      ? await api<MarkAnswer>('POST', '/refezione/attendance/marks', {
          source,
          marks: run.map((e) => ({ id: e.id, ...e.body })),
        })
      : await api<MarkAnswer>('POST', '/refezione/attendance/adults', {
          source,
          entries: run.map((e) => ({ id: e.id, ...e.body })),
        })
  return answer.results.filter((r) => r.result === 'rejected').map((r) => ({ id: r.id, message: r.message ?? '' }))
}

export interface Outbox {
  /** What is still on the device, oldest first. */
  entries: OutboxEntry[]
  online: boolean
  sending: boolean
  /** Entries the server refused (they are not resent): what it said. */
  refusals: Refusal[]
  /** The last failure that kept entries on the device (server down, session expired). */
  problem: string | null
  add: (entries: OutboxEntry[]) => Promise<void>
  flush: () => Promise<void>
}

export function useOutbox(api: Api, tenant: string, onSent: () => void): Outbox {
  const [entries, setEntries] = useState<OutboxEntry[]>([])
  const [online, setOnline] = useState(typeof navigator === 'undefined' ? true : navigator.onLine)
  const [sending, setSending] = useState(false)
  const [refusals, setRefusals] = useState<Refusal[]>([])
  const [problem, setProblem] = useState<string | null>(null)
  const busy = useRef(false)
  const again = useRef(false)
  const sentHook = useRef(onSent)
  sentHook.current = onSent

  const reload = useCallback(async () => setEntries(await pending(tenant)), [tenant])

  const flush = useCallback(async () => {
    // One send at a time; a call during a send asks for one more round after it.
    if (busy.current) {
      again.current = true
      return
    }
    busy.current = true
    setSending(true)
    let sentSomething = false
    try {
      do {
        again.current = false
        const todo = await pending(tenant)
        for (const run of runs(todo)) {
          try {
            const refused = await sendRun(api, run)
            if (refused.length) setRefusals((r) => [...r, ...refused].slice(-20))
            await remove(run.map((e) => e.id))
            sentSomething = true
            setProblem(null)
          } catch (error) {
            if (isNetworkFailure(error)) {
              setOnline(false)
              return
            }
            if (FINAL_REFUSALS.has(statusOf(error))) {
              setRefusals((r) => [...r, ...run.map((e) => ({ id: e.id, message: messageOf(error) }))].slice(-20))
              await remove(run.map((e) => e.id))
              continue
            }
            setProblem(messageOf(error))
            return
          }
        }
        if (todo.length) setOnline(true)
      } while (again.current)
    } finally {
      busy.current = false
      setSending(false)
      await reload()
      if (sentSomething) sentHook.current()
    }
  }, [api, tenant, reload])

  const add = useCallback(
    async (fresh: OutboxEntry[]) => {
      for (const entry of fresh) await enqueue(entry)
      await reload()
      void flush()
    },
    [reload, flush]
  )

  useEffect(() => {
    void reload().then(() => flush())
    const up = () => {
      setOnline(true)
      void flush()
    }
    const down = () => setOnline(false)
    window.addEventListener('online', up)
    window.addEventListener('offline', down)
    return () => {
      window.removeEventListener('online', up)
      window.removeEventListener('offline', down)
    }
  }, [reload, flush])

  useEffect(() => {
    if (entries.length === 0) return
    const timer = window.setInterval(() => void flush(), 20_000)
    return () => window.clearInterval(timer)
  }, [entries.length, flush])

  return { entries, online, sending, refusals, problem, add, flush }
}

const TEXT = {
  it: {
    allSent: 'Tutto inviato',
    notSent: (n: number) => `Non inviato: ${n === 1 ? '1 segnatura' : `${n} segnature`} sul tablet`,
    offline: 'Senza rete: le segnature restano sul tablet e partono appena torna la rete.',
    sending: 'Invio in corso…',
    retry: 'Invia ora',
    refused: 'Non accettate dal server:',
    problem: 'Invio sospeso:',
  },
  en: {
    allSent: 'Everything sent',
    notSent: (n: number) => `Not sent: ${n === 1 ? '1 mark' : `${n} marks`} on this tablet`,
    offline: 'No network: marks stay on the tablet and are sent as soon as the network returns.',
    sending: 'Sending…',
    retry: 'Send now',
    refused: 'Refused by the server:',
    problem: 'Sending paused:',
  },
}

/** The banner that always says whether everything is sent. */
export function SyncStatus({ outbox, lang }: { outbox: Outbox; lang: Lang }) {
  const text = TEXT[lang]
  const waiting = outbox.entries.length
  return (
    // Sticky: however far down the class list the teacher is, the banner stays in sight.
    <div className="mb-3 sticky-top bg-white pt-2" data-testid="refezione-sync">
      <div
        role="status"
        aria-live="polite"
        className="d-flex flex-wrap align-items-center gap-3 p-3 rounded border border-2"
        style={
          waiting
            ? { background: '#fff3cd', borderColor: '#8a6d00', color: '#1a1a1a' }
            : { background: '#e6f4ea', borderColor: '#00703c', color: '#1a1a1a' }
        }
      >
        <strong className="fs-5" data-testid="refezione-sync-state">
          {waiting ? text.notSent(waiting) : text.allSent}
        </strong>
        {outbox.sending && <span>{text.sending}</span>}
        {!outbox.online && <span data-testid="refezione-offline">{text.offline}</span>}
        {waiting > 0 && outbox.online && !outbox.sending && (
          <button type="button" className="btn btn-outline-primary ms-auto" onClick={() => void outbox.flush()}>
            {text.retry}
          </button>
        )}
      </div>
      {outbox.problem && (
        <p className="text-danger mt-2 mb-0">
          {text.problem} {outbox.problem}
        </p>
      )}
      {outbox.refusals.length > 0 && (
        <div className="alert alert-danger mt-2 mb-0" data-testid="refezione-refusals">
          {text.refused}
          <ul className="mb-0">
            {outbox.refusals.map((r) => (
              <li key={r.id}>{r.message}</li>
            ))}
          </ul>
        </div>
      )}
    </div>
  )
}
