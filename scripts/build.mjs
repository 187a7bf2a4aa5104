#!/usr/bin/env node
/*
 * `npm run build`: the production build in build/, a copy of the repository's layout with
 * JavaScript in place of TypeScript, run by plain Node with no TypeScript loader:
 *
 *   build/platform/   the compiled server (bin/server.js, ace.js), its assets and the built portal (web/dist)
 *   build/plugins/    the compiled plugins, each entry an index.js the registry loads
 *   build/forms/, build/rules/   the default content, as shipped
 *   build/ace.js, server.js, worker.js   short entry points (see docs/deploy.md)
 *   build/package.json, package-lock.json   to install production dependencies: `npm ci --omit=dev`
 *
 * Without that install (on a developer machine, in CI) the build runs in place: build/node_modules
 * links the workspaces to their compiled copies, each workspace's own node_modules is linked to the
 * repository's, and every other package resolves from the repository's node_modules. `--no-links`
 * leaves the links out, for an image that installs its production dependencies into build/.
 * SPORTELLO_WEB=reuse skips the portal's build when platform/web/dist holds one already.
 */
import { spawnSync } from 'node:child_process'
import { builtinModules } from 'node:module'
import { copyFile, mkdir, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { dirname, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const OUT = join(ROOT, 'build')
const started = Date.now()
const links = !process.argv.includes('--no-links')

function step(title) {
  process.stdout.write(`\n=== build: ${title} (${((Date.now() - started) / 1000).toFixed(0)}s)\n`)
}

function run(command, args, cwd = ROOT) {
  const result = spawnSync(command, args, { cwd, stdio: 'inherit' })
  if (result.status !== 0) {
    process.stderr.write(`build: "${command} ${args.join(' ')}" failed (exit ${result.status ?? result.signal})\n`)
    process.exit(1)
  }
}

async function* walk(dir, skip = () => false) {
  let entries
  try {
    entries = await readdir(dir, { withFileTypes: true })
  } catch {
    return
  }
  for (const entry of entries) {
    const path = join(dir, entry.name)
    if (skip(path, entry)) continue
    if (entry.isDirectory()) yield* walk(path, skip)
    else if (entry.isFile()) yield path
  }
}

async function copyTree(from, to, keep) {
  for await (const file of walk(from, (_path, entry) => entry.isDirectory() && entry.name === 'node_modules')) {
    const rel = relative(from, file)
    if (!keep(rel)) continue
    await mkdir(dirname(join(to, rel)), { recursive: true })
    await copyFile(file, join(to, rel))
  }
}

async function exists(path) {
  try {
    await stat(path)
    return true
  } catch {
    return false
  }
}

async function readJson(path) {
  return JSON.parse(await readFile(path, 'utf8'))
}

async function writeJson(path, value) {
  await mkdir(dirname(path), { recursive: true })
  await writeFile(path, JSON.stringify(value, null, 2) + '\n')
}

const pluginIds = (await readdir(join(ROOT, 'plugins'), { withFileTypes: true }))
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort()

step('clean build/')
await rm(OUT, { recursive: true, force: true })

step('compile the server and the plugins (tsc -p platform/tsconfig.build.json)')
run(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', join('platform', 'tsconfig.build.json')])

// SPORTELLO_WEB=reuse takes the portal already built in platform/web/dist (CI builds it for the
// browser tests moments before, from the same checkout).
if (
  process.env.SPORTELLO_WEB === 'reuse' &&
  (await stat(join(ROOT, 'platform', 'web', 'dist', 'index.html')).catch(() => null))
) {
  step('the portal: reusing platform/web/dist (SPORTELLO_WEB=reuse)')
} else {
  step('build the portal (vite)')
  run('npm', ['run', 'build:web', '--workspace=platform'])
}

step('copy assets, default content and the portal')
// Files the code reads at run time next to its modules (the DOCAREA WSDL, ...): everything that is not TypeScript.
for (const dir of ['app', 'bin', 'commands', 'config', 'database', 'providers', 'sdk', 'shared', 'start']) {
  await copyTree(join(ROOT, 'platform', dir), join(OUT, 'platform', dir), (rel) => !rel.endsWith('.ts'))
}
await copyTree(join(ROOT, 'platform', 'web', 'dist'), join(OUT, 'platform', 'web', 'dist'), () => true)
for (const id of pluginIds) {
  await copyTree(
    join(ROOT, 'plugins', id),
    join(OUT, 'plugins', id),
    (rel) => !rel.endsWith('.ts') && rel !== 'package.json' && !rel.startsWith(`tests${sep}`)
  )
}
for (const content of ['forms', 'rules']) {
  await copyTree(join(ROOT, content), join(OUT, content), () => true)
}

step('package manifests and entry points')
const rootPackage = await readJson(join(ROOT, 'package.json'))
// Same dependencies and workspaces as the lockfile, so `npm ci --omit=dev` accepts it; no development scripts.
await writeJson(join(OUT, 'package.json'), { ...rootPackage, scripts: {} })
await copyFile(join(ROOT, 'package-lock.json'), join(OUT, 'package-lock.json'))

const platformPackage = await readJson(join(ROOT, 'platform', 'package.json'))
await writeJson(join(OUT, 'platform', 'package.json'), {
  ...platformPackage,
  scripts: {},
  // Plugins import the SDK; the testing helpers are not part of a production build.
  exports: { './sdk': './sdk/index.js' },
})
for (const id of pluginIds) {
  const pluginPackage = await readJson(join(ROOT, 'plugins', id, 'package.json'))
  await writeJson(join(OUT, 'plugins', id, 'package.json'), { ...pluginPackage, scripts: {}, main: 'index.js' })
}

const header = '// Generated by scripts/build.mjs: the compiled application, run by plain Node.\n'
await writeFile(join(OUT, 'platform', 'ace.js'), `${header}await import('./bin/console.js')\n`)
await writeFile(
  join(OUT, 'ace.js'),
  `${header}// node ace.js <command>, e.g. migration:run --force\nawait import('./platform/bin/console.js')\n`
)
await writeFile(
  join(OUT, 'server.js'),
  `${header}// The HTTP process: PROCESS_ROLE=web (or all, which also runs the jobs)\nawait import('./platform/bin/server.js')\n`
)
await writeFile(
  join(OUT, 'worker.js'),
  `${header}// The job process: PROCESS_ROLE=worker\nawait import('./platform/bin/worker.js')\n`
)

const workspaces = { platform: 'platform', forms: 'forms', rules: 'rules' }
for (const id of pluginIds) workspaces[`plugin-${id}`] = `plugins/${id}`
if (links) {
  step('link the workspaces for running in place')
  await mkdir(join(OUT, 'node_modules', '@sportello'), { recursive: true })
  for (const [name, folder] of Object.entries(workspaces)) {
    await symlink(join('..', '..', folder), join(OUT, 'node_modules', '@sportello', name))
    // A workspace's own versions of a package (platform's ajv 8 beside the root's ajv 6) live in its node_modules.
    if (await exists(join(ROOT, folder, 'node_modules'))) {
      await symlink(relative(join(OUT, folder), join(ROOT, folder, 'node_modules')), join(OUT, folder, 'node_modules'))
    }
  }
}

step('check that the build imports only production dependencies')
// What `npm ci --omit=dev` installs is what the lockfile does not mark as dev-only.
const lock = await readJson(join(ROOT, 'package-lock.json'))
const folders = Object.values(workspaces)
const builtins = new Set(builtinModules)
const problems = []
const skipped = (_path, entry) => ['node_modules', 'dist'].includes(entry.name)
for await (const file of walk(OUT, skipped)) {
  if (!file.endsWith('.js')) continue
  const code = await readFile(file, 'utf8')
  // TypeScript's own scanner finds every import, export-from and import() with a literal name;
  // a pattern over the text would also match quotes inside strings.
  for (const { fileName: spec } of ts.preProcessFile(code, true, true).importedFiles) {
    if (/^(\.|\/|#|node:)/.test(spec) || builtins.has(spec)) continue
    const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]
    // The workspaces themselves are part of the build.
    if (name.startsWith('@sportello/')) continue
    // Resolved as Node does: the workspace's own node_modules first, then the root's.
    const folder = folders.find((f) => relative(join(OUT, f), file).split(sep)[0] !== '..')
    const entry = lock.packages[`${folder}/node_modules/${name}`] ?? lock.packages[`node_modules/${name}`]
    if (!entry) problems.push(`${relative(OUT, file)} imports "${name}", which is not installed`)
    else if (entry.dev) problems.push(`${relative(OUT, file)} imports "${name}", a development dependency`)
  }
}
if (problems.length) {
  process.stderr.write(
    `build: production code needs packages that \`npm ci --omit=dev\` would not install:\n  ${problems.join('\n  ')}\n` +
      'Move them to "dependencies" (npm install <pkg> -w platform) or keep them out of the server code.\n'
  )
  process.exit(1)
}

step(`done: build/ (node build/ace.js migration:run --force; PROCESS_ROLE=web node build/server.js)`)
