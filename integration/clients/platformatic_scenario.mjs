#!/usr/bin/env node
// Brook client compatibility scenario for @platformatic/kafka.
// Usage: node platformatic_scenario.mjs <bootstrap host:port> <unique-suffix>
// Contract and steps: integration/clients/README.md. COMPAT_DEBUG=1 prints
// every request (API key, version, correlation id) and every request error on
// stderr, from the library's diagnostics channel plt:kafka:connections:api.
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import diagnostics from 'node:diagnostics_channel'
import { readFileSync } from 'node:fs'

const require = createRequire(new URL('./node/package.json', import.meta.url))
const pltEntry = require.resolve('@platformatic/kafka')
// The package's exports hide package.json; read it next to dist/.
const pltVersion = JSON.parse(readFileSync(new URL('../package.json', pathToFileURL(pltEntry)), 'utf8')).version
const { Admin, Consumer, Producer, ProduceAcks, MessagesStreamModes, MessagesStreamFallbackModes, stringSerializers, stringDeserializers } =
  await import(pathToFileURL(pltEntry).href)

import { STEPS, MESSAGES, KEYS, PARTITIONS, report, finish, sleep, withTimeout, run } from './scenario.mjs'

function errorText (e) {
  // Errors carry a code (PLT_KFK_*) and often nested errors with the broker's error codes.
  let text = `${e.code || e.name || 'Error'}: ${e.message}`
  const inner = e.errors || (e.cause ? [e.cause] : [])
  if (inner.length) text += ` [${inner.slice(0, 2).map(x => `${x.code || x.name}: ${x.message}${x.apiCode !== undefined ? ` apiCode=${x.apiCode}` : ''}${x.apiId ? ` ${x.apiId}` : ''}`).join('; ')}]`
  return text
}

