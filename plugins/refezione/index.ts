import { definePlugin } from '@sportello/platform/sdk'
import { calendarRoutes } from './routes/calendar_routes.js'
import { familyRoutes } from './routes/family_routes.js'
import { attendanceRoutes } from './routes/attendance_routes.js'
import { SETTINGS_DEFAULTS, SETTINGS_SCHEMA } from './services/common.js'
import { seedDemoCalendar } from './demo/demo_calendar.js'
import { DICTIONARY } from './dictionary.js'

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
  migrations: 'migrations',
  dictionary: DICTIONARY,
  settings: { schema: SETTINGS_SCHEMA, defaults: { ...SETTINGS_DEFAULTS } },
  routes(router) {
    calendarRoutes(router)
    familyRoutes(router)
    attendanceRoutes(router)
  },
  hooks: {
    async demo(ctx) {
      await seedDemoCalendar(ctx)
    },
  },
})
