/*
 * The traffic and the checks of scripts/prod-smoke.sh, which starts the processes and passes
 * their addresses here: submissions through the proxy (round robin over two web processes) and
 * across them (logged in on one, sent on the other), one worker killed with SIGKILL while it
 * holds jobs, then every submission protocolled once and receipted once, the killed worker's
 * jobs finished by the other one, and no job failed. Exits non-zero with a message on a failure.
 */
import { readdir, readFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { Redis } from 'ioredis'
import {
  childFiscalCode,
  identityPdf,
  refezioneSample,
  REFEZIONE_FORM,
  SportelloSession,
  until,
} from './lib/sportello_client.mjs'

const env = process.env
const TENANT = 'piacenza'
const CITIZEN = 'cittadino@piacenza.demo'
const COUNT = Number(env.SMOKE_SUBMISSIONS ?? 40)
const CONCURRENCY = 8
const KEY = `${env.QUEUE_PREFIX}:sportello`
const victimName = `${hostname()}:${env.SMOKE_VICTIM_PID}`
const survivorName = `${hostname()}:${env.SMOKE_SURVIVOR_PID}`

const failures = []
const check = (ok, message) => {
  if (!ok) failures.push(message)
  return ok
}
const log = (message) => process.stdout.write(`smoke: ${message}\n`)

const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 3 })
const db = new pg.Client({
  host: env.PG_HOST,
  port: Number(env.PG_PORT),
  user: env.PG_USER,
  password: env.PG_PASSWORD,
  database: env.PG_DB_NAME,
})
await db.connect()

/** One canteen enrolment: its own identity document uploaded, then sent. */
async function send(session, tag) {
  const data = await refezioneSample()
  data.identity_document = await session.upload(
    TENANT,
    REFEZIONE_FORM,
    '/identity_document',
    `ci-${tag}.pdf`,
    identityPdf(tag)
  )
  // Each enrolment for a child of its own: a second application for the same child is refused.
  data.student = { ...data.student, fiscal_code: childFiscalCode(children++) }
  const submission = await session.submit(TENANT, REFEZIONE_FORM, data)
  return submission.id
}
let children = 0

/** Watches the queue and kills the victim worker with SIGKILL as soon as it is running jobs. */
async function killVictimMidJob() {
  const deadline = Date.now() + 60000
  while (Date.now() < deadline) {
    const active = await redis.lrange(`${KEY}:active`, 0, -1)
    const held = []
    for (const id of active) if ((await redis.hget(`${KEY}:${id}`, 'pb')) === victimName) held.push(id)
    if (held.length) {
      process.kill(Number(env.SMOKE_VICTIM_PID), 'SIGKILL')
      log(`killed worker ${env.SMOKE_VICTIM_PID} (SIGKILL) while it ran ${held.length} job(s): ${held.join(', ')}`)
      return held
    }
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  throw new Error('the worker to kill never ran a job within 60 s: are the workers consuming?')
}

const started = Date.now()
const proxied = await new SportelloSession(env.SMOKE_PROXY).login(CITIZEN)
// Logged in on the first web process, sending on the second: the session is no process's memory.
const crossing = (await new SportelloSession(env.SMOKE_WEB1).login(CITIZEN)).on(env.SMOKE_WEB2)

const killing = killVictimMidJob()
const ids = []
let next = 0
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (next < COUNT) {
      const n = next++
      const session = n % 10 === 9 ? crossing : proxied
      ids.push(await send(session, `smoke-${n}`))
    }
  })
)
log(`${ids.length} submissions sent in ${((Date.now() - started) / 1000).toFixed(1)} s`)
const held = await killing