async function main () {
  const [bootstrap, suffix] = process.argv.slice(2)
  if (!bootstrap || !suffix) {
    process.stderr.write('usage: platformatic_scenario.mjs <bootstrap host:port> <unique-suffix>\n')
    process.exit(2)
  }
  process.stdout.write(`client platformatic-kafka ${pltVersion}\n`)
  if (process.env.COMPAT_DEBUG) {
    const api = diagnostics.tracingChannel('plt:kafka:connections:api')
    api.subscribe({
      start: d => process.stderr.write(`${new Date().toISOString()} request api ${d.apiKey} v${d.apiVersion} corr ${d.correlationId}\n`),
      end: () => {},
      asyncStart: () => {},
      asyncEnd: d => process.stderr.write(`${new Date().toISOString()} response corr ${d.correlationId} api ${d.apiKey} v${d.apiVersion}\n`),
      error: d => process.stderr.write(`${new Date().toISOString()} error api ${d.apiKey} v${d.apiVersion} corr ${d.correlationId}: ${d.error && errorText(d.error)} ${d.error && d.error.response ? JSON.stringify(d.error.response, (k, v) => typeof v === 'bigint' ? v.toString() : v).slice(0, 2000) : ''}\n`)
    })
  }
  const topic = `compat-${suffix}`
  const groupId = `compat-group-${suffix}`
  const base = { clientId: `compat-platformatic-${suffix}`, bootstrapBrokers: [bootstrap], timeout: 15000, retries: 3, retryDelay: 500, autocreateTopics: false }
  const admin = new Admin(base)
  const state = {}
  const wrap = fn => async deadline => {
    try {
      await fn(deadline)
    } catch (e) {
      const err = new Error(errorText(e))
      err.name = 'Error'
      throw err
    }
  }

  await run('metadata', wrap(async () => {
    const md = await admin.metadata({ topics: [] })
    await admin.listTopics()
    const brokers = [...md.brokers.values()].map(b => `${b.host}:${b.port}`)
    if (brokers.length === 0) throw new Error('metadata lists no broker')
    if (!brokers.includes(bootstrap)) throw new Error(`no broker at ${bootstrap}; brokers: ${brokers.join(',')}`)
  }))

  await run('create_topic', wrap(async deadline => {
    await admin.createTopics({ topics: [topic], partitions: PARTITIONS, replicas: 1 })
    let last
    while (true) {
      try {
        const md = await admin.metadata({ topics: [topic], forceUpdate: true })
        last = md.topics.get(topic)
        if (last && last.partitionsCount === PARTITIONS) return
      } catch (e) {
        last = errorText(e)
      }
      if (Date.now() > deadline) throw new Error(`metadata shows ${JSON.stringify(last)}`)
      await sleep(200)
    }
  }))

  await run('produce', wrap(async () => {
    // @platformatic/kafka: idempotent defaults to false (acks then defaults to 1); set both.
    const producer = new Producer({ ...base, serializers: stringSerializers, idempotent: false, acks: ProduceAcks.ALL })
    state.producer = producer
    const messages = []
    for (let i = 0; i < MESSAGES; i++) messages.push({ topic, key: `key-${i % KEYS}`, value: `value-${i}`, headers: { h: String(i) } })
    const result = await producer.send({ messages })
    const written = (result.offsets || []).length
    if (result.unwritableNodes && result.unwritableNodes.length) throw new Error(`unwritable nodes ${result.unwritableNodes}`)
    if (written === 0) throw new Error(`send returned no offsets: ${JSON.stringify(result, (k, v) => typeof v === 'bigint' ? v.toString() : v)}`)
    await producer.close()
    delete state.producer
  }))

  const newConsumer = () => new Consumer({
    ...base,
    groupId,
    deserializers: stringDeserializers,
    autocommit: false,
    sessionTimeout: 10000,
    heartbeatInterval: 1000,
    rebalanceTimeout: 20000,
    maxWaitTime: 500
  })
  const consumeOptions = { topics: [topic], mode: MessagesStreamModes.COMMITTED, fallbackMode: MessagesStreamFallbackModes.EARLIEST }
  const nextOffsets = {}

  await run('consume_group', wrap(async deadline => {
    const consumer = newConsumer()
    state.c1 = consumer
    const stream = await consumer.consume(consumeOptions)
    state.s1 = stream
    const seen = new Map()
    const last = new Map()
    const problems = []
    let failed = null
    stream.on('error', e => { failed = e })
    stream.on('data', message => {
      const key = message.key
      const value = message.value
      const h = message.headers.get('h')
      const i = Number(value.split('-')[1])
      if (key !== `key-${i % KEYS}` || h !== String(i)) problems.push(`offset ${message.partition}/${message.offset}: key ${key} value ${value} h ${h}`)
      if (last.has(key) && last.get(key) >= i) problems.push(`key ${key}: ${i} after ${last.get(key)}`)
      last.set(key, i)
      seen.set(i, (seen.get(i) || 0) + 1)
      nextOffsets[message.partition] = { offset: message.offset + 1n, leaderEpoch: message.leaderEpoch }
    })
    while (seen.size < MESSAGES && Date.now() < deadline && !failed) await sleep(100)
    if (failed) throw failed
    if (problems.length) throw new Error(`${problems.length} bad records, first: ${problems[0]}`)
    if (seen.size !== MESSAGES) throw new Error(`read ${seen.size} of ${MESSAGES} distinct messages`)
    const dups = [...seen.values()].reduce((a, n) => a + n - 1, 0)
    if (dups) throw new Error(`${dups} duplicate deliveries`)
  }))

  await run('commit_offsets', wrap(async () => {
    const c1 = state.c1
    await c1.commit({
      offsets: Object.entries(nextOffsets).map(([partition, { offset, leaderEpoch }]) => (
        { topic, partition: Number(partition), offset, leaderEpoch }))
    })
    const partitions = [...Array(PARTITIONS).keys()]
    const committed = (await c1.listCommittedOffsets({ topics: [{ topic, partitions }] })).get(topic)
    const ends = (await c1.listOffsets({ topics: [topic] })).get(topic)
    let total = 0n
    for (const p of partitions) {
      if (committed[p] !== ends[p]) throw new Error(`partition ${p}: committed ${committed[p]}, end offset ${ends[p]}`)
      total += committed[p]
    }
    if (total !== BigInt(MESSAGES)) throw new Error(`committed offsets sum to ${total}, expected ${MESSAGES}`)
  }))

  await run('second_member', wrap(async deadline => {
    const c2 = newConsumer()
    state.c2 = c2
    let failed = null
    const s2 = await c2.consume(consumeOptions)
    state.s2 = s2
    s2.on('error', e => { failed = e })
    s2.on('data', () => {})
    state.s1.on('error', e => { failed = e })
    const parts = c => new Set((c.assignments || []).filter(a => a.topic === topic).flatMap(a => a.partitions))
    let a1, a2
    while (true) {
      if (failed) throw failed
      a1 = parts(state.c1)
      a2 = parts(c2)
      const union = new Set([...a1, ...a2])
      const overlap = [...a1].some(p => a2.has(p))
      if (a1.size && a2.size && !overlap && union.size === PARTITIONS) break
      if (Date.now() > deadline - 2000) throw new Error(`assignments never settled: first [${[...a1]}], second [${[...a2]}]`)
      await sleep(100)
    }
    await Promise.all([state.s2.close(), state.s1.close()])
    await Promise.all([c2.close(), state.c1.close()])
    for (const k of ['c1', 'c2', 's1', 's2']) delete state[k]
  }))

  // A consumer left running by a failed step could keep asking for the topic.
  for (const name of ['c2', 'c1']) {
    if (state[name]) await withTimeout(state[name].close(true), 5000, `${name} close`).catch(() => {})
    delete state[name]
  }

  await run('delete_topic', wrap(async deadline => {
    await admin.deleteTopics({ topics: [topic] })
    while (true) {
      const topics = await admin.listTopics()
      if (!topics.includes(topic)) return
      if (Date.now() > deadline) throw new Error('topic still listed in metadata')
      await sleep(200)
    }
  }))

  if (state.producer) await withTimeout(state.producer.close(true), 5000, 'producer close').catch(() => {})
  await withTimeout(admin.close(), 5000, 'admin close').catch(() => {})
  finish()
}

main().catch(e => {
  process.stderr.write(`unexpected: ${e.stack}\n`)
  for (const s of STEPS) report(s, false, `unexpected: ${e.message}`)
  finish()
})
