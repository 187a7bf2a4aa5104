import { definePlugin } from '@sportello/platform/sdk'
import { describe, enrolOnAcceptance } from './enrolment.js'

/** Emergency grant (L.R. Sardegna 12/2020, DGR 19/12): applications, checks, beneficiary lists. */
export default definePlugin({
  id: 'covid-bonus',
  name: { it: 'Bonus emergenza COVID-19', en: 'COVID-19 emergency grant' },
  description: {
    it: 'Domanda online, verifiche formali e anagrafiche, calcolo del contributo, elenchi e pagamenti',
    en: 'Online application, formal and registry checks, grant calculation, lists and payments',
  },
  version: '0.1.0',
  forms: [],
  rulesets: [],
  events: { 'submission.accepted': enrolOnAcceptance },
  enrolment: { describe },
})
