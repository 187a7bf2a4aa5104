import type { EntryAttributes } from '#forms/catalog_sources'
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

/**
 * Demo data: Piacenza's other lists (catalog_sources.ts), plausible and invented like the schools.
 * The transport lines serve some of the demo schools and each has its stops; the facilities carry
 * the ages they take, so the nursery forms offer each child the ones that fit. The forms' samples
 * name `linea-3`, `fermata-via-roma`, `nido-farnesiana`, `nido-besurica` and the Edugate ones.
 */
export const DEMO_ENTRIES: ReadonlyArray<
  { source: string; code: string; name: string; parent?: string } & { attributes?: EntryAttributes; position?: number }
> = [
  {
    source: 'transport_lines',
    code: 'linea-1',
    name: 'Linea 1 – Farnesiana, Besurica',
    attributes: { schools: ['pc-infanzia-farnesiana', 'pc-primaria-alberoni'] },
    position: 1,
  },
  {
    source: 'transport_lines',
    code: 'linea-3',
    name: 'Linea 3 – Centro, Alberoni, Stradella',
    attributes: { schools: ['pc-primaria-alberoni', 'pc-primaria-vittorino'] },
    position: 3,
  },
  {
    source: 'transport_stops',
    code: 'fermata-farnesiana',
    name: 'Via Farnesiana (parcheggio)',
    parent: 'linea-1',
    position: 1,
  },
  { source: 'transport_stops', code: 'fermata-besurica', name: 'Piazzale Besurica', parent: 'linea-1', position: 2 },
  { source: 'transport_stops', code: 'fermata-via-roma', name: 'Via Roma (chiesa)', parent: 'linea-3', position: 1 },
  { source: 'transport_stops', code: 'fermata-stradella', name: 'Via Stradella 40', parent: 'linea-3', position: 2 },
  { source: 'transport_stops', code: 'fermata-cavalli', name: 'Piazza Cavalli', parent: 'linea-3', position: 3 },
  {
    source: 'nido_structures',
    code: 'nido-farnesiana',
    name: "Nido d'infanzia Farnesiana",
    attributes: { address: 'Via Farnesiana 38, Piacenza', hours: '7:30–16:30', min_age_months: 3, max_age_months: 36 },
  },
  {
    source: 'nido_structures',
    code: 'nido-besurica',
    name: "Nido d'infanzia Besurica",
    attributes: { address: 'Via Boselli 13, Piacenza', hours: '7:30–16:00', min_age_months: 12, max_age_months: 36 },
  },
  {
    source: 'nido_structures',
    code: 'nido-girasole',
    name: "Nido d'infanzia Il Girasole (lattanti)",
    attributes: { address: 'Via Manzoni 12, Piacenza', hours: '7:30–16:30', min_age_months: 3, max_age_months: 12 },
  },
  {
    source: 'edugate_structures',
    code: 'edugate-farnesiana',
    name: 'Servizio educativo Edugate Farnesiana',
    attributes: { address: 'Via Farnesiana 40, Piacenza', hours: '8:00–13:00', min_age_months: 12, max_age_months: 36 },
  },
  {
    source: 'edugate_structures',
    code: 'edugate-besurica',
    name: 'Servizio educativo Edugate Besurica',
    attributes: { address: 'Via Boselli 15, Piacenza', hours: '8:00–13:00', min_age_months: 18, max_age_months: 36 },
  },
  {
    source: 'educational_structures',
    code: 'nido-farnesiana',
    name: "Nido d'infanzia Farnesiana",
    attributes: { services: ['nido'] },
  },
  {
    source: 'educational_structures',
    code: 'nido-besurica',
    name: "Nido d'infanzia Besurica",
    attributes: { services: ['nido'] },
  },
  {
    source: 'educational_structures',
    code: 'edugate-farnesiana',
    name: 'Servizio educativo Edugate Farnesiana',
    attributes: { services: ['edugate'] },
  },
]
