import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { pluginRegistry } from '#plugins/registry'

export default class PluginsList extends BaseCommand {
  static commandName = 'plugins:list'
  static description = 'List the installed service plugins (validated at boot)'
  static options: CommandOptions = { startApp: true }

  @flags.boolean({ description: 'Print a JSON array instead of a table' })
  declare json: boolean

  async run() {
    const plugins = pluginRegistry()
      .all()
      .map(({ manifest }) => ({
        id: manifest.id,
        name: manifest.name.it,
        names: manifest.name,
        version: manifest.version,
        forms: manifest.forms,
        rulesets: manifest.rulesets,
        jobs: Object.keys(manifest.jobs ?? {}),
      }))
    if (this.json) {
      process.stdout.write(JSON.stringify(plugins) + '\n')
      return
    }
    const table = this.ui.table()
    table.head(['id', 'nome', 'name', 'forms', 'rule sets'])
    for (const p of plugins)
      table.row([p.id, p.names.it, p.names.en, String(p.forms.length), String(p.rulesets.length)])
    table.render()
  }
}
