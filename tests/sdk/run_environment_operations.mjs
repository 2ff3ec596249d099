// Drives maps, env/portal references, documentation pages and entity sync status through the official
// @epilot/sdk integration-toolkit client (v1.33 operations).
// Usage: node run_environment_operations.mjs <baseURL> <token>
// Prints one JSON array of {operationId, status, body} on stdout; exits 1 when a call answers unexpectedly.
import { authorize, createClient } from '@epilot/sdk/integration-toolkit'

const [baseURL, token] = process.argv.slice(2)
if (!baseURL || !token) {
  console.error('usage: node run_environment_operations.mjs <baseURL> <token>')
  process.exit(2)
}

const client = createClient()
client.defaults.baseURL = baseURL
client.defaults.validateStatus = () => true
authorize(client, token)

const calls = []
const failures = []
async function call(operationId, expected, ...args) {
  const response = await client[operationId](...args)
  calls.push({ operationId, status: response.status, body: response.data })
  if (response.status !== expected) {
    failures.push(`${operationId}: expected ${expected}, got ${response.status} ${JSON.stringify(response.data)}`)
  }
  return response.data
}
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

const maps = [{ key: 'salutations', label: 'Salutation codes', description: 'SAP ANRED', value: { Herr: 'Mr.', Frau: 'Ms.', Firma: null } }]
const integration = await call('createIntegration', 201, null, { name: 'SDK env integration', maps })
const integrationId = integration.id
await call('updateIntegrationV2', 200, { integrationId }, {
  name: 'SDK env integration',
  maps: [...maps, { key: 'status', label: 'Status', value: { active: 1 } }],
})
await call('getIntegrationV2', 200, { integrationId })
await call('updateIntegration', 400, { integrationId }, { maps: [{ key: 'Bad Key', label: '', value: { a: { b: 1 } } }] })

const configuration = {
  entities: [{
    entity_schema: 'contact',
    unique_ids: ['customer_number'],
    fields: [
      { attribute: 'customer_number', field: 'id' },
      { attribute: 'salutation', jsonataExpression: "$mapValue($env.salutations, title, 'unknown')" },
      { attribute: 'missing', env_var_ref: { key: 'not.set', default: 'fallback' } },
      { attribute: 'portal_id', portal_ref: { filter: { origin: 'END_CUSTOMER_PORTAL' } } },
    ],
  }],
}
const useCase = await call('createUseCase', 201, { integrationId }, {
  name: 'Customers', slug: 'customers', type: 'inbound', enabled: true, configuration,
})
await call('createUseCase', 400, { integrationId }, {
  name: 'Broken', slug: 'broken', type: 'inbound', enabled: true,
  configuration: { entities: [{ ...configuration.entities[0], fields: [{ attribute: 'customer_number', field: 'id' }, { attribute: 'x', portal_ref: { select: 'first' } }] }] },
})
const simulated = await call('simulateMappingV2', 200, null, {
  event_configuration: configuration, format: 'json', payload: { id: 'C-77', title: 'Frau' },
})

await call('upsertDocumentationPage', 200, { integrationId, docId: 'general' }, { title: 'Overview', content: '# SAP\nRuns nightly.' })
await call('upsertDocumentationPage', 200, { integrationId, docId: useCase.id }, { title: 'Customers', content: '*customer master data*' })
await call('upsertDocumentationPage', 400, { integrationId, docId: 'general' }, { title: '', content: 'x' })
await call('listDocumentationPages', 200, { integrationId })
await call('getDocumentationPage', 200, { integrationId, docId: useCase.id })
await call('deleteDocumentationPage', 200, { integrationId, docId: 'general' })
await call('getDocumentationPage', 404, { integrationId, docId: 'general' })

await call('processErpUpdatesEventsV3', 200, null, {
  integration_id: integrationId,
  events: [{ event_name: 'Customers', timestamp: '2026-11-29T08:00:00Z', format: 'json', payload: JSON.stringify({ id: 'C-77', title: 'Frau' }) }],
})
let entity
for (let attempt = 0; attempt < 50 && !entity; attempt++) {
  const found = await client.get('/v1/entities/contact', { params: { customer_number: 'C-77' } })
  entity = found.data.results && found.data.results[0]
  if (!entity) { await sleep(100) }
}
if (!entity) {
  failures.push('the event was not processed into an entity')
} else {
  await call('getEntitySyncStatus', 200, { entityId: entity.id })
  await call('getEntitySyncStatus', 200, { entityId: entity.id, integration_id: integrationId })
}
await call('getEntitySyncStatus', 400, { entityId: 'not-a-uuid' })
await call('deleteIntegration', 200, { integrationId })

console.log(JSON.stringify({ calls, simulated, entity }))
if (failures.length) {
  console.error(failures.join('\n'))
  process.exit(1)
}
