import { definePlugin } from '@sportello/platform/sdk'
import { lists, plainSources } from './lists.js'
import { attendanceFrom, describe, enrolOnAcceptance } from './enrolment.js'

/** Nurseries (nidi d'infanzia, Edugate) and accessory services: tempo prolungato, nido estivo, centri gioco. */
export default definePlugin({
  id: 'nidi',
  name: { it: "Nidi d'infanzia", en: 'Nurseries' },
  description: {
    it: 'Domande di ammissione, graduatorie, rette personalizzate, tempo prolungato e nido estivo',
    en: 'Admission applications, rankings, personalised fees, extended hours and summer nursery',
  },
  version: '0.1.0',
  forms: ['nidi.iscrizione', 'edugate.iscrizione', 'tempo-prolungato.iscrizione', 'nido-estivo.iscrizione'],
  rulesets: [
    'nidi.retta',
    'nidi.retta-mese',
    'nidi.tempo-prolungato',
    'nidi.nido-estivo',
    'nidi.regione',
    'nidi.centro-gioco',
  ],
  events: { 'submission.accepted': enrolOnAcceptance },
  enrolment: { describe, attendanceFrom },
  lists,
  plainSources,
})
