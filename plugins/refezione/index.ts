import { definePlugin } from '@sportello/platform/sdk'
import { describe, enrolOnAcceptance } from './enrolment.js'
import { calendarRoutes } from './routes/calendar_routes.js'
import { familyRoutes } from './routes/family_routes.js'
import { attendanceRoutes } from './routes/attendance_routes.js'
import { orderRoutes } from './routes/order_routes.js'
import { cutoffRun } from './services/order_service.js'
import { REPORTS } from './services/reports.js'
import { ENROLMENT_REPORTS } from './services/enrolment_reports.js'
import { mealCharges } from './services/billing_service.js'
import { SETTINGS_DEFAULTS, SETTINGS_SCHEMA } from './services/common.js'
import { seedDemoCalendar } from './demo/demo_calendar.js'
import { seedDemoDay } from './demo/demo_day.js'
import { DICTIONARY } from './dictionary.js'
import { MESSAGES } from './messages.js'

/** School canteen (refezione scolastica): enrolment, meal fee, bookings and attendance. */
export default definePlugin({
  id: 'refezione',
  name: { it: 'Refezione scolastica', en: 'School canteen' },
  description: {
    it: 'Iscrizione al servizio mensa, tariffa a pasto per fascia ISEE, prenotazione pasti e presenze',
    en: 'Canteen enrolment, per-meal fee by ISEE band, meal booking and attendance',
  },
  version: '0.2.0',
  forms: ['refezione.iscrizione'],
  rulesets: ['refezione.tariffa'],
  events: { 'submission.accepted': enrolOnAcceptance },
  enrolment: { describe },
  migrations: 'migrations',
  dictionary: DICTIONARY,
  messages: MESSAGES,
  settings: { schema: SETTINGS_SCHEMA, defaults: { ...SETTINGS_DEFAULTS } },
  routes(router) {
    calendarRoutes(router)
    familyRoutes(router)
    attendanceRoutes(router)
    orderRoutes(router)
  },
  reports: [...REPORTS, ...ENROLMENT_REPORTS],
  /** Post-paid: on the 1st the platform's monthly run bills the meals consumed in the month before. */
  billing: { charges: mealCharges },
  jobs: {
    /**
     * The 9:30 cut-off (seed 000: bookings to the central system by 9:30). It runs every five minutes
     * in the morning, Monday to Saturday, and acts once the tenant's own cut-off has passed: it
     * freezes each kitchen's order for the day (once: a run again makes only the missing ones) and
     * raises an alert for orders left unconfirmed after the tenant's delay.
     */
    cutoff: {
      schedule: '*/5 6-14 * * 1-6',
      handle: async (payload: { day?: string } | undefined, ctx) => {
        await cutoffRun(ctx, payload?.day)
      },
    },
  },
  hooks: {
    async demo(ctx, demo) {
      await seedDemoCalendar(ctx)
      await seedDemoDay(ctx, demo.users)
    },
  },
})
