import { pluginContractTests } from '@sportello/platform/sdk/testing'
import plugin from '../../fixtures/sample_plugins/sample/index.js'

// The fixture plugin declares every capability, so every contract check runs on it.
pluginContractTests(plugin)
