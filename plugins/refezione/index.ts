import { definePlugin } from '@sportello/platform/sdk'
import { describe, enrolOnAcceptance } from './enrolment.js'

/** School canteen (refezione scolastica): enrolment, meal fee, bookings and attendance. */
export default definePlugin({
  id: 'refezione',
  name: { it: 'Refezione scolastica', en: 'School canteen' },
  description: {
    it: 'Iscrizione al servizio mensa, tariffa a pasto per fascia ISEE, prenotazione pasti e presenze',
    en: 'Canteen enrolment, per-meal fee by ISEE band, meal booking and attendance',
  },
  version: '0.1.0',
  forms: ['refezione.iscrizione'],
  rulesets: ['refezione.tariffa'],
  events: { 'submission.accepted': enrolOnAcceptance },
  enrolment: { describe },
})
