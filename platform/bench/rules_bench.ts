/**
 * Benchmark of the rules engine's batch path on `refezione.tariffa`: 200,000 generated fact sets
 * through `evaluateMany` (validation, compiled conditions, table lookup, decimal output, no
 * trace), against a hand-written TypeScript function of the same tariff. Both results are
 * checked to be identical before the timings are printed.
 *
 * Run with `npm run bench` from the repository root.
 */
import { readFileSync } from 'node:fs'
import { evaluateMany } from '../app/rules/engine.js'
import type { RuleSetDocument } from '../app/rules/types.js'

const COUNT = Number(process.env.BENCH_COUNT ?? 200_000)
const AT = '2021-10-01'
const doc = JSON.parse(
  readFileSync(new URL('../../rules/refezione/refezione.tariffa.json', import.meta.url), 'utf8')
) as RuleSetDocument

// Deterministic generator (mulberry32), so every run measures the same data.
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function generate(count: number): Array<Record<string, unknown>> {
  const next = rng(20211001)
  const residences = ['piacenza', 'piacenza', 'piacenza', 'gossolengo', 'other']
  const out: Array<Record<string, unknown>> = []
  for (let i = 0; i < count; i++) {
    const cents = Math.floor(next() * 2_500_000)
    const facts: Record<string, unknown> = { residence: residences[Math.floor(next() * residences.length)] }
    const r = next()
    if (r < 0.1) facts.isee = null
    else if (r < 0.55) facts.isee = cents / 100
    else facts.isee = (cents / 100).toFixed(2)
    facts.children_in_paid_services = 1 + Math.floor(next() * 4)
    if (next() < 0.15) facts.family_card_children = 1 + Math.floor(next() * 6)
    if (next() < 0.05) facts.disability_104 = true
    if (next() < 0.02) facts.foster_care = true
    out.push(facts)
  }
  return out
}

// The same tariff written by hand (Allegato D, refezione), as a baseline: plain branches and a
// literal table, with the input checks a real endpoint would still need.
const CELLS: Record<string, string[]> = {
  intera: ['5.69', '5.12', '4.56', '3.98', '2.85'],
  ridotta: ['3.43', '3.09', '2.74', '2.41', '1.72'],
  minima: ['1.79', '1.62', '1.43', '1.26', '0.90'],
}
function handWritten(f: Record<string, unknown>): { amount: string; band: string | null } {
  const residence = f.residence
  if (residence !== 'piacenza' && residence !== 'gossolengo' && residence !== 'other') throw new Error('residence')
  if (residence === 'other') return { amount: '5.89', band: null }
  if (f.foster_care === true) return { amount: '0.00', band: null }
  const isee = f.isee === null || f.isee === undefined ? null : Number(f.isee)
  if (isee !== null && !(isee >= 0)) throw new Error('isee')
  let band = isee === null || isee > 9000 ? 'intera' : isee > 4300 ? 'ridotta' : 'minima'
  if (f.disability_104 === true) band = band === 'intera' ? 'ridotta' : 'minima'
  const attending = (f.children_in_paid_services as number | undefined) ?? 1
  const card = (f.family_card_children as number | null | undefined) ?? null
  const hasCard = card !== null
  const counted = hasCard && card >= attending ? card : attending
  const column = hasCard && counted >= 5 ? 4 : hasCard && counted >= 4 ? 3 : counted >= 3 ? 2 : counted === 2 ? 1 : 0
  return { amount: CELLS[band][column], band }
}

let peakRss = 0
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss)
}, 5)
sampler.unref()

/*
 * Each figure is the best of ROUNDS runs, in CPU time of this process (user + system, GC threads
 * included) rather than wall time: on a shared machine another process's load then does not
 * count against either side.
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)

function timeOnce<T>(fn: () => T): { value: T; seconds: number } {
  const start = process.cpuUsage()
  const value = fn()
  const used = process.cpuUsage(start)
  return { value, seconds: (used.user + used.system) / 1e6 }
}

/** Runs `fn` ROUNDS times; keeps the best time and the last value (earlier values are dropped at once). */
function best<T>(fn: () => T): { value: T; seconds: number } {
  let run = timeOnce(fn)
  let seconds = run.seconds
  for (let round = 1; round < ROUNDS; round++) {
    run = { value: undefined as T, seconds: 0 } // the previous value can go before the next run
    run = timeOnce(fn)
    seconds = Math.min(seconds, run.seconds)
  }
  return { value: run.value, seconds }
}

const facts = generate(COUNT)

// Warm-up (JIT, compilation cache) on the whole set, then the measured runs.
evaluateMany(doc, AT, facts, { trace: false })
facts.map(handWritten)

const engineRun = best(() => evaluateMany(doc, AT, facts, { trace: false }))
peakRss = Math.max(peakRss, process.memoryUsage().rss)
const handRun = best(() => facts.map(handWritten))

// The same facts with every key present, as an import or a form would send them: one shape for all.
const uniform = facts.map((f) => ({
  residence: f.residence,
  isee: f.isee,
  children_in_paid_services: f.children_in_paid_services,
  family_card_children: f.family_card_children ?? null,
  disability_104: f.disability_104 === true,
  foster_care: f.foster_care === true,
}))
const uniformRun = best(() => evaluateMany(doc, AT, uniform, { trace: false }).length)

let mismatches = 0
for (let i = 0; i < COUNT; i++) {
  const a = engineRun.value[i].result
  const b = handRun.value[i]
  if (a.amount !== b.amount || (a.band ?? null) !== b.band) mismatches++
}

const traced = timeOnce(() => evaluateMany(doc, AT, facts.slice(0, 20_000), { trace: true }))

const engineRate = COUNT / engineRun.seconds
const handRate = COUNT / handRun.seconds
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1)
peakRss = Math.max(peakRss, process.memoryUsage().rss)

console.log(`refezione.tariffa, ${COUNT.toLocaleString('en')} fact sets, at ${AT} (best of ${ROUNDS}, CPU time)`)
console.log(
  `  rules engine (evaluateMany, trace off): ${Math.round(engineRate).toLocaleString('en')} evals/s (${engineRun.seconds.toFixed(3)} s)`
)
console.log(
  `  hand-written TypeScript function:       ${Math.round(handRate).toLocaleString('en')} evals/s (${handRun.seconds.toFixed(3)} s)`
)
console.log(
  `  rules engine, every key present:        ${Math.round(COUNT / uniformRun.seconds).toLocaleString('en')} evals/s (${uniformRun.seconds.toFixed(3)} s)`
)
console.log(`  ratio hand-written / engine:            ${(handRate / engineRate).toFixed(1)}×`)
console.log(
  `  rules engine with trace on (20k):       ${Math.round(20_000 / traced.seconds).toLocaleString('en')} evals/s`
)
console.log(`  results identical:                      ${mismatches === 0 ? 'yes' : `NO, ${mismatches} differ`}`)
console.log(
  `  peak RSS:                               ${mb(Math.max(peakRss, process.resourceUsage().maxRSS * 1024))} MB`
)
console.log(`  target ≥ 50,000 evals/s:                ${engineRate >= 50_000 ? 'met' : 'NOT met'}`)
console.log(`  target within 5× of hand-written:       ${handRate / engineRate <= 5 ? 'met' : 'NOT met'}`)
if (mismatches > 0) process.exitCode = 1
