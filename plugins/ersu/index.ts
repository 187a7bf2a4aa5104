import { definePlugin } from '@sportello/platform/sdk'
import { describe, enrolOnAcceptance } from './enrolment.js'

/** University right to study (ERSU): scholarships, housing, canteen bands, rankings. */
export default definePlugin({
  id: 'ersu',
  name: { it: 'Diritto allo studio universitario', en: 'University right to study' },
  description: {
    it: 'Borse di studio, alloggi, mensa per fasce, graduatorie e pagamenti',
    en: 'Scholarships, housing, canteen bands, rankings and payments',
  },
  version: '0.1.0',
  forms: [],
  rulesets: [],
  events: { 'submission.accepted': enrolOnAcceptance },
  enrolment: { describe },
})
