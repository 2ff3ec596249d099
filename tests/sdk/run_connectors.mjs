// Connectors through the official @epilot/sdk integration-toolkit client: managedCallExecute (mapped GET
// with OAuth2, POST with the inbound hand-off and X-Inbound-Event-Id, 502 from an upstream error, 400
// SSRF_BLOCKED), the secure proxy (listSecureProxies, whitelist get/update/history, null → 400, proxy
// calls: pass-through 200, 403 outside the allow-list, 403 for a name resolving outside the CIDRs) and
// type generation (preview, generate, commit).
// Usage: node run_connectors.mjs <baseURL> <token> <integrationId> <secureProxyUseCaseId> <erpPort> <blockedIntegrationId>
import { recorder, scriptArgs, sdkClient } from './harness.mjs'

const [baseURL, token, integrationId, proxyUseCaseId, erpPort, blockedIntegrationId] = scriptArgs(6)
const client = sdkClient(baseURL, token)
const r = recorder()
const V133 = { contracts: ['1.33'] }

// --- managed calls
const customer = await r.call(client, 'managedCallExecute', 200,
  [{ slug: 'get-customer' }, { integration_id: integrationId, payload: { customer_id: 'C1', expand: 'lines' } }],
  { ...V133, label: 'mapped GET' })
r.check(customer.name === 'Ada Lovelace' && customer.total === 1250, `mapped response: ${JSON.stringify(customer)}`)

const order = await client.managedCallExecute({ slug: 'create-order' },
  { integration_id: integrationId, payload: { customer_id: 'C1', items: [{ sku: 'A', qty: 1 }] }, correlation_id: 'sdk-corr' })
r.calls.push({ operationId: 'managedCallExecute', status: order.status, body: order.data, contracts: ['1.33'],
  label: 'inbound hand-off' })
r.check(order.status === 200 && order.data.order_id === 'o-77', `order: ${order.status} ${JSON.stringify(order.data)}`)
r.check(Boolean(order.headers['x-inbound-event-id']), 'X-Inbound-Event-Id header is missing')

await r.call(client, 'managedCallExecute', 502, [{ slug: 'failing' }, { integration_id: integrationId, payload: {} }],
  { ...V133, label: 'upstream error' })
await r.call(client, 'managedCallExecute', 400, [{ slug: 'failing' }, { integration_id: blockedIntegrationId, payload: {} }],
  { ...V133, label: 'ssrf' })
await r.call(client, 'managedCallExecute', 404, [{ slug: 'nope' }, { integration_id: integrationId }],
  { ...V133, label: 'unknown slug' })

// --- secure proxy
const listed = await r.call(client, 'listSecureProxies', 200, [], V133)
r.check(listed.secure_proxies.some((p) => p.id === proxyUseCaseId), 'listSecureProxies misses the proxy')
const ids = { integrationId, useCaseId: proxyUseCaseId }
await r.call(client, 'getSecureProxyWhitelist', 200, [ids], V133)
const updated = await r.call(client, 'updateSecureProxyWhitelist', 200,
  [ids, { allowed_domains: ['api.erp.test', '*.erp.test'] }], V133)
r.check(updated.allowed_ips.length === 1, 'omitted allowed_ips must be kept')
await r.call(client, 'updateSecureProxyWhitelist', 400, [ids, { allowed_ips: null }], { ...V133, label: 'null' })
await r.call(client, 'updateSecureProxyWhitelist', 400, [ids, { allowed_domains: ['*.com'] }], { ...V133, label: 'too broad' })
const history = await r.call(client, 'listSecureProxyWhitelistHistory', 200, [{ ...ids, limit: 5 }], V133)
r.check(history.history.length === 1, `history: ${history.history.length} entries`)

const proxied = await r.call(client, 'secureProxy', 200, [null, {
  integration_id: integrationId, use_case_id: proxyUseCaseId, url: `http://api.erp.test:${erpPort}/customers/P1`,
  method: 'GET', headers: { 'X-API-Key': 'k3y-value-4412' } }], { ...V133, label: 'pass-through' })
r.check(proxied.status_code === 200 && proxied.body.data.id === 'P1', `proxied: ${JSON.stringify(proxied)}`)
await r.call(client, 'secureProxy', 200, [null, {
  integration_id: integrationId, use_case_slug: 'erp-link', url: `http://api.erp.test:${erpPort}/fail`, method: 'POST',
  body: { a: 1 }, headers: { 'X-API-Key': 'k3y-value-4412' } }], { ...V133, label: 'upstream 500 passed through' })
await r.call(client, 'secureProxy', 403, [null, {
  integration_id: integrationId, use_case_slug: 'erp-link', url: `http://other.test:${erpPort}/x`, method: 'GET' }],
  { ...V133, label: 'host outside the allow-list' })
await r.call(client, 'secureProxy', 403, [null, {
  integration_id: integrationId, use_case_slug: 'erp-link', url: `http://mixed.erp.test:${erpPort}/x`, method: 'GET' }],
  { ...V133, label: 'resolves outside the CIDRs' })
await r.call(client, 'secureProxy', 502, [null, {
  integration_id: integrationId, use_case_slug: 'erp-link', url: 'http://api.erp.test:9/x', method: 'GET' }],
  { ...V133, label: 'connection refused' })

// --- type generation
const preview = await r.call(client, 'generateTypesPreview', 200, [{ integrationId }], V133)
r.check(preview.use_cases.length === 3 && preview.suggested_version === '1.0.0', `preview: ${JSON.stringify(preview).slice(0, 200)}`)
const generated = await r.call(client, 'generateTypes', 200, [{ integrationId },
  { package_name: '@acme/partner-types', version: '1.0.0' }], V133)
r.check(generated.files['index.d.ts'].includes('export interface UseCaseMap'), 'index.d.ts lacks UseCaseMap')
await r.call(client, 'generateTypes', 400, [{ integrationId }, { package_name: '@acme/partner-types', version: 'x' }],
  { ...V133, label: 'bad version' })
await r.call(client, 'commitTypes', 200, [{ integrationId }, { package_name: '@acme/partner-types', version: '1.0.0' }], V133)
const after = await r.call(client, 'generateTypesPreview', 200, [{ integrationId }], { ...V133, label: 'after commit' })
r.check(after.previous_version === '1.0.0' && after.suggested_version === '1.1.0', `after commit: ${after.suggested_version}`)
await r.call(client, 'commitTypes', 400, [{ integrationId }, { package_name: '@acme/partner-types', version: '1.0.0' }],
  { ...V133, label: 'not greater' })

r.finish()
