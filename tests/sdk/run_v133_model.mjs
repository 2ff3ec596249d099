// The v1.33 use-case and integration model (WP2) and outbound configuration (WP6) through the official
// @epilot/sdk integration-toolkit client: all five use-case types, the integration's new fields, the v2
// declarative sync with every embedded type, getOutboundStatus file_proxy entries, listSecureProxies
// (a literal path beside /v1/integrations/{integrationId}), 400s naming the field, 403 for a narrower
// token, 404 for another organisation.
// Usage: node run_v133_model.mjs <baseURL> <token> <consume-only token> <other organisation's token>
import { recorder, scriptArgs, sdkClient } from './harness.mjs'

const [baseURL, token, consumeToken, otherToken] = scriptArgs(4)
const client = sdkClient(baseURL, token)
const consumer = sdkClient(baseURL, consumeToken)
const stranger = sdkClient(baseURL, otherToken)
const r = recorder()
const V133 = { contracts: ['1.33'] } // answers only v1.33 can express (new types, new delivery variants)

const managedCall = {
  operation: { method: 'POST', path: '/orders/{{order_id}}', headers: { 'X-Tenant': '{{env.tenant}}' } },
  request_mapping: '{ "id": order_id }',
  response_mapping: 'data',
}
const secureProxy = { vpc_mode: 'secure_link', allowed_domains: ['*.erp.example.com'], allowed_ips: ['10.1.0.0/16'] }
const upload = {
  direction: 'upload',
  steps: [{ url: 'https://dms.example.com/upload', method: 'PUT', response_type: 'json', body_jsonata: '{ "id": document._id }' }],
}
const outbound = {
  event_catalog_event: 'document.created',
  event_filter: "document.type = 'invoice'",
  ack_tracking: 'off',
  mappings: [{ name: 'to DMS', enabled: true, delivery: { type: 'file_proxy', use_case_slug: 'dms-upload' } }],
}

// --- integration fields
const integration = await r.call(client, 'createIntegration', 201, [null, {
  name: 'Partner connector',
  integration_type: 'connector',
  protected: true,
  _manifest: ['blueprint-1'],
  connector_config: { base_url: 'https://api.partner.example', auth: { type: 'bearer', token: '{{env.partner_token}}' } },
}])
const integrationId = integration.id
r.check(integration.integration_type === 'connector' && integration.protected === true, 'integration fields not stored')
await r.call(client, 'updateIntegration', 400, [{ integrationId }, {
  connector_config: { auth: { type: 'bearer', token: 'literal-secret' } },
}], { label: 'literal secret' })
await r.call(client, 'getIntegration', 200, [{ integrationId }])

// --- the five types
const created = {}
for (const [type, slug, configuration] of [
  ['managed_call', 'orders', managedCall], ['secure_proxy', 'vpn', secureProxy],
  ['file_proxy', 'dms-upload', upload], ['outbound', 'documents-out', outbound],
]) {
  created[type] = await r.call(client, 'createUseCase', 201, [{ integrationId }, {
    name: `My ${type}`, slug, type, enabled: true, configuration,
  }], { ...V133, label: type })
}
await r.call(client, 'createUseCase', 400, [{ integrationId }, {
  name: 'Bad', slug: 'bad', type: 'managed_call', enabled: true, configuration: { operation: { method: 'TRACE', path: '/x' } },
}], { label: 'bad method' })
await r.call(client, 'listUseCases', 200, [{ integrationId }], V133)
const mc = await r.call(client, 'updateUseCase', 200, [{ integrationId, useCaseId: created.managed_call.id }, {
  type_annotations: { request: { order_id: 'string' } }, change_description: 'annotate',
}], { ...V133, label: 'type annotations' })
r.check(mc.type_annotations?.request?.order_id === 'string' && mc.change_description === 'annotate', 'annotations not stored')
const sp = await r.call(client, 'updateUseCase', 200, [{ integrationId, useCaseId: created.secure_proxy.id }, {
  name: 'VPN renamed', configuration: { vpc_mode: 'static_ip', allowed_ips: ['0.0.0.0/0'] },
}], { ...V133, label: 'read-only secure proxy' })
r.check(sp.configuration.vpc_mode === 'secure_link' && sp.configuration.allowed_ips[0] === '10.1.0.0/16', 'read-only fields changed')
r.check(!('change_description' in sp), 'change_description was inherited')
await r.call(client, 'getUseCase', 200, [{ integrationId, useCaseId: created.managed_call.id }], V133)
await r.call(client, 'listUseCaseHistory', 200, [{ integrationId, useCaseId: created.managed_call.id }], V133)
const status = await r.call(client, 'getOutboundStatus', 200, [{ integrationId }])
r.check(status.useCases[0].file_proxy?.[0]?.resolved === true, 'file_proxy target not resolved')
const proxies = await r.call(client, 'listSecureProxies', 200, [])
r.check(proxies.secure_proxies.some((p) => p.id === created.secure_proxy.id), 'secure proxy not listed')

// --- v2 declarative sync with all five embedded types
const v2 = await r.call(client, 'createIntegrationV2', 201, [null, {
  name: 'Everything', use_cases: [
    { name: 'In', type: 'inbound', enabled: true },
    { name: 'Out', type: 'outbound', enabled: true, configuration: outbound },
    { name: 'DMS upload', slug: 'dms-upload', type: 'file_proxy', enabled: true, configuration: upload },
    { name: 'Orders', type: 'managed_call', enabled: true, configuration: managedCall },
    { name: 'VPN', type: 'secure_proxy', enabled: true, configuration: secureProxy },
  ],
}], V133)
await r.call(client, 'updateIntegrationV2', 200, [{ integrationId: v2.id }, {
  name: 'Everything', use_cases: v2.use_cases.map(({ id, name, type, enabled }) => ({ id, name, type, enabled: !enabled || type !== 'inbound' })),
}], V133)
await r.call(client, 'getIntegrationV2', 200, [{ integrationId: v2.id }], V133)
await r.call(client, 'listIntegrationsV2', 200, [], V133)
await r.call(client, 'listIntegrations', 200, [])

// --- scopes and tenancy
await r.call(consumer, 'getIntegration', 403, [{ integrationId }], { contracts: null, label: 'consume-only' })
await r.call(consumer, 'updateUseCase', 403, [{ integrationId, useCaseId: created.managed_call.id }, { enabled: false }],
  { contracts: null, label: 'consume-only' })
await r.call(stranger, 'getUseCase', 404, [{ integrationId, useCaseId: created.managed_call.id }], { label: 'other org' })
await r.call(stranger, 'getOutboundStatus', 404, [{ integrationId }], { label: 'other org' })

await r.call(client, 'deleteUseCase', 200, [{ integrationId, useCaseId: created.secure_proxy.id }])
await r.call(client, 'deleteIntegrationV2', 200, [{ integrationId: v2.id }])
await r.call(client, 'deleteIntegration', 200, [{ integrationId }])
r.finish()
