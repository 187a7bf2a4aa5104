import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { DateTime } from 'luxon'
import User from '#models/user'
import { RequestContext } from '#services/infrastructure/request_context'

/**
 * Disables an account at once (a lost device, someone who left the office): the user cannot log
 * in, and every open session of theirs is refused at its next request. `--enable` undoes it.
 * The change is audited like every write.
 *
 * stdout: only JSON, `{"email", "disabled_at"}`. Exit codes: 0 done; 2 unknown user.
 */
export default class UsersDisable extends BaseCommand {
  static commandName = 'users:disable'
  static description = 'Disable an account now (login refused, open sessions ended); --enable to undo'
  static options: CommandOptions = { startApp: true }

  @flags.string({ description: 'The account to disable (its e-mail address)', required: true })
  declare email: string

  @flags.boolean({ description: 'Enable the account again instead' })
  declare enable?: boolean

  async run() {
    const email = this.email.trim().toLowerCase()
    const user = await RequestContext.asSystem('cli:users:disable', async () => {
      const found = await User.findBy('email', email)
      if (!found) return null
      found.disabledAt = this.enable ? null : DateTime.now()
      await found.save()
      return found
    })
    if (!user) {
      process.stderr.write(JSON.stringify({ error: `No account with e-mail "${email}"` }) + '\n')
      this.exitCode = 2
      return
    }
    this.logger.log(JSON.stringify({ email: user.email, disabled_at: user.disabledAt?.toISO() ?? null }))
  }
}
