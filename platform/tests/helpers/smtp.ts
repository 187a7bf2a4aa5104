import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'
import { simpleParser, type ParsedMail } from 'mailparser'
import type { Group } from '@japa/runner/core'
import { configureMailer } from '#services/infrastructure/mailer'

/** A real SMTP server on loopback that keeps (parsed) what it receives. */
export async function smtpCapture() {
  const received: ParsedMail[] = []
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, _session, callback) {
      simpleParser(stream).then((mail) => {
        received.push(mail)
        callback()
      }, callback)
    },
  })
  // A client that dies mid-conversation (a killed server process) resets its connection: that is
  // the client's story, told by what was or was not received, not an error of the capture.
  server.on('error', () => {})
  server.listen(0, '127.0.0.1')
  await once(server.server, 'listening')
  const { port } = server.server.address() as AddressInfo
  return { received, url: `smtp://127.0.0.1:${port}`, close: () => new Promise<void>((done) => server.close(done)) }
}

export type SmtpCapture = Awaited<ReturnType<typeof smtpCapture>>

/**
 * A fresh SMTP capture for each test of a group, with the mailer pointed at it and reset after:
 * call it in the group's callback and read the capture with the returned function inside a test.
 */
export function captureMailEachTest(group: Group): () => SmtpCapture {
  let current: SmtpCapture | null = null
  group.each.setup(async () => {
    const capture = await smtpCapture()
    current = capture
    configureMailer(capture.url, 'Comune <noreply@comune.example>')
    return async () => {
      configureMailer(undefined)
      current = null
      await capture.close()
    }
  })
  return () => {
    if (!current) throw new Error('The mail capture exists only while a test of its group runs.')
    return current
  }
}
