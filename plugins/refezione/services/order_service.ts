import type { PluginContext } from '@sportello/platform/sdk'
import Kitchen from '../models/kitchen.js'
import KitchenSchool from '../models/kitchen_school.js'
import Order, { type NamedDiet, type OrderAdults, type OrderLine, type OrderLines } from '../models/order.js'
import OrderChange from '../models/order_change.js'
import Alert, { type AlertKind } from '../models/alert.js'
import { clock, cutoffOf, say, settingsOf } from './common.js'
import { classLabel } from '../messages.js'
import { schoolsDay, type ClassSummary } from './day_state.js'
import { withNames } from './pupils.js'

declare module '@sportello/platform/sdk' {
  interface DomainEvents {
    /** Something in the meal chain needs a person: a class left open at the cut-off, an unconfirmed order. */
    'refezione.alert': {
      alertId: number
      kind: string
      day: string
      schoolCode: string | null
      kitchenCode: string | null
    }
    /** A kitchen's order for a day was frozen (or revised): the comune's copy of the totals follows it. */
    'refezione.order_frozen': { orderId: number; day: string; kitchenCode: string; meals: number; revision: number }
  }
}

export interface ComputedOrder {
  lines: OrderLines
  specialDiets: NamedDiet[]
  meals: number
  estimated: boolean
  /** Served classes not closed by their school: counted by the fallback rule. */
  open: ClassSummary[]
}

/**
 * A class's line. A closed class counts what the school marked. A class not closed counts by the
 * fallback rule (seed 000; issue "meal chain"): the enrolled children, on a service day, minus the
 * families' cancellations (plain meals as the families asked); its line says it is estimated.
 */
export function lineOf(c: ClassSummary, schoolName: string): { line: OrderLine; diets: NamedDiet[] } {
  const estimated = c.closed === null
  const eaters = eatersOf(c)
  const diets: Record<string, number> = {}
  const named: NamedDiet[] = []
  for (const { child, plain } of eaters) {
    if (!child.pupil.diet) continue
    diets[child.pupil.diet] = (diets[child.pupil.diet] ?? 0) + 1
    named.push({
      school_code: c.schoolCode,
      class_year: c.classYear || null,
      section: c.section,
      first_name: child.pupil.firstName,
      last_name: child.pupil.lastName,
      diet: child.pupil.diet,
      plain,
    })
  }
  return {
    line: {
      school_code: c.schoolCode,
      school_name: schoolName,
      order: c.schoolOrder,
      class_year: c.classYear || null,
      section: c.section,
      meals: eaters.length,
      plain: eaters.filter((e) => e.plain).length,
      diets,
      estimated,
    },
    diets: named,
  }
}

/** The children of a class who eat, by the class's state: as marked if closed, by the fallback rule if not. */
function eatersOf(c: ClassSummary) {
  const estimated = c.closed === null
  return c.children
    .map((child) =>
      estimated
        ? { child, eats: child.served && child.request !== 'cancel', plain: child.request === 'plain' }
        : { child, eats: child.eats, plain: child.plain }
    )
    .filter((e) => e.eats)
}

/** The schools each of these kitchens cooks for, with their classes: three queries whatever their number. */
export async function kitchensSchools(ctx: PluginContext, kitchenCodes: string[]) {
  const client = ctx.trx ?? undefined
  const links = kitchenCodes.length
    ? await KitchenSchool.query({ client }).whereIn('kitchen_code', kitchenCodes).limit(50_000)
    : []
  const kitchenOf = new Map(links.map((l) => [l.schoolCode, l.kitchenCode]))
  const schools = (await ctx.catalog.schools({ service: 'refezione' })).filter((s) => kitchenOf.has(s.code))
  const classes = await ctx.catalog.classesOf(schools.map((s) => s.code))
  return schools.map((s) => ({
    kitchen: kitchenOf.get(s.code)!,
    code: s.code,
    name: s.name,
    order: s.order,
    classes: classes[s.code] ?? [],
  }))
}

/** The schools a kitchen cooks for, with their classes. */
export async function kitchenSchools(ctx: PluginContext, kitchenCode: string) {
  return kitchensSchools(ctx, [kitchenCode])
}

export async function computeOrder(ctx: PluginContext, day: string, kitchenCode: string): Promise<ComputedOrder> {
  return (await computeOrders(ctx, day, [kitchenCode])).get(kitchenCode)!
}

