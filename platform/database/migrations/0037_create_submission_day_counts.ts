import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * The inbox's counts per status under dates or a school year without counting the applications
 * (`npm run bench`: on 100k applications a year's range read ~45k index entries, 50-70 ms of CPU on
 * PostgreSQL; no index reads fewer entries than the rows it counts). As the counters of 0034, a
 * table holds, per tenant, form, day of sending, school and status, how many applications there
 * are, kept by database triggers in the statement that inserts, moves or deletes an application,
 * so the sums are exact and commit or roll back with the change. The day is the Italian calendar
 * day of `submitted_at` on PostgreSQL, and the date part of the stored text on SQLite (written in
 * the process's zone, the zone the inbox's filters are written in); '' when the application was
 * never sent. The inbox sums the whole days of a range and counts the parts of days at its ends
 * (inbox_counts.ts).
 */
const KEY = 'tenant_id, form_key, day, school_code, status'

export default class extends BaseSchema {
  async up() {
    this.schema.createTable('submission_day_counts', (table) => {
      table.integer('tenant_id').unsigned().notNullable().references('id').inTable('tenants').onDelete('CASCADE')
      table.string('form_key', 100).notNullable()
      table.string('day', 10).notNullable()
      table.string('school_code', 64).notNullable()
      table.string('status', 40).notNullable()
      table.integer('total').notNullable()
      table.primary(['tenant_id', 'form_key', 'day', 'school_code', 'status'])
    })
    const postgres = this.db.dialect.name === 'postgres'
    const day = (row: 'NEW' | 'OLD' | 'submissions') =>
      postgres
        ? `COALESCE(to_char(${row}.submitted_at AT TIME ZONE 'Europe/Rome', 'YYYY-MM-DD'), '')`
        : `COALESCE(substr(${row}.submitted_at, 1, 10), '')`
    const add = (row: 'NEW') =>
      `INSERT INTO submission_day_counts (${KEY}, total)
       VALUES (${row}.tenant_id, ${row}.form_key, ${day(row)}, COALESCE(${row}.school_code, ''), ${row}.status, 1)
       ON CONFLICT (${KEY}) DO UPDATE SET total = submission_day_counts.total + 1;`
    const remove = (row: 'OLD') =>
      `UPDATE submission_day_counts SET total = total - 1
       WHERE tenant_id = ${row}.tenant_id AND form_key = ${row}.form_key AND day = ${day(row)}
         AND school_code = COALESCE(${row}.school_code, '') AND status = ${row}.status;`
    const columns = 'tenant_id, form_key, school_code, status, submitted_at'
    if (postgres) {
      this.schema.raw(`
        CREATE FUNCTION submission_day_counts_follow() RETURNS trigger AS $$
        BEGIN
          IF TG_OP = 'UPDATE' OR TG_OP = 'DELETE' THEN ${remove('OLD')} END IF;
          IF TG_OP = 'UPDATE' OR TG_OP = 'INSERT' THEN ${add('NEW')} END IF;
          RETURN NULL;
        END $$ LANGUAGE plpgsql`)
      this.schema.raw(`
        CREATE TRIGGER submission_day_counts_follow
        AFTER INSERT OR DELETE OR UPDATE OF ${columns} ON submissions
        FOR EACH ROW EXECUTE FUNCTION submission_day_counts_follow()`)
    } else {
      this.schema.raw(`CREATE TRIGGER submission_day_counts_insert AFTER INSERT ON submissions
        BEGIN ${add('NEW')} END`)
      this.schema.raw(`CREATE TRIGGER submission_day_counts_delete AFTER DELETE ON submissions
        BEGIN ${remove('OLD')} END`)
      this.schema.raw(`CREATE TRIGGER submission_day_counts_update AFTER UPDATE OF ${columns} ON submissions
        BEGIN ${remove('OLD')} ${add('NEW')} END`)
    }
    // The applications already there, counted once (the triggers count from now on).
    this.schema.raw(`INSERT INTO submission_day_counts (${KEY}, total)
      SELECT tenant_id, form_key, ${day('submissions')}, COALESCE(school_code, ''), status, COUNT(*) FROM submissions
      GROUP BY tenant_id, form_key, ${day('submissions')}, COALESCE(school_code, ''), status`)
  }

  async down() {
    if (this.db.dialect.name === 'postgres') {
      this.schema.raw('DROP TRIGGER IF EXISTS submission_day_counts_follow ON submissions')
      this.schema.raw('DROP FUNCTION IF EXISTS submission_day_counts_follow()')
    } else {
      for (const name of ['insert', 'delete', 'update']) {
        this.schema.raw(`DROP TRIGGER IF EXISTS submission_day_counts_${name}`)
      }
    }
    this.schema.dropTable('submission_day_counts')
  }
}
