import { defineMessages } from '@sportello/platform/sdk'

/** The canteen's text for people that is kept and read later (alerts): rendered in the reader's language with `ctx.t`. */
export const MESSAGES = defineMessages({
  'alert.class_not_closed': {
    it: "La classe {label} della scuola {school} non è stata chiusa entro l'orario limite del {day}: l'ordine la conta come stima (iscritti meno disdette).",
    en: 'Class {label} of school {school} was not closed by the cut-off on {day}: the order counts it as an estimate (enrolled minus cancellations).',
  },
  'alert.order_unconfirmed': {
    it: "Il centro cottura {kitchen} non ha confermato l'ordine del {day} entro {minutes} minuti dall'orario limite.",
    en: 'Kitchen {kitchen} has not confirmed its order for {day} within {minutes} minutes of the cut-off.',
  },
  'billing.fee_not_computable': {
    it: "Tariffa non calcolabile dal {from} al {to}: applicata quella dell'iscrizione ({fee} euro).",
    en: "Fee not computable from {from} to {to}: the enrolment's fee applied ({fee} euro).",
  },
})

/** The class as the alerts name it: "3ª B", or the section alone. */
export function classLabel(classYear: string | null | undefined, section: string | null | undefined): string {
  return `${classYear ? `${classYear}ª ` : ''}${section ?? ''}`
}
