import { definePlugin } from '@sportello/platform/sdk'
import { lists } from './lists.js'
import { describe, enrolOnAcceptance } from './enrolment.js'
import { transportCharges } from './billing.js'

/** School transport (trasporto scolastico): enrolment with line and stop, monthly or annual fee. */
export default definePlugin({
  id: 'trasporto',
  name: { it: 'Trasporto scolastico', en: 'School transport' },
  description: {
    it: 'Iscrizione al trasporto con linea e fermata, tariffa mensile o annuale',
    en: 'Transport enrolment with line and stop, monthly or annual fee',
  },
  version: '0.1.0',
  forms: ['trasporto.iscrizione'],
  rulesets: ['trasporto.tariffa'],
  events: { 'submission.accepted': enrolOnAcceptance },
  enrolment: { describe },
  lists,
  /** Post-paid: the platform's monthly run bills each month's pass (or the annual one once). */
  billing: { charges: transportCharges },
})
