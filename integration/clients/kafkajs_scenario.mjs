#!/usr/bin/env node
// Brook client compatibility scenario for kafkajs.
// Usage: node kafkajs_scenario.mjs <bootstrap host:port> <unique-suffix>
// Contract and steps: integration/clients/README.md. COMPAT_DEBUG=1 turns on
// kafkajs logLevel DEBUG (every request with its API and version) on stderr.
import { createRequire } from 'node:module'

const require = createRequire(new URL('./node/package.json', import.meta.url))
const { Kafka, logLevel } = require('kafkajs')
const kafkajsVersion = require('kafkajs/package.json').version

import { STEPS, MESSAGES, KEYS, PARTITIONS, report, finish, sleep, withTimeout, run } from './scenario.mjs'

async function main () {
  const [bootstrap, suffix] = process.argv.slice(2)
  if (!bootstrap || !suffix) {
    process.stderr.write('usage: kafkajs_scenario.mjs <bootstrap host:port> <unique-suffix>\n')
    process.exit(2)
  }
  process.stdout.write(`client kafkajs ${kafkajsVersion}\n`)
  const topic = `compat-${suffix}`
  const groupId = `compat-group-${suffix}`
  const debug = !!process.env.COMPAT_DEBUG
  const kafka = new Kafka({
    clientId: `compat-kafkajs-${suffix}`,
    brokers: [bootstrap],
    connectionTimeout: 5000,
    requestTimeout: 15000,
    retry: { retries: 3, maxRetryTime: 5000 },
    logLevel: debug ? logLevel.DEBUG : logLevel.NOTHING,
    logCreator: () => ({ namespace, level, log }) => {
      const { message, ...extra } = log
      process.stderr.write(`${new Date().toISOString()} ${namespace} ${level} ${message} ${JSON.stringify(extra)}\n`)
    }
  })
  const admin = kafka.admin()
  const state = {}

  await run('metadata', async () => {
    await admin.connect()
    const cluster = await admin.describeCluster()
    await admin.listTopics()
    const brokers = cluster.brokers.map(b => `${b.host}:${b.port}`)
    if (brokers.length === 0) throw new Error('metadata lists no broker')
    if (!brokers.includes(bootstrap)) throw new Error(`no broker at ${bootstrap}; brokers: ${brokers.join(',')}`)
  })

  await run('create_topic', async deadline => {
    await admin.createTopics({
      topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }],
      waitForLeaders: true,
      timeout: Math.max(1000, deadline - Date.now() - 1000)
    })
    let last
    while (true) {
      try {
        const md = await admin.fetchTopicMetadata({ topics: [topic] })
        last = md.topics[0]
        if (last && last.partitions.length === PARTITIONS) return
      } catch (e) {
        last = e.message
      }
      if (Date.now() > deadline) throw new Error(`metadata shows ${JSON.stringify(last)}`)
      await sleep(200)
    }
  })

  await run('produce', async () => {
    // kafkajs 2.x: idempotent defaults to false; set it anyway.
    const producer = kafka.producer({ idempotent: false, allowAutoTopicCreation: false })
    state.producer = producer
    await producer.connect()
    // One send() call: concurrent send() calls are not ordered by kafkajs.
    const messages = []
    for (let i = 0; i < MESSAGES; i++) messages.push({ key: `key-${i % KEYS}`, value: `value-${i}`, headers: { h: String(i) } })
    const answers = await producer.send({ topic, acks: -1, messages })
    const errors = answers.flat().filter(r => r.errorCode !== 0)
    if (errors.length) throw new Error(`produce errors: ${JSON.stringify(errors[0])}`)
    await producer.disconnect()
    delete state.producer
  })

  const newConsumer = () => kafka.consumer({ groupId, allowAutoTopicCreation: false, sessionTimeout: 10000, heartbeatInterval: 1000, rebalanceTimeout: 20000 })
  const nextOffsets = {}

  await run('consume_group', async deadline => {
    const consumer = newConsumer()
    state.c1 = consumer
    await consumer.connect()
    await consumer.subscribe({ topics: [topic], fromBeginning: true })
    const seen = new Map()
    const last = new Map()
    const problems = []
    let crashed = null
    consumer.on(consumer.events.CRASH, e => { crashed = e.payload.error })
    state.assignment1 = []
    consumer.on(consumer.events.GROUP_JOIN, e => { state.assignment1 = e.payload.memberAssignment[topic] || [] })
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const key = message.key.toString()
        const value = message.value.toString()
        const h = message.headers.h ? message.headers.h.toString() : undefined
        const i = Number(value.split('-')[1])
        if (key !== `key-${i % KEYS}` || h !== String(i)) problems.push(`offset ${partition}/${message.offset}: key ${key} value ${value} h ${h}`)
        if (last.has(key) && last.get(key) >= i) problems.push(`key ${key}: ${i} after ${last.get(key)}`)
        last.set(key, i)
        seen.set(i, (seen.get(i) || 0) + 1)
        nextOffsets[partition] = BigInt(message.offset) + 1n
      }
    })
    while (seen.size < MESSAGES && Date.now() < deadline && !crashed) await sleep(100)
    if (crashed) throw crashed
    if (problems.length) throw new Error(`${problems.length} bad records, first: ${problems[0]}`)
    if (seen.size !== MESSAGES) throw new Error(`read ${seen.size} of ${MESSAGES} distinct messages`)
    const dups = [...seen.values()].reduce((a, n) => a + n - 1, 0)
    if (dups) throw new Error(`${dups} duplicate deliveries`)
  })

  await run('commit_offsets', async () => {
    await state.c1.commitOffsets(Object.entries(nextOffsets).map(([partition, offset]) => (
      { topic, partition: Number(partition), offset: offset.toString() })))
    const committed = await admin.fetchOffsets({ groupId, topics: [topic] })
    const ends = await admin.fetchTopicOffsets(topic)
    let total = 0
    for (const { partition, offset } of committed[0].partitions) {
      const end = ends.find(e => e.partition === partition)
      if (!end || end.high !== offset) throw new Error(`partition ${partition}: committed ${offset}, end offset ${end && end.high}`)
      total += Number(offset)
    }
    if (committed[0].partitions.length !== PARTITIONS) throw new Error(`OffsetFetch returned ${committed[0].partitions.length} partitions`)
    if (total !== MESSAGES) throw new Error(`committed offsets sum to ${total}, expected ${MESSAGES}`)
  })

  await run('second_member', async deadline => {
    const c2 = newConsumer()
    state.c2 = c2
    state.assignment2 = []
    c2.on(c2.events.GROUP_JOIN, e => { state.assignment2 = e.payload.memberAssignment[topic] || [] })
    let crashed = null
    c2.on(c2.events.CRASH, e => { crashed = e.payload.error })
    state.c1.on(state.c1.events.CRASH, e => { crashed = e.payload.error })
    await c2.connect()
    await c2.subscribe({ topics: [topic], fromBeginning: true })
    await c2.run({ autoCommit: false, eachMessage: async () => {} })
    let a1, a2
    while (true) {
      if (crashed) throw crashed
      a1 = new Set(state.assignment1)
      a2 = new Set(state.assignment2)
      const union = new Set([...a1, ...a2])
      const overlap = [...a1].some(p => a2.has(p))
      if (a1.size && a2.size && !overlap && union.size === PARTITIONS) break
      if (Date.now() > deadline - 1000) throw new Error(`assignments never settled: first [${[...a1]}], second [${[...a2]}]`)
      await sleep(100)
    }
    await Promise.all([c2.disconnect(), state.c1.disconnect()])
    delete state.c1
    delete state.c2
  })

  // A consumer left running by a failed step would recreate the topic.
  for (const name of ['c2', 'c1']) {
    if (state[name]) await withTimeout(state[name].disconnect(), 5000, `${name} disconnect`).catch(() => {})
    delete state[name]
  }

  await run('delete_topic', async deadline => {
    await admin.deleteTopics({ topics: [topic], timeout: Math.max(1000, deadline - Date.now() - 1000) })
    while (true) {
      const topics = await admin.listTopics()
      if (!topics.includes(topic)) return
      if (Date.now() > deadline) throw new Error('topic still listed in metadata')
      await sleep(200)
    }
  })

  for (const name of ['c2', 'c1', 'producer']) {
    if (state[name]) await withTimeout(state[name].disconnect(), 5000, `${name} disconnect`).catch(() => {})
  }
  await withTimeout(admin.disconnect(), 5000, 'admin disconnect').catch(() => {})
  finish()
}

main().catch(e => {
  process.stderr.write(`unexpected: ${e.stack}\n`)
  for (const s of STEPS) report(s, false, `unexpected: ${e.message}`)
  finish()
})
