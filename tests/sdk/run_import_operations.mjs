// Drives the eight ERP import operations through the official @epilot/sdk integration-toolkit client:
// the whole state machine, repoint, VALIDATION_STALE after editing the use case, abort mid-run and delete
// while processing. The file upload itself is the hub's own endpoint (the S3 substitute), called with fetch.
// Usage: node run_import_operations.mjs <baseURL> <token> <integrationId> <useCaseId>
// Prints one JSON array of {operationId, status, body} on stdout; exits 1 when a call answers unexpectedly.
import { authorize, createClient } from '@epilot/sdk/integration-toolkit'

const [baseURL, token, integrationId, useCaseId] = process.argv.slice(2)
const client = createClient()
client.defaults.baseURL = baseURL
client.defaults.validateStatus = () => true
authorize(client, token)

const calls = []
const failures = []
async function call (operationId, expected, ...args) {
  const response = await client[operationId](...args)
  calls.push({ operationId, status: response.status, body: response.data ?? null })
  if (response.status !== expected) {
    failures.push(`${operationId}: expected ${expected}, got ${response.status} ${JSON.stringify(response.data)}`)
  }
  return response.data
}

async function upload (name, text) {
  const form = new FormData()
  form.append('file', new Blob([text], { type: 'text/csv' }), name)
  const response = await fetch(`${baseURL}/v2/erp/imports/uploads`, {
    method: 'POST', body: form, headers: { Authorization: `Bearer ${token}` },
  })
  if (response.status !== 201) throw new Error(`upload: ${response.status} ${await response.text()}`)
  const { bucket, key } = await response.json()
  return { bucket, key }
}

async function waitFor (importId, statuses) {
  for (let i = 0; i < 600; i++) {
    const job = (await client.getErpImport({ importId })).data
    if (statuses.includes(job.status)) return job
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`import ${importId} never reached ${statuses}`)
}

const rows = (n, from = 0) => 'Article No;Product Name;Price\n' +
  Array.from({ length: n }, (_, i) => `A-${from + i};Product ${from + i};${i}.5`).join('\n') + '\n'
const target = { integration_id: integrationId, use_case_slug: 'products' }

// 1. Register, repoint, suggest, validate, execute.
const created = await call('createErpImport', 201, null, { s3_reference: await upload('first.csv', rows(3)), include_preview: true })
const importId = created.job.import_id
await call('createErpImport', 200, null, { s3_reference: await upload('second.csv', rows(5)), import_id: importId })
await call('listErpImports', 200, { limit: 10 })
await call('suggestErpImportUseCases', 200, { importId })
await call('validateErpImport', 202, { importId }, target)
const ready = await waitFor(importId, ['READY', 'FAILED'])
calls.push({ operationId: 'getErpImport', status: 200, body: ready })
await call('executeErpImport', 202, { importId }, {})
const imported = await waitFor(importId, ['IMPORTED', 'FAILED'])
calls.push({ operationId: 'getErpImport', status: 200, body: imported })
await call('createErpImport', 409, null, { s3_reference: await upload('third.csv', rows(1)), import_id: importId })

// 2. VALIDATION_STALE: the use case changes between validate and execute.
const stale = (await call('createErpImport', 201, null, { s3_reference: await upload('stale.csv', rows(2)) })).job.import_id
await call('validateErpImport', 202, { importId: stale }, target)
await waitFor(stale, ['READY'])
const useCase = (await client.getUseCase({ integrationId, useCaseId })).data
const configuration = structuredClone(useCase.configuration)
configuration.entities[0].fields.push({ attribute: 'source', constant: 'import' })
await call('updateUseCase', 200, { integrationId, useCaseId }, { configuration, change_description: 'add source' })
await call('executeErpImport', 409, { importId: stale }, {})

// 3. Abort mid-run, then delete while processing.
const big = (await call('createErpImport', 201, null, { s3_reference: await upload('big.csv', rows(400, 100)) })).job.import_id
await call('validateErpImport', 202, { importId: big }, target)
await waitFor(big, ['READY'])
await call('executeErpImport', 202, { importId: big }, {})
await call('abortErpImport', 202, { importId: big })
const cancelled = await waitFor(big, ['CANCELLED'])
calls.push({ operationId: 'getErpImport', status: 200, body: cancelled })
await call('abortErpImport', 409, { importId: big })

const doomed = (await call('createErpImport', 201, null, { s3_reference: await upload('doomed.csv', rows(400, 5000)) })).job.import_id
await call('validateErpImport', 202, { importId: doomed }, target)
await waitFor(doomed, ['READY'])
await call('executeErpImport', 202, { importId: doomed }, {})
await call('deleteErpImport', 204, { importId: doomed })
await call('getErpImport', 404, { importId: doomed })

console.log(JSON.stringify(calls))
if (failures.length) {
  console.error(failures.join('\n'))
  process.exit(1)
}
