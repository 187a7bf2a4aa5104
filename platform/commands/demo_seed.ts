import { BaseCommand } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { DEMO_PASSWORD, seedDemo } from '#services/content/demo_seeder'

export default class DemoSeed extends BaseCommand {
  static commandName = 'demo:seed'
  static description = 'Create the demo tenants and users when missing, and print their credentials'
  static options: CommandOptions = { startApp: true }

  async run() {
    const result = await seedDemo()
    this.logger.success(`Demo tenants ready: ${result.tenants.join(', ')}`)
    for (const [slug, report] of Object.entries(result.upgraded)) {
      const changed = [...report.forms, ...report.rulesets]
      if (changed.length > 0) this.logger.info(`${slug}: new versions of the shipped ${changed.join(', ')}`)
      if (report.keptForStaff.length > 0) {
        this.logger.info(`${slug}: kept as staff published them: ${report.keptForStaff.join(', ')}`)
      }
    }
    const table = this.ui.table()
    table.head(['email', 'password', 'tenant', 'roles'])
    for (const user of result.users)
      table.row([user.email, DEMO_PASSWORD, user.tenant ?? '(all)', user.roles.join(', ')])
    table.render()
  }
}
