import { test } from '@japa/runner'
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { connect } from 'node:net'
import { randomUUID } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import { BullMQQueue } from '#queue/bullmq_driver'
import { freePort } from '#tests/helpers/processes'

/*
 * What BullMQ reports outside a job (Redis gone, a lock lost, a command failing while closing)
 * arrives as an 'error' event; unheard, BullMQ prints it to the console itself, past the log and its
 * masking of personal data. Here the queue's own Redis goes away under it: the errors must reach the
 * log, and none may escape as an uncaught exception. Needs redis-server (npm run test:full has it).
 */
function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  })
  return new Promise((resolve, reject) => {
    const started = Date.now()
    const tick = () => {
      const socket = connect(port, '127.0.0.1')
      socket.once('connect', () => {
        socket.destroy()
        resolve(child)
      })
      socket.once('error', () => {
        if (Date.now() - started > 10000) return reject(new Error(`redis-server did not listen on ${port}`))
        setTimeout(tick, 50)
      })
    }
    tick()
  })
}

function until(predicate: () => boolean, timeoutMs: number) {
  const started = Date.now()
  return new Promise<void>((resolve, reject) => {
    const tick = () => {
      if (predicate()) return resolve()
      if (Date.now() - started > timeoutMs) return reject(new Error('condition not met in time'))
      setTimeout(tick, 20)
    }
    tick()
  })
}

if (process.env.REDIS_URL) {
  test.group('BullMQ driver: errors outside a job', () => {
    test('Redis going away is logged, and no error escapes as an uncaught exception', async ({ assert }) => {
      const port = await freePort()
      let redis = await startRedis(port)
      const uncaught: unknown[] = []
      const onUncaught = (error: unknown) => uncaught.push(error)
      process.on('uncaughtException', onUncaught)
      const logged: string[] = []
      const queue = new BullMQQueue(
        `redis://127.0.0.1:${port}`,
        { info() {}, error: (message) => logged.push(message) },
        { db, queueName: `errors-${randomUUID()}`, prefix: 'sportello-test' }
      )
      try {
        queue.define('noop', { handle: () => {} })
        await queue.start()
        redis.kill('SIGKILL')
        await once(redis, 'exit')
        await until(() => uncaught.length > 0 || logged.some((line) => line.startsWith('[queue worker]')), 15000)
        assert.deepEqual(uncaught.map(String), [])
        // Each says which of BullMQ's objects reported it, and what Redis answered.
        for (const line of logged) assert.match(line, /^\[queue (worker|events|queue)\] \S/)
      } finally {
        // Redis back on the same port, so that the queue can close its connections.
        redis = await startRedis(port)
        await queue.close({ force: true })
        redis.kill('SIGKILL')
        process.off('uncaughtException', onUncaught)
      }
    }).timeout(60000)
  })
}
