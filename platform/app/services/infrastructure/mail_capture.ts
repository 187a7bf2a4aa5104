import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { SMTPServer } from 'smtp-server'

/**
 * The local simulator of the mail relay: a real SMTP server on loopback that
 * writes every message it receives as an .eml file, so the demo's emails can
 * be opened and read (platform/tmp/mail/).
 */
export async function startMailCapture(port: number, folder: string, host = '127.0.0.1') {
  await mkdir(folder, { recursive: true })
  let count = 0
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, _session, callback) {
      const chunks: Buffer[] = []
      // A connection dropped mid-message fails that message, not the process.
      stream.on('error', (error) => callback(error))
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        const file = join(folder, `${new Date().toISOString().replace(/[:.]/g, '-')}-${++count}.eml`)
        writeFile(file, Buffer.concat(chunks)).then(() => callback(), callback)
      })
    },
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => resolve())
  })
  // Once listening, an error belongs to one client's connection: it is not the demo's to die of.
  server.on('error', (error) => process.emitWarning(`local mail capture: ${error.message}`))
  return server
}
