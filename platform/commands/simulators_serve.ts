import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { resolve } from 'node:path'

/**
 * The demo's local simulators as a process of their own, for a deployment where web and worker
 * processes are separate (compose.yaml, scripts/prod-smoke.sh): the SMTP capture, writing each
 * message it receives as an .eml file, the DOCAREA protocol system over SOAP, and pagoPA (GPD),
 * the SMS gateway and App IO with their keys from PAGOPA_KEY_PIACENZA, SMS_KEY_PIACENZA and
 * IO_KEY_PIACENZA. `npm start` runs the same ones inside its single process instead. Stops on SIGTERM.
 */
export default class SimulatorsServe extends BaseCommand {
  static commandName = 'simulators:serve'
  static description =
    "Run the demo's local SMTP capture, DOCAREA, pagoPA, SMS and App IO simulators as their own process"
  static options: CommandOptions = { startApp: true, staysAlive: true }

  @flags.number({ description: 'SMTP capture port (none when absent)' })
  declare smtpPort?: number

  @flags.number({ description: 'DOCAREA simulator port (none when absent)' })
  declare docareaPort?: number

  @flags.number({ description: 'pagoPA (GPD) simulator port (none when absent)' })
  declare gpdPort?: number

  @flags.number({ description: 'SMS gateway simulator port (none when absent)' })
  declare smsPort?: number

  @flags.number({ description: 'App IO simulator port (none when absent)' })
  declare ioPort?: number

  @flags.string({ description: 'Address to listen on (0.0.0.0 in a container)', default: '127.0.0.1' })
  declare host: string

  @flags.string({ description: 'Folder for the captured mail (.eml files)', default: 'tmp/mail' })
  declare mailDir: string

  @flags.string({ description: "Folder for the DOCAREA simulator's register", default: 'tmp/docarea' })
  declare docareaDir: string

  @flags.string({ description: "Folder for the pagoPA, SMS and App IO simulators' state", default: 'tmp' })
  declare payDir: string

  async run() {
    if (!this.smtpPort && !this.docareaPort && !this.gpdPort && !this.smsPort && !this.ioPort) {
      this.logger.error(
        'Name at least one simulator: --smtp-port, --docarea-port, --gpd-port, --sms-port or --io-port=<port>'
      )
      this.exitCode = 2
      await this.terminate()
      return
    }
    const closers: Array<() => Promise<void> | void> = []
    if (this.smtpPort) {
      const { startMailCapture } = await import('#services/infrastructure/mail_capture')
      const folder = resolve(this.app.makePath(), this.mailDir)
      const capture = await startMailCapture(this.smtpPort, folder, this.host)
      closers.push(() => new Promise<void>((done) => capture.close(() => done())))
      this.logger.info(`SMTP capture on ${this.host}:${this.smtpPort}, messages in ${folder}`)
    }
    if (this.docareaPort) {
      const { startDemoDocarea } = await import('#integrations/docarea/docarea_demo')
      const folder = resolve(this.app.makePath(), this.docareaDir)
      const simulator = await startDemoDocarea(this.docareaPort, folder, this.host)
      closers.push(() => simulator.close())
      this.logger.info(`DOCAREA simulator on ${simulator.url}, register in ${folder}`)
    }
    if (this.gpdPort || this.smsPort || this.ioPort) {
      const { startPayDemo } = await import('#integrations/pay_demo')
      const folder = resolve(this.app.makePath(), this.payDir)
      const ports = { gpd: this.gpdPort, sms: this.smsPort, io: this.ioPort }
      const demo = await startPayDemo(ports, (name) => resolve(folder, name), this.host)
      closers.push(() => demo.close())
      for (const s of demo.started) this.logger.info(`${s.name} simulator on ${s.url}, state in ${folder}`)
    }
    this.app.terminating(async () => {
      await Promise.all(closers.map((close) => close()))
    })
  }
}