/**
 * The orders of these kitchens for the day, computed together: the day of all their schools is
 * read once (pupils lean, then requests, marks, closings and adults in one pass each), each child
 * goes through the reconciling rule once, and only the names of the children eating a special
 * diet are read and decrypted (the named list). Work linear in the pupils and marks.
 */
export async function computeOrders(
  ctx: PluginContext,
  day: string,
  kitchenCodes: string[]
): Promise<Map<string, ComputedOrder>> {
  const schools = await kitchensSchools(ctx, kitchenCodes)
  const schoolOf = new Map(schools.map((s) => [s.code, s]))
  const state = await schoolsDay(ctx, day, schools)
  // A class with no enrolled child orders nothing and needs no one to close it.
  const served = state.classes.filter((c) => c.served && c.children.length > 0)
  await withNames(
    ctx,
    served.flatMap((c) => eatersOf(c).flatMap((e) => (e.child.pupil.diet ? [e.child.pupil] : [])))
  )
  const out = new Map<string, ComputedOrder>()
  const orderOf = (kitchen: string) => {
    let order = out.get(kitchen)
    if (!order) {
      order = { lines: { classes: [], adults: [] }, specialDiets: [], meals: 0, estimated: false, open: [] }
      out.set(kitchen, order)
    }
    return order
  }
  for (const code of kitchenCodes) orderOf(code)
  for (const c of served) {
    const school = schoolOf.get(c.schoolCode)
    // A child in a school no kitchen of these cooks for (the catalog moved it) is not theirs to count.
    if (!school) continue
    const order = orderOf(school.kitchen)
    const { line, diets } = lineOf(c, school.name)
    order.lines.classes.push(line)
    order.specialDiets.push(...diets)
    order.meals += line.meals
    if (line.estimated) {
      order.estimated = true
      order.open.push(c)
    }
  }
  const adults = new Map<string, OrderAdults>()
  for (const a of state.adults) {
    const school = schoolOf.get(a.schoolCode)
    if (!school) continue
    const key = `${a.schoolCode}|${a.slot}`
    let row = adults.get(key)
    if (!row) {
      row = { school_code: a.schoolCode, slot: a.slot, teachers: 0, others: 0 }
      adults.set(key, row)
      orderOf(school.kitchen).lines.adults.push(row)
    }
    if (a.kind === 'teacher') row.teachers += a.count
    else row.others += a.count
  }
  return out
}

interface AlertInput {
  day: string
  kind: AlertKind
  schoolCode?: string
  kitchenCode?: string
  classYear?: string
  section?: string
  message: string
}

const alertKey = (a: { kind: string; schoolCode: string; kitchenCode: string; classYear: string; section: string }) =>
  [a.kind, a.schoolCode, a.kitchenCode, a.classYear, a.section].join('|')

/**
 * Writes each alert once (per day, kind and place) and tells the plugins listening, in the caller's
 * transaction: the day's alerts of these kinds are read in one query, only the missing ones are
 * written, together (a day with many open classes costs a few statements, not two per class).
 */
async function raiseAll(ctx: PluginContext, day: string, inputs: AlertInput[]) {
  if (inputs.length === 0) return
  const client = ctx.trx!
  const kinds = [...new Set(inputs.map((i) => i.kind))]
  const existing = await Alert.query({ client })
    .where('day', day)
    .whereIn('kind', kinds)
    .select('kind', 'school_code', 'kitchen_code', 'class_year', 'section')
    .pojo<{ kind: string; school_code: string; kitchen_code: string; class_year: string; section: string }>()
  const seen = new Set(
    existing.map((a) =>
      alertKey({
        kind: a.kind,
        schoolCode: a.school_code,
        kitchenCode: a.kitchen_code,
        classYear: a.class_year,
        section: a.section,
      })
    )
  )
  const missing: Array<AlertInput & { schoolCode: string; kitchenCode: string; classYear: string; section: string }> =
    []
  for (const input of inputs) {
    const key = {
      day,
      kind: input.kind,
      schoolCode: input.schoolCode ?? '',
      kitchenCode: input.kitchenCode ?? '',
      classYear: input.classYear ?? '',
      section: input.section ?? '',
    }
    if (seen.has(alertKey(key))) continue
    seen.add(alertKey(key))
    missing.push({ ...key, message: input.message })
  }
  const alerts = await Alert.createAll(missing, { client })
  for (const alert of alerts) {
    await ctx.events.emit('refezione.alert', {
      alertId: alert.id,
      kind: alert.kind,
      day: alert.day,
      schoolCode: alert.schoolCode || null,
      kitchenCode: alert.kitchenCode || null,
    })
  }
}

