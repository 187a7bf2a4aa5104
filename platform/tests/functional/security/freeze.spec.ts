import { performance, PerformanceObserver } from 'node:perf_hooks'
import { test } from '@japa/runner'
import { jobQueue } from '#queue/queue_factory'
import { spawn } from 'node:child_process'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import testUtils from '@adonisjs/core/services/test_utils'
import { pluginService } from '#services/tenants/plugin_service'
import { makeTenant, makeUser } from '#tests/helpers/world'

/**
 * Abusive requests run while /health is called again and again: each abusive request is refused
 * quickly with a 4xx, and the health check keeps answering within 100 ms all along (the event loop
 * is never held). The bound is generous: a healthy answer takes a few milliseconds here.
 */
const HEALTH_BOUND_MS = 100

const BASE = `http://${process.env.HOST === '0.0.0.0' ? '127.0.0.1' : process.env.HOST}:${process.env.PORT}`

/**
 * The abusive requests are sent from another process: building and sending megabytes is the
 * client's work, and the server's event loop and CPU (this process) are what is measured.
 */
const SENDER = `
let input = ''
process.stdin.on('data', (chunk) => (input += chunk))
process.stdin.on('end', async () => {
  // Started 150 ms apart (each is in flight while the next starts): what is measured is whether one
  // request holds the server, not how long six requests arriving in the same millisecond take.
  const answers = await Promise.all(JSON.parse(input).map(async ({ url, body, cookie }, i) => {
    await new Promise((resolve) => setTimeout(resolve, 150 * i))
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body })
    return { status: response.status, body: await response.text() }
  }))
  process.stdout.write(JSON.stringify(answers))
})
`

function sendFromAnotherProcess(requests: Array<{ url: string; body: string; cookie: string }>) {
  const child = spawn(process.execPath, ['-e', SENDER], { stdio: ['pipe', 'pipe', 'inherit'] })
  let output = ''
  child.stdout.on('data', (chunk) => (output += chunk))
  const answers = new Promise<Array<{ status: number; body: string }>>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code) =>
      code === 0 ? resolve(JSON.parse(output)) : reject(new Error(`sender exited ${code}`))
    )
  })
  child.stdin.end(JSON.stringify(requests))
  return answers
}

