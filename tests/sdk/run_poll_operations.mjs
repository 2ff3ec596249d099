// Drives the 5 pollable-outbound operations through the official @epilot/sdk integration-toolkit client.
// Usage: node run_poll_operations.mjs <baseURL> <token> <deadLetterIntegrationId> <blockIntegrationId> <leaseSeconds>
// The dead-letter stream holds 3 messages (max_delivery_attempts 2), the block stream 2 (block, max 1).
// Prints one JSON array of {step, operationId, status, body} on stdout; exits 1 when a step misbehaves.
import { authorize, createClient } from '@epilot/sdk/integration-toolkit'

const [baseURL, token, dlqId, blockId, leaseSeconds] = process.argv.slice(2)
if (!blockId) {
  console.error('usage: node run_poll_operations.mjs <baseURL> <token> <dlqIntegration> <blockIntegration> <leaseSeconds>')
  process.exit(2)
}
const client = createClient()
client.defaults.baseURL = baseURL
client.defaults.validateStatus = () => true
authorize(client, token)

const calls = []
const failures = []
const lapse = () => new Promise((resolve) => setTimeout(resolve, Number(leaseSeconds) * 1000 + 300))
async function call(step, operationId, ...args) {
  const response = await client[operationId](...args)
  calls.push({ step, operationId, status: response.status, body: response.data })
  if (response.status !== 200) failures.push(`${step}: ${operationId} answered ${response.status} ${JSON.stringify(response.data)}`)
  return response.data
}
function expect(step, condition, detail) {
  if (!condition) failures.push(`${step}: ${detail}`)
}
const ackOf = (m, lease_token = m.lease_token) => ({ id: m.id, lease_token })
const statuses = (body) => body.results.map((r) => r.reason ?? r.status)

// --- dead_letter stream -------------------------------------------------------------------------------
let A = { integrationId: dlqId }
const first = await call('lease', 'pollOutboundMessages', A, { limit: 2 })
expect('lease', first.messages.length === 2 && first.has_more === true, 'two of three messages, has_more')
const [m1, m2] = first.messages
const busy = await call('one-lease-per-stream', 'pollOutboundMessages', A, { limit: 2 })
expect('one-lease-per-stream', busy.messages.length === 0, 'a second poll gets an empty batch')

const mixed = await call('rejections', 'ackOutboundMessages', A, {
  acks: [ackOf(m1, 'lt_not_the_token'), ackOf(m2), { id: 'msg_unknown', lease_token: 'lt_x' }],
})
expect('rejections', JSON.stringify(statuses(mixed)) === '["stale_lease","out_of_order","not_found"]', JSON.stringify(mixed))

await lapse()
const again = await call('lapsed-lease', 'pollOutboundMessages', A, { limit: 2 })
expect('lapsed-lease', again.messages.map((m) => m.id).join() === [m1.id, m2.id].join(), 'same ids after the lease lapsed')
expect('lapsed-lease', again.messages.every((m, i) => m.lease_token !== first.messages[i].lease_token), 'new lease tokens')
const stale = await call('stale-after-lapse', 'ackOutboundMessages', A, { acks: [ackOf(m1)] })
expect('stale-after-lapse', statuses(stale)[0] === 'stale_lease', JSON.stringify(stale))
const partial = await call('partial-ack', 'ackOutboundMessages', A, { acks: [ackOf(again.messages[0])] })
expect('partial-ack', statuses(partial)[0] === 'accepted', JSON.stringify(partial))

await lapse()
const third = await call('dead-letter', 'pollOutboundMessages', A, { limit: 5 })
expect('dead-letter', third.messages.length === 1 && third.messages[0].id !== m2.id, 'm2 exhausted: the next message comes')
const done = await call('ack', 'ackOutboundMessages', A, { acks: third.messages.map((m) => ackOf(m)) })
expect('ack', statuses(done).every((s) => s === 'accepted'), JSON.stringify(done))
const drained = await call('not-redelivered', 'pollOutboundMessages', A, {})
expect('not-redelivered', drained.messages.length === 0 && drained.has_more === false, 'acked messages never come back')

const dlq = await call('dlq', 'listOutboundDlqMessages', { ...A, limit: 10 })
expect('dlq', dlq.items.length === 1 && dlq.items[0].id === m2.id && dlq.items[0].delivery_attempts === 2, JSON.stringify(dlq))
expect('dlq', !('payload' in dlq.items[0]), 'no payload in listings')
const redriven = await call('redrive', 'redriveOutboundDlqMessages', A, { ids: [m2.id, 'msg_missing'] })
expect('redrive', JSON.stringify(statuses(redriven)) === '["redriven","not_found"]', JSON.stringify(redriven))
const copy = await call('redriven-copy', 'pollOutboundMessages', A, {})
expect('redriven-copy', copy.messages.length === 1 && copy.messages[0].id !== m2.id && copy.messages[0].event_id === m2.event_id,
  'the copy has a new id and the same event')
await call('ack-copy', 'ackOutboundMessages', A, { acks: copy.messages.map((m) => ackOf(m)) })
const noop = await call('unblock-noop', 'unblockOutboundStream', A, {})
expect('unblock-noop', noop.unblocked === false && !('dead_lettered_id' in noop), JSON.stringify(noop))

// --- block stream -------------------------------------------------------------------------------------
const B = { integrationId: blockId }
const b = await call('block-lease', 'pollOutboundMessages', B, { limit: 1 })
await lapse()
const blocked = await call('blocked', 'pollOutboundMessages', B, { limit: 5 })
expect('blocked', blocked.messages.length === 0, 'the exhausted head blocks the stream')
const status = await call('status', 'getOutboundStatus', B)
expect('status', status.useCases.every((u) => u.poll && u.poll.blocked === true), JSON.stringify(status))
const unblocked = await call('unblock', 'unblockOutboundStream', B, { reason: 'contract fixed by hand in the ERP' })
expect('unblock', unblocked.unblocked === true && unblocked.dead_lettered_id === b.messages[0].id, JSON.stringify(unblocked))
const flowing = await call('flowing', 'pollOutboundMessages', B, {})
expect('flowing', flowing.messages.length === 1 && flowing.messages[0].id !== b.messages[0].id, 'the stream moves on')
const reason = await call('dlq-reason', 'listOutboundDlqMessages', B)
expect('dlq-reason', reason.items[0]?.reason === 'contract fixed by hand in the ERP', JSON.stringify(reason))

console.log(JSON.stringify(calls))
if (failures.length) {
  console.error(failures.join('\n'))
  process.exit(1)
}
