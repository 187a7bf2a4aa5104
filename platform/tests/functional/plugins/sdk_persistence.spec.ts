import { test } from '@japa/runner'
import { execFile } from 'node:child_process'
import { rm } from 'node:fs/promises'
import { delimiter } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import db from '@adonisjs/lucid/services/db'
import testUtils from '@adonisjs/core/services/test_utils'
import AuditLog from '#models/audit_log'
import { MissingTenantContextError, RequestContext } from '#services/infrastructure/request_context'
import { PluginSchema, PluginTableNameError } from '#plugins/plugin_schema'
import { makeTenant, makeUser } from '#tests/helpers/world'
import Note from '../../fixtures/sample_plugins/sample/models/note.js'

const PLATFORM = fileURLToPath(new URL('../../../', import.meta.url))
const fixture = (folder: string) => fileURLToPath(new URL(`../../fixtures/${folder}`, import.meta.url))
const REAL_PLUGINS = fileURLToPath(new URL('../../../../plugins', import.meta.url))

test.group('SDK: plugin models', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('a plugin model is scoped to the tenant in context and fails closed without one', async ({ assert }) => {
    const mine = await makeTenant()
    const theirs = await makeTenant()
    await RequestContext.withTenant(mine.ref, () => Note.create({ title: 'mia' }))
    await RequestContext.withTenant(theirs.ref, () => Note.create({ title: 'loro' }))
    const seen = await RequestContext.withTenant(mine.ref, () => Note.query())
    assert.deepEqual(
      seen.map((n) => [n.title, n.tenantId]),
      [['mia', mine.id]]
    )
    assert.throws(() => RequestContext.run({}, () => Note.query()), MissingTenantContextError)
    const foreign = await RequestContext.withTenant(theirs.ref, () => Note.query().firstOrFail())
    await assert.rejects(
      () => RequestContext.withTenant(mine.ref, () => foreign.merge({ title: 'presa' }).save()),
      /another tenant/
    )
  })

  test('every write is audited with its user; an encrypted column is stored encrypted and logged as such', async ({
    assert,
  }) => {
    const tenant = await makeTenant()
    const operator = await makeUser(tenant, ['operator'])
    const note = await RequestContext.run(
      { tenant: tenant.ref, actor: { userId: operator.id, label: 'operatore' } },
      () => Note.create({ title: 'Certificato', body: 'Dieta per celiachia', pinned: true, tags: ['salute'] })
    )
    const raw = await db.from('sample_notes').where('id', note.id).firstOrFail()
    assert.notInclude(String(raw.body), 'celiachia')
    const read = await RequestContext.withTenant(tenant.ref, () => Note.findOrFail(note.id))
    assert.equal(read.body, 'Dieta per celiachia')
    assert.strictEqual(read.pinned, true)
    assert.deepEqual(read.tags, ['salute'])
    const audit = await RequestContext.withTenant(tenant.ref, () =>
      AuditLog.query().where('entity', 'sample_notes').where('entity_id', String(note.id)).firstOrFail()
    )
    assert.equal(audit.actorUserId, operator.id)
    assert.equal(audit.action, 'create')
    assert.equal(audit.after?.body, '[cifrato]')
  })

  test('a plugin migration may touch only tables with its prefix', async ({ assert }) => {
    const file = 'tests/fixtures/sample_plugins/sample/migrations/0099_probe'
    class Foreign extends PluginSchema {
      async up() {
        this.schema.createTable('notes', (table) => table.increments('id'))
      }
    }
    class Renaming extends PluginSchema {
      async up() {
        this.schema.renameTable('sample_notes', 'submissions_copy')
      }
    }
    class Own extends PluginSchema {
      async up() {
        this.schema.createTable('sample_probe', (table) => table.increments('id'))
      }
    }
    await assert.rejects(() => new Foreign(db.connection(), file, true).execUp(), PluginTableNameError)
    await assert.rejects(
      () => new Renaming(db.connection(), file, true).execUp(),
      /"submissions_copy" must start with "sample_"/
    )
    // A dry run answers the statements it would run.
    const statements = (await new Own(db.connection(), file, true).execUp()) as unknown as string[]
    assert.match(statements.join('\n'), /create table ["`]sample_probe["`]/)
    class Outside extends PluginSchema {}
    await assert.rejects(
      () => new Outside(db.connection(), 'database/migrations/0099_probe', true).execUp(),
      /must sit in/
    )
  })
})

/**
 * A scratch database of the engine under test (a file on SQLite, a database on PostgreSQL) for the
 * real `node ace.js migration:*` commands, and a connection to read it back.
 */
async function scratchDatabase() {
  const primary = db.primaryConnectionName
  const raw = db.getRawConnection(primary)!.config as any // the Lucid connection config, engine-specific
  // A copy of what is changed below; the pool keeps its hooks (functions, which structuredClone refuses).
  const config = { ...raw, connection: { ...raw.connection } }
  const name = `migrations_${process.pid}_${Date.now()}`
  let env: Record<string, string>
  if (config.client === 'pg') {
    await db.rawQuery(`CREATE DATABASE ${name}`)
    config.connection.database = name
    env = { PG_DB_NAME: name }
  } else {
    config.connection.filename = `${PLATFORM}tmp/${name}.sqlite3`
    env = { SQLITE_PATH: `tmp/${name}.sqlite3` }
  }
  db.manager.add(name, config)
  return {
    env,
    client: () => db.connection(name),
    async drop() {
      await db.manager.close(name, true)
      if (config.client === 'pg') await db.rawQuery(`DROP DATABASE IF EXISTS ${name}`)
      else await rm(config.connection.filename, { force: true })
    },
  }
}

test.group('SDK: plugin migrations through the CLI', () => {
  test('platform first, then plugins by id, files by name; a rollback undoes the plugins cleanly', async ({
    assert,
  }) => {
    const scratch = await scratchDatabase()
    const ace = (args: string[], pluginDirs: string[]) =>
      promisify(execFile)('node', ['ace.js', ...args], {
        cwd: PLATFORM,
        env: { ...process.env, NODE_ENV: 'test', ...scratch.env, PLUGINS_DIR: pluginDirs.join(delimiter) },
      })
    const withFixtures = [REAL_PLUGINS, fixture('sample_plugins'), fixture('ordered_plugins')]
    const schema = async () =>
      (await scratch.client().from('adonis_schema').select('name', 'batch').orderBy('id')) as Array<{
        name: string
        batch: number
      }>
    const tables = async () => new Set(await scratch.client().getAllTables(['public']))
    try {
      await ace(['migration:run', '--force'], [REAL_PLUGINS])
      const platformOnly = await schema()
      // The platform's migrations, then the installed plugins' (refezione's), all in the first batch.
      assert.isTrue(platformOnly.every((m) => m.batch === 1))
      const firstPlugin = platformOnly.findIndex((m) => !m.name.startsWith('database/migrations/'))
      assert.isAbove(firstPlugin, 0)
      assert.isTrue(platformOnly.slice(firstPlugin).every((m) => m.name.startsWith('../plugins/')))

      await ace(['migration:run', '--force'], withFixtures)
      const all = await schema()
      assert.deepEqual(all.slice(0, platformOnly.length), platformOnly)
      assert.deepEqual(
        all.slice(platformOnly.length).map((m) => [m.name, m.batch]),
        [
          ['tests/fixtures/ordered_plugins/alpha/migrations/0001_create_alpha_items', 2],
          ['tests/fixtures/sample_plugins/sample/migrations/0001_create_sample_notes', 2],
          ['tests/fixtures/sample_plugins/sample/migrations/0002_create_sample_stops', 2],
        ]
      )
      for (const table of ['alpha_items', 'sample_notes', 'sample_stops', 'tenants'])
        assert.isTrue((await tables()).has(table))

      await ace(['migration:rollback', '--force'], withFixtures)
      assert.deepEqual(await schema(), platformOnly)
      const after = await tables()
      for (const table of ['alpha_items', 'sample_notes', 'sample_stops']) assert.isFalse(after.has(table), table)
      assert.isTrue(after.has('tenants'))
    } finally {
      await scratch.drop()
    }
  }).timeout(120000)
})