// Everything done: every submission protocolled, every receipt mailed.
const placeholders = ids.map((_, i) => `$${i + 1}`).join(',')
await until(
  `all ${COUNT} submissions protocolled`,
  async () => {
    const { rows } = await db.query(
      `select count(*)::int as n from submissions where status = 'protocolled' and id in (${placeholders})`,
      ids
    )
    return rows[0].n === COUNT
  },
  120000,
  500
)
async function receipts() {
  const byId = new Map()
  for (const file of await readdir(env.SMOKE_MAIL_DIR)) {
    const text = await readFile(join(env.SMOKE_MAIL_DIR, file), 'latin1')
    const messageId = /^message-id:\s*(<[^>]+>)/im.exec(text)?.[1]
    const submission = /^<receipt\.\d+\.(\d+)\./.exec(messageId ?? '')?.[1]
    if (!submission) continue
    const copies = byId.get(Number(submission)) ?? new Map()
    copies.set(messageId, (copies.get(messageId) ?? 0) + 1)
    byId.set(Number(submission), copies)
  }
  return byId
}
await until(
  `${COUNT} receipts in the mail capture`,
  async () => {
    const mails = await receipts()
    return ids.every((id) => mails.has(id))
  },
  60000,
  500
)
await until(
  'the queue to be idle',
  async () => (await redis.llen(`${KEY}:active`)) === 0 && (await redis.llen(`${KEY}:wait`)) === 0,
  60000,
  250
)
log(`all protocolled and receipted ${((Date.now() - started) / 1000).toFixed(1)} s after the first request`)

// Protocolled once: one status change, one register entry, one number each.
const events = await db.query(
  `select submission_id, count(*)::int as n from submission_events where to_status = 'protocolled' and submission_id in (${placeholders}) group by submission_id`,
  ids
)
check(
  events.rows.length === COUNT && events.rows.every((r) => r.n === 1),
  `each submission must be protocolled once: ${JSON.stringify(events.rows.filter((r) => r.n !== 1))}`
)
const entries = await db.query(
  `select e.idempotency_key, e.number from protocol_entries e join tenants t on t.id = e.tenant_id where t.slug = $1 and e.idempotency_key = any($2)`,
  [TENANT, ids.map((id) => `submission:${id}`)]
)
check(entries.rows.length === COUNT, `one protocol register entry per submission: ${entries.rows.length} for ${COUNT}`)
check(new Set(entries.rows.map((r) => r.number)).size === entries.rows.length, 'protocol numbers must all differ')
const numbers = await db.query(`select id, protocol_number from submissions where id in (${placeholders})`, ids)
check(
  numbers.rows.every((r) => r.protocol_number),
  'every submission carries its protocol number'
)

// Receipted once: one message per submission. A copy of the same message (same Message-ID) is what
// at-least-once delivery gives when a worker dies between the SMTP server's acceptance and the job's
// completion: reported, and told apart from a second, different receipt, which fails.
const mails = await receipts()
for (const id of ids) {
  const copies = mails.get(id)
  if (!check(copies && copies.size === 1, `submission ${id} must have exactly one receipt, found ${copies?.size ?? 0}`))
    continue
  const [count] = copies.values()
  if (count > 1)
    log(`note: submission ${id}'s receipt was delivered ${count} times under one Message-ID (a redelivered job)`)
}

// The killed worker's jobs: taken over and finished by the other worker; no job failed.
for (const id of held) {
  const job = await redis.hmget(`${KEY}:${id}`, 'pb', 'finishedOn', 'failedReason')
  const state = (await redis.zscore(`${KEY}:completed`, id)) !== null ? 'completed' : 'not completed'
  check(state === 'completed', `job ${id}, running on the killed worker, must be completed: ${state} ${job[2] ?? ''}`)
  check(
    job[0] === survivorName,
    `job ${id} must have been finished by the surviving worker ${survivorName}, not ${job[0]}`
  )
}
const failed = await redis.zcard(`${KEY}:failed`)
check(failed === 0, `${failed} job(s) failed: ${(await redis.zrange(`${KEY}:failed`, 0, -1)).join(', ')}`)

// Both web processes served submissions through the proxy.
const access = await readFile(env.SMOKE_ACCESS_LOG, 'utf8')
for (const url of [env.SMOKE_WEB1, env.SMOKE_WEB2]) {
  const upstream = new URL(url).host
  const served = access.split('\n').filter((l) => l.includes('/submit ') && l.includes(`upstream=${upstream}`)).length
  check(served > 0, `the proxy must have sent submissions to ${upstream}`)
  log(`${served} submission(s) through the proxy to ${upstream}`)
}

await db.end()
redis.disconnect()
if (failures.length) {
  process.stderr.write(`smoke: FAILED\n  ${failures.join('\n  ')}\n`)
  process.exit(1)
}
log(
  `OK: ${COUNT} submissions, each protocolled once and receipted once; ${held.length} job(s) of the killed worker finished by the other`
)