async function login(email: string) {
  const response = await fetch(`${BASE}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'secret-password' }),
  })
  if (response.status !== 200) throw new Error(`login ${email}: ${response.status}`)
  return response.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ')
}

/** A full garbage collection now (the flag that exposes `gc` set at run time, for a fresh context). */
function collectGarbage() {
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as () => void
  gc()
}

/**
 * /health called again and again while `work` is in flight. Each call records its wall time and
 * the CPU time this process spent meanwhile: on a machine shared with other jobs a call can wait
 * for a CPU without the server doing anything wrong, so a call is slow only when it took more than
 * the bound in wall time AND this thread's event loop was busy for more than the bound AND the
 * process used that much CPU (the sender's thread counts in the CPU, not in the event loop): that
 * is the event loop held by some request, which is what must never happen. The garbage collector's
 * pauses are recorded apart and not counted: at the end of a full run this process holds the heap
 * of a thousand tests before it, and a collection of that heap is not the work of a request.
 */
async function healthWhile(work: Promise<unknown>) {
  const samples: Array<{ wall: number; cpu: number; loop: number; end: number; gc: number }> = []
  const pauses: Array<{ start: number; end: number }> = []
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries())
      pauses.push({ start: entry.startTime, end: entry.startTime + entry.duration })
  })
  observer.observe({ entryTypes: ['gc'] })
  let done = false
  const finished = work.finally(() => {
    done = true
  })
  try {
    while (!done) {
      const started = performance.now()
      const cpu = process.cpuUsage()
      const loop = performance.eventLoopUtilization()
      const health = await fetch(`${BASE}/health`)
      await health.arrayBuffer()
      const used = process.cpuUsage(cpu)
      const ended = performance.now()
      samples.push({
        wall: ended - started,
        cpu: (used.user + used.system) / 1000,
        loop: performance.eventLoopUtilization(loop).active,
        end: ended,
        gc: 0,
      })
      if (health.status !== 200) throw new Error(`/health answered ${health.status}`)
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    await finished
    // Pause entries arrive asynchronously: wait a tick, then give each call the collection time inside it.
    await new Promise((resolve) => setTimeout(resolve, 20))
  } finally {
    observer.disconnect()
  }
  for (const sample of samples) {
    const start = sample.end - sample.wall
    sample.gc = pauses.reduce((sum, p) => sum + Math.max(0, Math.min(sample.end, p.end) - Math.max(start, p.start)), 0)
  }
  return samples
}

test.group('Abusive requests do not freeze the server', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('huge numbers, huge batches and a runaway js: formula are refused while /health answers within 100 ms', async ({
    client,
    assert,
  }) => {
    const tenant = await makeTenant()
    await pluginService.enable(tenant, 'refezione')
    await pluginService.enable(tenant, 'nidi')
    const citizen = await makeUser(tenant, ['citizen'])
    // A tenant admin publishes (a designer only where the tenant allows it).
    const designer = await makeUser(tenant, ['tenant_admin'])
    const rulesets = `/api/v1/t/${tenant.slug}/rulesets`

    const nidi = await client.get(`${rulesets}/nidi.retta`).loginAs(designer)
    const versions = nidi.body().ruleset.versions
    const runaway = structuredClone(versions[versions.length - 1].body)
    delete runaway.version
    runaway.valid_from = '2030-09-01'
    runaway.valid_to = null
    // A designer's js: formula that misbehaves only on some input (the maximum fee part-time): its
    // test cases pass, it is published, and a citizen's evaluation later runs into it.
    runaway.formulas.part_time.expression =
      "js: Number(retta) >= 529 ? '9'.repeat(1e6) : retta * (1 - riduzione_part_time)"
    runaway.tests = runaway.tests.map((tc: Record<string, unknown>) => ({ ...tc, at: '2030-10-01' }))

    // Warm up: the first request of a kind compiles code, which is not what is measured.
    await fetch(`${BASE}/health`)
    // A rule set version is compiled the first time it is used (tens of milliseconds, once): both
    // rule sets are used once before, as they would have been on a running server.
    await client
      .post(`${rulesets}/refezione.tariffa/evaluate`)
      .json({ at: '2026-01-15', facts: { residence: 'piacenza', isee: 8000 } })
      .loginAs(citizen)
    const published = await client.post(`${rulesets}/nidi.retta/versions`).json(runaway).loginAs(designer)
    published.assertStatus(201)
    await client
      .post(`${rulesets}/nidi.retta/evaluate`)
      .json({ at: '2030-10-01', facts: { residence: 'piacenza', isee: 10000, part_time: true } })
      .loginAs(citizen)
    await client
      .post(`/api/v1/t/${tenant.slug}/forms/refezione.iscrizione/tariff.pdf`)
      .json({ data: { household_residence: 'piacenza', isee_choice: 'declared', isee_value: '8000' } })
      .loginAs(citizen)

    // Jobs earlier tests queued run in this process too (the in-process queue): they end first, so
    // that what holds the event loop, if anything, is one of the requests below.
    await jobQueue().drained()
    // And the measurement starts on a collected heap, so that a collection of what earlier tests left
    // is less likely to fall inside it (such pauses are set apart anyway, see healthWhile).
    collectGarbage()
    // Bodies are serialised before the clock starts: the test client shares the event loop.
    const json = (value: unknown) => JSON.stringify(value)
    const bodies = [
      json({ at: '2026-01-15', facts: { residence: 'piacenza', isee: '9'.repeat(40_000) } }),
      json({ at: '2026-01-15', facts: { residence: 'piacenza', isee: '9'.repeat(1_000_000) } }),
      json({ at: '2026-01-15', facts: Array.from({ length: 40_000 }, () => ({ residence: 'piacenza', isee: 8000 })) }),
      json({ at: '2026-01-15', facts: Array.from({ length: 2_000 }, () => ({ residence: 'piacenza', isee: 8000 })) }),
      json({ at: '2030-10-01', facts: { residence: 'other', part_time: true } }),
      json({ data: { household_residence: 'piacenza', isee_choice: 'declared', isee_value: '9'.repeat(40_000) } }),
    ]
    const urls = [
      `${rulesets}/refezione.tariffa/evaluate`,
      `${rulesets}/refezione.tariffa/evaluate`,
      `${rulesets}/refezione.tariffa/evaluate`,
      `${rulesets}/refezione.tariffa/evaluate`,
      `${rulesets}/nidi.retta/evaluate`,
      `/api/v1/t/${tenant.slug}/forms/refezione.iscrizione/tariff.pdf`,
    ]
    const cookies = { citizen: await login(citizen.email) }
    const sent = sendFromAnotherProcess(
      bodies.map((body, i) => ({ url: BASE + urls[i], body, cookie: cookies.citizen }))
    )
    const samples = await healthWhile(sent)
    const answers = (await sent).map(({ status, body }) => ({
      status: () => status,
      assertStatus: (expected: number) => assert.equal(status, expected, body.slice(0, 300)),
      body: () => JSON.parse(body),
    }))
    const [digits, million, batch, longBatch, formula, pdf] = answers

    digits.assertStatus(422)
    assert.include(JSON.stringify(digits.body().errors), 'al massimo 40')
    // Past the JSON body limit: refused while it is read, before anything parses it.
    million.assertStatus(413)
    assert.include(million.body().errors[0].message, '256 KB')
    batch.assertStatus(413)
    // Within the body limit, past the batch limit: refused naming it.
    longBatch.assertStatus(413)
    assert.include(longBatch.body().errors[0].message, 'al massimo 200')
    formula.assertStatus(422)
    assert.include(JSON.stringify(formula.body()), 'caratteri')
    assert.isBelow(pdf.status(), 500)

    assert.isAbove(samples.length, 0)
    const slow = samples.filter(
      (s) => s.wall - s.gc > HEALTH_BOUND_MS && s.loop - s.gc > HEALTH_BOUND_MS && s.cpu - s.gc > HEALTH_BOUND_MS
    )
    const shown = samples
      .map((s) => `${Math.round(s.wall)}/${Math.round(s.loop)}/${Math.round(s.cpu)}/${Math.round(s.gc)}`)
      .join(', ')
    assert.deepEqual(slow, [], `health calls (wall/event loop busy/cpu/garbage collection ms): ${shown}`)
  }).timeout(120_000)
})
