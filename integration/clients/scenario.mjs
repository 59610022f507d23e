// What every JavaScript scenario shares (README.md beside this file): the
// steps and their prerequisites, the one-line-per-step report, the per-step
// and whole-script time limits, and the exit.

export const STEPS = ['metadata', 'create_topic', 'produce', 'consume_group', 'commit_offsets', 'second_member', 'delete_topic']
const DEPENDS = {
  create_topic: ['metadata'],
  produce: ['create_topic'],
  consume_group: ['produce'],
  commit_offsets: ['consume_group'],
  second_member: ['consume_group'],
  delete_topic: ['create_topic']
}
const STEP_MS = 30000
const TOTAL_MS = 110000
export const MESSAGES = 1000
export const KEYS = 20
export const PARTITIONS = 3
const start = Date.now()
const results = {}

export function report (step, ok, reason = '') {
  if (step in results) return
  results[step] = ok
  const why = String(reason).replace(/\s+/g, ' ').trim() || 'failed'
  process.stdout.write(ok ? `step ${step} ok\n` : `step ${step} FAIL ${why}\n`)
}

// Exits once stdout is flushed, whatever client sockets or timers are left:
// 0 when every step passed.
export function finish () {
  clearTimeout(watchdog)
  const ok = STEPS.every(s => results[s])
  process.exitCode = ok ? 0 : 1
  process.stdout.write('', () => process.exit(ok ? 0 : 1))
}

// The whole script ends in time even when a client call never returns.
const watchdog = setTimeout(() => {
  for (const s of STEPS) report(s, false, `timeout: script deadline of ${TOTAL_MS / 1000} s reached`)
  finish()
}, TOTAL_MS + 5000)

export const sleep = ms => new Promise(resolve => setTimeout(resolve, ms))

export function withTimeout (promise, ms, what) {
  let timer
  return Promise.race([
    promise,
    new Promise((resolve, reject) => { timer = setTimeout(() => reject(new Error(`timeout after ${ms} ms: ${what}`)), ms) })
  ]).finally(() => clearTimeout(timer))
}

// Runs one step within its budget, unless a prerequisite failed; `describe`
// turns a thrown error into the one-line reason.
export async function run (step, fn, describe = e => `${e.name || 'Error'}: ${e.message}${e.type ? ` (${e.type})` : ''}`) {
  for (const dep of DEPENDS[step] || []) {
    if (!results[dep]) return report(step, false, `skipped: ${dep} failed`)
  }
  const budget = Math.max(1000, Math.min(STEP_MS, TOTAL_MS - (Date.now() - start) - 2000))
  const deadline = Date.now() + budget
  try {
    await withTimeout(fn(deadline), budget, step)
    report(step, true)
  } catch (e) {
    report(step, false, describe(e))
  }
}
