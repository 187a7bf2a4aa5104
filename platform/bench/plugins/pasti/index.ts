import { definePlugin } from '@sportello/platform/sdk'
import type { BillingCharges, BillingLine } from '@sportello/platform/sdk'
import Meal from './meal.js'

/**
 * The service the billing benchmark bills: meals consumed, one row per child and service day with
 * the fee in force that day (a fee that changes mid-month gives the child two lines). Its charges
 * are one aggregate query, as a canteen plugin's would be.
 */
export default definePlugin({
  id: 'pasti',
  name: { it: 'Pasti consumati', en: 'Meals consumed' },
  version: '1.0.0',
  forms: [],
  rulesets: [],
  migrations: 'migrations',
  billing: {
    async charges(period): Promise<BillingCharges> {
      const rows = await Meal.query()
        .select('enrolment_id', 'unit_cents')
        .count('* as meals')
        .where('day', '>=', `${period}-01`)
        .where('day', '<=', `${period}-31`)
        .groupBy('enrolment_id', 'unit_cents')
        .orderBy('enrolment_id')
        .pojo<{ enrolment_id: number; unit_cents: number; meals: number | string }>()
      const lines: BillingLine[] = rows.map((row) => ({
        enrolmentId: Number(row.enrolment_id),
        key: `meals:${row.unit_cents}`,
        description: `Pasti ${period}`,
        quantity: String(row.meals),
        unitCents: Number(row.unit_cents),
      }))
      return { lines }
    },
  },
})
