// Drives all 18 configuration operations through the official @epilot/sdk integration-toolkit client.
// Usage: node run_config_operations.mjs <baseURL> <token>
// Prints one JSON array of {operationId, status, body} on stdout; exits 1 when a call answers unexpectedly.
import { randomUUID } from 'node:crypto'
import { recorder, scriptArgs, sdkClient } from './harness.mjs'

const [baseURL, token] = scriptArgs(2)
const client = sdkClient(baseURL, token)
const record = recorder()
const call = (operationId, expected, ...args) => record.call(client, operationId, expected, args)

const integration = await call('createIntegration', 201, null, {
  name: 'SDK integration',
  description: 'created by @epilot/sdk',
  environment_config: [{ key: 'erp.url', label: 'ERP URL', type: 'String' }],
  settings: { autoRefresh: { enabled: false } },
})
const integrationId = integration.id
await call('listIntegrations', 200)
await call('getIntegration', 200, { integrationId })
await call('updateIntegration', 200, { integrationId }, { description: 'updated by @epilot/sdk' })

const useCase = await call('createUseCase', 201, { integrationId }, { name: 'Customer Changed', type: 'inbound', enabled: true })
const useCaseId = useCase.id
await call('listUseCases', 200, { integrationId })
await call('getUseCase', 200, { integrationId, useCaseId })
await call('updateUseCase', 200, { integrationId, useCaseId }, { enabled: false, change_description: 'pause' })
await call('listUseCaseHistory', 200, { integrationId, useCaseId })
await call('deleteUseCase', 200, { integrationId, useCaseId })

const pair = { app_id: randomUUID(), component_id: randomUUID() }
await call('setIntegrationAppMapping', 200, { integrationId }, { ...pair, overwrite: false })
await call('deleteIntegrationAppMapping', 200, { integrationId }, pair)

const v2 = await call('createIntegrationV2', 201, null, {
  name: 'SDK v2 integration',
  use_cases: [{ name: 'Orders', type: 'outbound', enabled: true }],
})
await call('listIntegrationsV2', 200)
await call('getIntegrationV2', 200, { integrationId: v2.id })
await call('updateIntegrationV2', 200, { integrationId: v2.id }, {
  name: 'SDK v2 integration (renamed)',
  use_cases: [
    { id: v2.use_cases[0].id, name: 'Orders', type: 'outbound', enabled: false },
    { name: 'Customers', type: 'inbound', enabled: true },
  ],
})
await call('deleteIntegrationV2', 200, { integrationId: v2.id })
await call('deleteIntegration', 200, { integrationId })

record.finish()