/** A kitchen's order as frozen now. */
const frozenOrder = (day: string, kitchenCode: string, computed: ComputedOrder) => ({
  day,
  kitchenCode,
  status: 'frozen' as const,
  frozenAt: clock.now().toUTC().toISO()!,
  confirmedAt: null,
  confirmedBy: null,
  estimated: computed.estimated,
  meals: computed.meals,
  revision: 1,
  lines: computed.lines,
  specialDiets: computed.specialDiets,
})

/** Tells the plugins listening that an order was frozen, in the caller's transaction. */
const emitFrozen = (tctx: PluginContext, row: Order) =>
  tctx.events.emit('refezione.order_frozen', {
    orderId: row.id,
    day: row.day,
    kitchenCode: row.kitchenCode,
    meals: row.meals,
    revision: row.revision,
  })

/** The alerts of the classes an order counted by the fallback rule (not closed by the cut-off). */
const openClassAlerts = (tctx: PluginContext, day: string, kitchenCode: string, computed: ComputedOrder) =>
  computed.open.map((c) => ({
    day,
    kind: 'class_not_closed' as const,
    schoolCode: c.schoolCode,
    kitchenCode,
    classYear: c.classYear,
    section: c.section,
    // Kept in Italian, the office's language; GET /alerts answers each in the reader's.
    message: tctx.t(
      'alert.class_not_closed',
      { label: classLabel(c.classYear, c.section), school: c.schoolCode, day },
      'it'
    ),
  }))

/**
 * Freezes every kitchen's order for the day that has none yet, with their alerts and events, in one
 * transaction and multi-row inserts: a run that dies halfway leaves no order, and the next run makes
 * them all; one commit for the day instead of one per kitchen. Should another run have frozen one of
 * these kitchens meanwhile (the unique day + kitchen key refuses a second), nothing of this run's
 * transaction stands, and each kitchen is written again in its own, the other run's orders left as
 * they are.
 */
export async function freezeDay(ctx: PluginContext, day: string) {
  const kitchens = await Kitchen.query().orderBy('code').limit(1000)
  const done = new Set((await Order.query().where('day', day).select('kitchen_code')).map((o) => o.kitchenCode))
  const todo = kitchens.filter((k) => !done.has(k.code))
  const computedAll = todo.length
    ? await computeOrders(
        ctx,
        day,
        todo.map((k) => k.code)
      )
    : new Map<string, ComputedOrder>()
  const ready = todo
    .map((kitchen) => ({ kitchen, computed: computedAll.get(kitchen.code)! }))
    .filter(({ computed }) => computed.lines.classes.length > 0)
  if (ready.length === 0) return []
  try {
    return await ctx.transaction(async (tctx) => {
      const frozen = await Order.createAll(
        ready.map(({ kitchen, computed }) => frozenOrder(day, kitchen.code, computed)),
        { client: tctx.trx! }
      )
      for (const row of frozen) await emitFrozen(tctx, row)
      await raiseAll(
        tctx,
        day,
        ready.flatMap(({ kitchen, computed }) => openClassAlerts(tctx, day, kitchen.code, computed))
      )
      return frozen
    })
  } catch {
    return freezeEach(ctx, day, ready)
  }
}

/** Each kitchen's order in its own transaction, those another run froze meanwhile left as they are. */
async function freezeEach(
  ctx: PluginContext,
  day: string,
  ready: Array<{ kitchen: Kitchen; computed: ComputedOrder }>
) {
  const frozen: Order[] = []
  for (const { kitchen, computed } of ready) {
    try {
      frozen.push(
        await ctx.transaction(async (tctx) => {
          const row = await Order.create(frozenOrder(day, kitchen.code, computed), { client: tctx.trx! })
          await emitFrozen(tctx, row)
          await raiseAll(tctx, day, openClassAlerts(tctx, day, kitchen.code, computed))
          return row
        })
      )
    } catch (error) {
      // Another run froze this kitchen meanwhile: its order stands.
      if (!(await Order.query().where('day', day).where('kitchen_code', kitchen.code).first())) throw error
    }
  }
  return frozen
}

/**
 * Raises an alert for each order still unconfirmed once the tenant's delay after the cut-off has
 * passed: all of the day's in one transaction, the alerts already raised read once.
 */
