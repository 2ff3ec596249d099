// Drives direct mode and v1.33 inbound fields through the official @epilot/sdk integration-toolkit client:
// simulateDirect (valid and invalid payloads), processErpUpdatesEventsV3 with group_id and per-event
// correlation_id (direct and mapped use cases), queryEvents by use_case_id, replayEvents, and the 404 of an
// unknown integration. Usage: node run_inbound_lanes.mjs <baseURL> <token>
// Prints one JSON array of {operationId, status, body} on stdout; exits 1 when a call answers unexpectedly.
import { randomUUID } from 'node:crypto'
import { authorize, createClient } from '@epilot/sdk/integration-toolkit'

const [baseURL, token] = process.argv.slice(2)
if (!baseURL || !token) {
  console.error('usage: node run_inbound_lanes.mjs <baseURL> <token>')
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

const allowList = {
  direct: true,
  entities: [
    { entity_schema: 'contact', unique_ids: ['customer_number'] },
    { entity_schema: 'contract', unique_ids: ['contract_number'] },
  ],
}
const operations = [
  { entity_slug: 'contact', unique_ids: { customer_number: 'SDK-1' }, attributes: { first_name: 'Ada' } },
  {
    entity_slug: 'contract',
    unique_ids: { contract_number: 'K-1' },
    attributes: { customer: { $relation: [{ schema: 'contact', unique_ids: { customer_number: 'SDK-1' } }] } },
  },
]

await call('simulateDirect', 200, null, { event_configuration: allowList, payload: { version: '1', operations } })
await call('simulateDirect', 200, null, {
  event_configuration: allowList,
  payload: {
    version: '2',
    operations: [
      { entity_slug: 'invoice', unique_ids: { number: 'I-1' }, attributes: {} },
      { entity_slug: 'contact', unique_ids: { customer_number: 'SDK-2' }, attributes: {}, colour: 'red' },
    ],
  },
})

const integration = await call('createIntegration', 201, null, { name: 'SDK lanes' })
const integrationId = integration.id
const direct = await call('createUseCase', 201, { integrationId }, {
  name: 'Direct operations', slug: 'direct-ops', type: 'inbound', enabled: true, configuration: allowList,
})
const mapped = await call('createUseCase', 201, { integrationId }, {
  name: 'CustomerChanged', slug: 'customer-changed', type: 'inbound', enabled: true,
  configuration: {
    entities: [{
      entity_schema: 'contact', unique_ids: ['customer_number'],
      fields: [{ attribute: 'customer_number', field: 'id' }, { attribute: 'last_name', field: 'name' }],
    }],
  },
})

const accepted = await call('processErpUpdatesEventsV3', 200, null, {
  integration_id: integrationId,
  correlation_id: 'sdk-request',
  group_id: 'customer-SDK-1',
  events: [
    { use_case_slug: 'direct-ops', timestamp: '2026-12-06T10:00:00Z', format: 'json',
      payload: { version: '1', operations }, correlation_id: 'sdk-direct-1' },
    { event_name: 'CustomerChanged', timestamp: '2026-12-06T10:00:01Z', format: 'json',
      payload: { id: 'SDK-1', name: 'Lovelace' }, group_id: 'customer-SDK-1-names' },
    { use_case_slug: 'direct-ops', timestamp: '2026-12-06T10:00:02Z', format: 'json',
      payload: JSON.stringify({ version: '1', operations: [{ entity_slug: 'invoice', unique_ids: { n: '1' }, attributes: {} }] }) },
  ],
})
await call('processErpUpdatesEventsV3', 404, null, {
  integration_id: randomUUID(),
  events: [{ event_name: 'CustomerChanged', timestamp: '2026-12-06T10:00:00Z', format: 'json', payload: { id: 'x' } }],
})

// processing runs after the request's commit (in-process here): wait until the three events are final
let page
for (let attempt = 0; attempt < 50; attempt++) {
  const response = await client.queryEvents({ integrationId }, { limit: 25 })
  page = response.data
  if (page.data.length === 3 && page.data.every((e) => e.status === 'processed' || e.status === 'failed')) break
  await new Promise((resolve) => setTimeout(resolve, 100))
}
await call('queryEvents', 200, { integrationId }, { use_case_id: direct.id })
await call('queryEvents', 200, { integrationId }, { correlation_id: 'sdk-direct-1' })
await call('queryEvents', 200, { integrationId }, { use_case_id: mapped.id })
await call('replayEvents', 200, { integrationId }, { event_ids: [accepted.results[0].event_id, randomUUID()] })

console.log(JSON.stringify(calls))
if (failures.length) {
  console.error(failures.join('\n'))
  process.exit(1)
}
