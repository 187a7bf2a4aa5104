import { DEMO } from '#services/content/demo_content'

/**
 * Demo data: a small school catalog for the demo comune, and the entries of the lists its
 * services' plugins declare (database/demo/demo.json). The tender names no school (it counts 27
 * kitchens, one per plesso), so these are plausible Piacenza plessi, not the real list; a comune
 * loads its own through the catalog API.
 */
export const DEMO_SCHOOLS = DEMO.schools

export const DEMO_ENTRIES = DEMO.entries
