import type { PluginList } from '@sportello/platform/sdk'

/**
 * The transport's lists in the tenant's catalog (Allegato B: the form indicates "la linea e la
 * fermata"): the lines, each serving some schools (none listed: every school), and the stops,
 * each on one line (its `parent`).
 */
export const lists: Record<string, PluginList> = {
  transport_lines: {
    title: { it: 'Linee di trasporto', en: 'Transport lines' },
    attributes: { schools: 'strings' },
    fields: {
      schools: {
        label: { it: 'Scuole servite', en: 'Schools served' },
        hint: {
          it: 'Nessuna scuola spuntata: la linea serve ogni scuola.',
          en: 'No school ticked: the line serves every school.',
        },
        choices: 'schools',
        empty: { it: 'Tutte le scuole', en: 'Every school' },
      },
    },
    filters: {
      school: (entry, value) => {
        const schools = entry.attributes.schools
        return !Array.isArray(schools) || schools.length === 0 || schools.includes(value)
      },
    },
    mismatch: {
      it: "questa linea non serve la scuola scelta: scegline una dall'elenco.",
      en: 'this line does not serve the school chosen: choose one from the list.',
    },
  },
  transport_stops: {
    title: { it: 'Fermate', en: 'Stops' },
    attributes: {},
    parent: 'transport_lines',
    filters: { line: (entry, value) => entry.parent === value },
    mismatch: {
      it: "questa fermata non è sulla linea scelta: scegline una dall'elenco.",
      en: 'this stop is not on the line chosen: choose one from the list.',
    },
  },
}
