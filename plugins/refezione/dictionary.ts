import type { PluginTableMeaning } from '@sportello/platform/sdk'

/** What the canteen's tables hold, for the data dictionary of a tenant's export. */
export const DICTIONARY: Record<string, PluginTableMeaning> = {
  refezione_school_years: {
    description: 'A school year of the canteen calendar',
    columns: {
      code: 'School year, "2026/2027"',
      starts_on: 'First day (YYYY-MM-DD)',
      ends_on: 'Last day (YYYY-MM-DD)',
      demo: 'Demo data, not the comune’s own',
    },
  },
  refezione_service_days: {
    description: 'The weekdays a school, or one of its classes, has the canteen in a school year',
    columns: {
      school_year: 'School year',
      school_code: 'School (catalog code)',
      class_year: 'Class year, empty for the whole school or where the order has no years',
      section: 'Section, empty for the whole school',
      weekdays: 'ISO weekdays with canteen, "1,2,3,4,5" (1 = Monday)',
      demo: 'Demo data',
    },
  },
  refezione_closures: {
    description: 'Days without canteen: holidays, closures, strikes, trips, for all schools, one school or one class',
    columns: {
      school_year: 'School year',
      kind: 'holiday, closure, strike, trip',
      starts_on: 'First day closed (YYYY-MM-DD)',
      ends_on: 'Last day closed, included',
      school_code: 'School (empty: every school)',
      class_year: 'Class year (empty: the whole school)',
      section: 'Section (empty: the whole school)',
      reason: 'Why, as staff wrote it',
      demo: 'Demo data',
    },
  },
  refezione_meal_requests: {
    description: "A family's request for a child's meal on a day: cancelled (disdetta) or plain (pasto in bianco)",
    columns: {
      enrolment_id: 'The enrolment (child) it is for',
      day: 'The day (YYYY-MM-DD)',
      kind: 'cancel or plain',
      requested_by: 'The user who asked',
    },
  },
}
