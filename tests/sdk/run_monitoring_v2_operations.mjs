// Drives the 9 monitoring v2 and notification operations (plus settings.notifications on integration writes)
// through the official @epilot/sdk integration-toolkit client.
// Usage: node run_monitoring_v2_operations.mjs <baseURL> <token> <userId>
// Prints one JSON array of {operationId, status, body} on stdout; exits 1 when a call answers unexpectedly.
import { authorize, createClient } from '@epilot/sdk/integration-toolkit'

const [baseURL, token, userId] = process.argv.slice(2)
if (!baseURL || !token || !userId) {
  console.error('usage: node run_monitoring_v2_operations.mjs <baseURL> <token> <userId>')
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

const notifications = {
  enabled: true,
  recipients: [{ user_id: userId }],
  defaultChannels: { email: true, in_app: true },
  monitoredCodes: ['_error_'],
  rules: [
    { type: 'critical_error', enabled: true, window: '15m' },
    { type: 'error_threshold', enabled: true, threshold: 'auto', fallbackThreshold: 5, sensitivity: 'medium', window: '1h' },
  ],
  digest: { enabled: false, frequency: 'weekly', dayOfWeek: 1, timeOfDay: '08:00', timezone: 'Europe/Berlin',
    channels: { email: true, in_app: false }, includeHealthy: false, skipIfEmpty: true },
  muteUntil: null,
}
const integration = await call('createIntegration', 201, null, { name: 'SDK monitoring', settings: { notifications } })
const integrationId = integration.id
const ruleIds = integration.settings.notifications.rules.map((r) => r.id)
const saved = await call('updateIntegrationV2', 200, { integrationId }, { name: 'SDK monitoring', settings: integration.settings })
if (JSON.stringify(saved.settings.notifications.rules.map((r) => r.id)) !== JSON.stringify(ruleIds)) {
  failures.push('rule ids changed across saves')
}

await call('createUseCase', 201, { integrationId }, {
  name: 'Business partner', slug: 'business_partner', type: 'inbound', enabled: true,
  configuration: { entities: [{ entity_schema: 'contact', unique_ids: ['customer_number'],
    fields: [{ attribute: 'customer_number', field: 'customerId' }, { attribute: 'first_name', field: 'firstName' }] }] },
})
await call('processErpUpdatesEventsV3', 200, null, {
  integration_id: integrationId,
  events: [
    { event_name: 'Business partner', timestamp: '2026-03-01T08:00:00Z', format: 'json', payload: JSON.stringify({ customerId: 'C-1', firstName: 'Ada' }) },
    { event_name: 'Nobody listens', timestamp: '2026-03-01T08:00:01Z', format: 'json', payload: '{}' },
  ],
  correlation_id: 'sdk-trace-1',
})

const page = await call('queryMonitoringEventsV2', 200, { integrationId }, { limit: 10 })
const processed = page.data.find((e) => e.use_case_id && e.level === 'success')
if (!processed) failures.push(`no processed row: ${JSON.stringify(page.data)}`)
if (!page.data.some((e) => e.code === 'EVENT_NOT_CONFIGURED' && e.level === 'info')) failures.push('no info row for the ignored event')
await call('getAssociatedMonitoringEvents', 200, { integrationId, eventId: processed?.event_id ?? 'none' })
const spans = await call('ingestExternalMonitoringEvents', 202, { integrationId }, {
  events: [
    { correlation_id: 'sdk-trace-1', level: 'success', use_case_slug: 'business_partner', occurred_at: new Date().toISOString(), message: 'SAP accepted', detail: { step: 'post' } },
    { correlation_id: 'sdk-trace-1', level: 'loud', use_case_slug: 'business_partner', occurred_at: new Date().toISOString(), message: 'bad level' },
  ],
})
if (spans.accepted !== 1 || spans.rejected !== 1) failures.push(`spans: ${JSON.stringify(spans)}`)
const trace = await call('getMonitoringTraceByCorrelation', 200, { integrationId, correlationId: 'sdk-trace-1' })
if (!trace.spans.some((s) => s.code === 'EXTERNAL_SUCCESS')) failures.push('external span missing from the trace')
const from = new Date(Date.now() - 3600_000).toISOString()
await call('getMonitoringStatsV2', 200, { integrationId }, { from_date: from, group_by: 'level' })
await call('getMonitoringTimeSeriesV2', 200, { integrationId }, { from_date: from, interval: '5m', group_by: 'use_case_type' })
await call('testSendNotification', 202, { integrationId }, { kind: 'alert', type: 'critical_error' })
await call('listNotificationHistory', 200, { integrationId, limit: 500 })
await call('getNotificationStatus', 200, { integrationId, include: 'baseline_series' })

// the v0.46 monitoring operations over the same store answer as before
const v1 = await call('queryInboundMonitoringEvents', 200, { integrationId }, { limit: 10 })
if (v1.data.length !== 1 || v1.data[0].status !== 'success') failures.push(`v1 inbound rows: ${JSON.stringify(v1.data)}`)
await call('getMonitoringStats', 200, { integrationId }, { inbound_group_by: ['use_case_id', 'status'] })
await call('getMonitoringTimeSeries', 200, { integrationId }, { from_date: from, interval: '1h' })
await call('queryOutboundMonitoringEvents', 200, { integrationId }, {})

console.log(JSON.stringify(calls))
if (failures.length) {
  console.error(failures.join('\n'))
  process.exit(1)
}
