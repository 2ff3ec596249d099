// Shared by the node scripts that drive the hub with the official @epilot/sdk integration-toolkit client.
// A script creates clients with sdkClient(), records every call with recorder().call(), and ends with
// recorder().finish(): one JSON array of {operationId, status, body, contracts, label} on stdout's last
// line (the Python side, tests/sdk/harness.py, validates each against the contracts), exit 1 when a call
// answered another status than expected.
import { authorize, createClient } from '@epilot/sdk/integration-toolkit'

export function sdkClient(baseURL, token) {
  const client = createClient()
  client.defaults.baseURL = baseURL
  client.defaults.validateStatus = () => true // record every status instead of throwing
  authorize(client, token)
  return client
}

// Arguments after the script name: <baseURL> <token> [more tokens...]
export function scriptArgs(count = 2) {
  const args = process.argv.slice(2)
  if (args.length < count) {
    console.error(`usage: node <script> <baseURL> <token> ... (${count} arguments)`)
    process.exit(2)
  }
  return args
}

export function recorder() {
  const calls = []
  const failures = []
  return {
    calls,
    // contracts: 'all' (every contract declaring the operation), ['1.33'] (an answer only v1.33 can
    // express), or null (a status no contract declares for this operation, e.g. 403 on an old one)
    async call(client, operationId, expected, args = [], { contracts = 'all', label = '' } = {}) {
      const response = await client[operationId](...args)
      calls.push({ operationId, status: response.status, body: response.data, contracts, label })
      if (response.status !== expected) {
        failures.push(`${operationId}${label ? ` (${label})` : ''}: expected ${expected}, got ${response.status} ` +
                      JSON.stringify(response.data))
      }
      return response.data
    },
    check(condition, message) {
      if (!condition) failures.push(message)
    },
    finish() {
      console.log(JSON.stringify(calls))
      if (failures.length) {
        console.error(failures.join('\n'))
        process.exit(1)
      }
    },
  }
}
