import { pluginContractTests } from '@sportello/platform/sdk/testing'
import plugin from '../index.js'

pluginContractTests(plugin)