export async function remindUnconfirmed(ctx: PluginContext, day: string) {
  const settings = await settingsOf(ctx)
  if (clock.now() < cutoffOf(day, settings).plus({ minutes: settings.kitchen_confirm_minutes })) return 0
  const waiting = await Order.query().where('day', day).where('status', 'frozen').limit(1000)
  if (waiting.length === 0) return 0
  await ctx.transaction((tctx) =>
    raiseAll(
      tctx,
      day,
      waiting.map((order) => ({
        day,
        kind: 'order_unconfirmed' as const,
        kitchenCode: order.kitchenCode,
        message: tctx.t(
          'alert.order_unconfirmed',
          { kitchen: order.kitchenCode, day, minutes: settings.kitchen_confirm_minutes },
          'it'
        ),
      }))
    )
  )
  return waiting.length
}

/** The cut-off job: once the day's cut-off has passed, freeze what is not frozen and chase what is unconfirmed. */
export async function cutoffRun(ctx: PluginContext, day?: string) {
  const settings = await settingsOf(ctx)
  const target = day ?? clock.now().toISODate()!
  if (clock.now() < cutoffOf(target, settings)) return { day: target, frozen: 0 }
  const frozen = await freezeDay(ctx, target)
  await remindUnconfirmed(ctx, target)
  return { day: target, frozen: frozen.length }
}

/** The kitchen confirms it has the order; confirming again changes nothing. */
export async function confirmOrder(order: Order, userId: number) {
  if (order.status === 'confirmed') return order
  order.merge({ status: 'confirmed', confirmedAt: clock.now().toUTC().toISO()!, confirmedBy: userId })
  await order.save()
  return order
}

/**
 * A change after the cut-off: the order is computed again from what is recorded now (late marks,
 * classes closed late), with the reason written beside it; the kitchen must confirm it again.
 */
export async function reviseOrder(ctx: PluginContext, order: Order, userId: number, reason: string) {
  const computed = await computeOrder(ctx, order.day, order.kitchenCode)
  return ctx.transaction(async (tctx) => {
    const client = tctx.trx!
    const before = order.meals
    order.useTransaction(client)
    order.merge({
      lines: computed.lines,
      specialDiets: computed.specialDiets,
      meals: computed.meals,
      estimated: computed.estimated,
      revision: order.revision + 1,
      status: 'frozen',
      confirmedAt: null,
      confirmedBy: null,
    })
    await order.save()
    await OrderChange.create(
      {
        orderId: order.id,
        revision: order.revision,
        changedBy: userId,
        reason,
        mealsBefore: before,
        mealsAfter: order.meals,
      },
      { client }
    )
    await tctx.events.emit('refezione.order_frozen', {
      orderId: order.id,
      day: order.day,
      kitchenCode: order.kitchenCode,
      meals: order.meals,
      revision: order.revision,
    })
    return order
  })
}

/** Totals of an order: by school, by school order (infanzia, primaria, secondaria), by diet. */
export function totalsOf(lines: OrderLines) {
  const bySchool: Record<string, number> = {}
  const byOrder: Record<string, number> = {}
  const byDiet: Record<string, number> = {}
  let meals = 0
  let plain = 0
  for (const l of lines.classes) {
    meals += l.meals
    plain += l.plain
    bySchool[l.school_code] = (bySchool[l.school_code] ?? 0) + l.meals
    byOrder[l.order ?? ''] = (byOrder[l.order ?? ''] ?? 0) + l.meals
    let special = 0
    for (const [diet, n] of Object.entries(l.diets)) {
      byDiet[diet] = (byDiet[diet] ?? 0) + n
      special += n
    }
    byDiet.ordinary = (byDiet.ordinary ?? 0) + l.meals - special
  }
  const teachers = lines.adults.reduce((n, a) => n + a.teachers, 0)
  const others = lines.adults.reduce((n, a) => n + a.others, 0)
  return { meals, plain, by_school: bySchool, by_order: byOrder, by_diet: byDiet, adults: { teachers, others } }
}

export const noOrder = (lang: 'it' | 'en', day: string, kitchen: string) =>
  say(
    lang,
    `Nessun ordine del ${day} per il centro cottura ${kitchen}: l'ordine si congela all'orario limite`,
    `No order for ${day} for kitchen ${kitchen}: orders freeze at the cut-off`
  )
