import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * The inbox's counts per status without counting (`npm run bench`: with no filter, or only form,
 * service or school, they read ~90k index entries on 100k applications). A table holds, per
 * tenant, form, school and status, how many applications there are; database triggers keep it in
 * the very statement that inserts, moves or deletes an application, so the counts can never drift
 * from the rows whatever writes them (the services, a bulk load, a cascade) and commit or roll back
 * with the change. Counts under dates, a school year or a search are still counted from the index.
 * The school is '' when the application names none (a key column cannot be null).
 */
const KEY = 'tenant_id, form_key, school_code, status'

export default class extends BaseSchema {
  async up() {
    this.schema.createTable('submission_status_counts', (table) => {
      table.integer('tenant_id').unsigned().notNullable().references('id').inTable('tenants').onDelete('CASCADE')
      table.string('form_key', 100).notNullable()
      table.string('school_code', 64).notNullable()
      table.string('status', 40).notNullable()
      table.integer('total').notNullable()
      table.primary(['tenant_id', 'form_key', 'school_code', 'status'])
    })
    const postgres = this.db.dialect.name === 'postgres'
    const add = (row: 'NEW') =>
      `INSERT INTO submission_status_counts (${KEY}, total)
       VALUES (${row}.tenant_id, ${row}.form_key, COALESCE(${row}.school_code, ''), ${row}.status, 1)
       ON CONFLICT (${KEY}) DO UPDATE SET total = submission_status_counts.total + 1;`
    const remove = (row: 'OLD') =>
      `UPDATE submission_status_counts SET total = total - 1
       WHERE tenant_id = ${row}.tenant_id AND form_key = ${row}.form_key
         AND school_code = COALESCE(${row}.school_code, '') AND status = ${row}.status;`
    if (postgres) {
      this.schema.raw(`
        CREATE FUNCTION submission_status_counts_follow() RETURNS trigger AS $$
        BEGIN
          IF TG_OP = 'UPDATE' OR TG_OP = 'DELETE' THEN ${remove('OLD')} END IF;
          IF TG_OP = 'UPDATE' OR TG_OP = 'INSERT' THEN ${add('NEW')} END IF;
          RETURN NULL;
        END $$ LANGUAGE plpgsql`)
      this.schema.raw(`
        CREATE TRIGGER submission_status_counts_follow
        AFTER INSERT OR DELETE OR UPDATE OF tenant_id, form_key, school_code, status ON submissions
        FOR EACH ROW EXECUTE FUNCTION submission_status_counts_follow()`)
    } else {
      this.schema.raw(`CREATE TRIGGER submission_status_counts_insert AFTER INSERT ON submissions
        BEGIN ${add('NEW')} END`)
      this.schema.raw(`CREATE TRIGGER submission_status_counts_delete AFTER DELETE ON submissions
        BEGIN ${remove('OLD')} END`)
      this.schema.raw(`CREATE TRIGGER submission_status_counts_update
        AFTER UPDATE OF tenant_id, form_key, school_code, status ON submissions
        BEGIN ${remove('OLD')} ${add('NEW')} END`)
    }
    // The applications already there, counted once (the triggers count from now on).
    this.schema.raw(`INSERT INTO submission_status_counts (${KEY}, total)
      SELECT tenant_id, form_key, COALESCE(school_code, ''), status, COUNT(*) FROM submissions
      GROUP BY tenant_id, form_key, COALESCE(school_code, ''), status`)
  }

  async down() {
    if (this.db.dialect.name === 'postgres') {
      this.schema.raw('DROP TRIGGER IF EXISTS submission_status_counts_follow ON submissions')
      this.schema.raw('DROP FUNCTION IF EXISTS submission_status_counts_follow()')
    } else {
      for (const name of ['insert', 'delete', 'update']) {
        this.schema.raw(`DROP TRIGGER IF EXISTS submission_status_counts_${name}`)
      }
    }
    this.schema.dropTable('submission_status_counts')
  }
}
