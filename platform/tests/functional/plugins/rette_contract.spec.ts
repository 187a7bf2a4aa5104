import { pluginContractTests } from '@sportello/platform/sdk/testing'
import plugin from '../../fixtures/sample_plugins/rette/index.js'

pluginContractTests(plugin)
