import type { SchoolSeed } from '#services/school_catalog_service'

/**
 * Demo data: a small school catalog for the demo comune. The tender names no school (it counts 27
 * kitchens, one per plesso), so these are plausible Piacenza plessi, not the real list; a comune
 * loads its own through the catalog API. The forms' `sample`s name `pc-primaria-alberoni`, 2ª B.
 */
const years = (last: number, sections: string[]) =>
  Array.from({ length: last }, (_, i) => String(i + 1)).flatMap((year) =>
    sections.map((section) => ({ year, section }))
  )

const sectionsOnly = (sections: string[]) => sections.map((section) => ({ year: null, section }))

export const DEMO_SCHOOLS: readonly SchoolSeed[] = [
  {
    code: 'pc-nido-girasole',
    name: "Nido d'infanzia Il Girasole",
    order: 'nido',
    services: ['nidi'],
    address: 'Via Manzoni 12, 29121 Piacenza',
    classes: sectionsOnly(['Lattanti', 'Piccoli', 'Grandi']),
  },
  {
    code: 'pc-infanzia-farnesiana',
    name: "Scuola dell'infanzia Farnesiana",
    order: 'infanzia',
    services: ['refezione', 'trasporto'],
    address: 'Via Farnesiana 40, 29122 Piacenza',
    classes: sectionsOnly(['A', 'B', 'C']),
  },
  {
    code: 'pc-infanzia-besurica',
    name: "Scuola dell'infanzia Besurica",
    order: 'infanzia',
    services: ['refezione'],
    address: 'Via Boselli 15, 29122 Piacenza',
    classes: sectionsOnly(['A', 'B']),
  },
  {
    code: 'pc-primaria-alberoni',
    name: 'Scuola primaria Alberoni',
    order: 'primaria',
    services: ['refezione', 'trasporto'],
    address: 'Via Emilia Parmense 67, 29122 Piacenza',
    classes: years(5, ['A', 'B']),
  },
  {
    code: 'pc-primaria-carducci',
    name: 'Scuola primaria Carducci',
    order: 'primaria',
    services: ['refezione'],
    address: 'Via Carducci 8, 29121 Piacenza',
    classes: years(5, ['A', 'B', 'C']),
  },
  {
    code: 'pc-primaria-vittorino',
    name: 'Scuola primaria Vittorino da Feltre',
    order: 'primaria',
    services: ['refezione', 'trasporto'],
    address: 'Via Stradella 20, 29121 Piacenza',
    classes: years(5, ['A']),
  },
  {
    code: 'pc-primaria-mazzini',
    name: 'Scuola primaria Mazzini (plesso chiuso)',
    order: 'primaria',
    services: ['refezione'],
    address: 'Viale Risorgimento 5, 29121 Piacenza',
    active: false,
    classes: years(5, ['A']),
  },
  {
    code: 'pc-secondaria-calvino',
    name: 'Scuola secondaria di primo grado Italo Calvino',
    order: 'secondaria_primo_grado',
    services: ['refezione'],
    address: 'Via Boscarelli 21, 29122 Piacenza',
    classes: years(3, ['A', 'B']),
  },
]
