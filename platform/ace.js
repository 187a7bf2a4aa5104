/*
 * JavaScript entrypoint of the command line: `node platform/ace.js <command>`.
 * It registers the TypeScript loader against this folder's tsconfig (so the
 * command works from any working directory) and hands over to bin/console.ts.
 */
import { fileURLToPath } from 'node:url'

process.env.TS_NODE_PROJECT ??= fileURLToPath(new URL('./tsconfig.json', import.meta.url))
await import('ts-node-maintained/register/esm')
await import('./bin/console.js')
