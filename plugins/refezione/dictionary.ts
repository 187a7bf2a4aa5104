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
  refezione_assignments: {
    description: 'Where a staff member works: a school_staff user in schools, a kitchen user in kitchens',
    columns: { user_id: 'The user', scope: 'school or kitchen', code: 'School or kitchen code' },
  },
  refezione_marks: {
    description: 'An attendance mark for a child on a day, as the tablet (or an operator from paper) made it',
    columns: {
      device_mark_id: 'The id the device made, unique: a resend is recognised',
      day: 'The day (YYYY-MM-DD)',
      school_code: 'School',
      class_year: 'Class year (empty where the order has none)',
      section: 'Section',
      enrolment_id: 'The enrolment (child)',
      status: 'present or absent (empty: unchanged)',
      plain: 'Plain meal (empty: unchanged)',
      late_entry: 'Entered late (empty: unchanged)',
      early_exit: 'Left early (empty: unchanged)',
      marked_at: 'When the device made it (UTC, ISO)',
      after_cutoff: 'Arrived after the day’s cut-off',
      source: 'tablet or paper',
      recorded_by: 'The user who sent it',
    },
  },
  refezione_adult_meals: {
    description: "Adults' meals at a school in a time slot (teachers apart from other authorised adults)",
    columns: {
      device_mark_id: 'The id the device made, unique',
      day: 'The day',
      school_code: 'School',
      slot: 'Time slot, "12:30"',
      kind: 'teacher or other',
      count: 'How many (the latest entry of a slot and kind counts)',
      marked_at: 'When the device made it (UTC, ISO)',
      after_cutoff: 'Arrived after the day’s cut-off',
      source: 'tablet or paper',
      recorded_by: 'The user who sent it',
    },
  },
  refezione_class_days: {
    description: "A class's day closed by its school: its marks are final",
    columns: {
      day: 'The day',
      school_code: 'School',
      class_year: 'Class year',
      section: 'Section',
      closed_at: 'When it was closed (UTC, ISO)',
      closed_by: 'The user who closed it',
      after_cutoff: 'Closed after the cut-off',
      source: 'tablet or paper',
    },
  },
}
