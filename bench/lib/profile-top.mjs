#!/usr/bin/env node
// Prints where a V8 CPU profile (`node --cpu-prof`, e.g. from `pnpm bench e2e --profile`) spent
// its time: the top functions by self time, and by self time summed per source file.
//   node bench/lib/profile-top.mjs FILE.cpuprofile [N]
import { readFileSync } from 'node:fs';

const [file, n = '25'] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/lib/profile-top.mjs FILE.cpuprofile [N]');
  process.exit(2);
}
const prof = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((x) => [x.id, x]));
const self = new Map(); // node id → µs
for (let i = 0; i < prof.samples.length; i++) {
  const dt = prof.timeDeltas[i] ?? 0;
  self.set(prof.samples[i], (self.get(prof.samples[i]) ?? 0) + dt);
}
// Percentages of the busy time: the idle node (waiting for I/O) is left out.
for (const [id] of self) if (byId.get(id).callFrame.functionName === '(idle)') self.delete(id);
const total = [...self.values()].reduce((a, b) => a + b, 0);
const fnTime = new Map();
const fileTime = new Map();
for (const [id, us] of self) {
  const cf = byId.get(id).callFrame;
  const where = cf.url ? cf.url.replace(/^file:\/\//, '').split('/').slice(-2).join('/') : '(native)';
  const key = `${cf.functionName || '(anonymous)'}  ${where}:${cf.lineNumber + 1}`;
  fnTime.set(key, (fnTime.get(key) ?? 0) + us);
  fileTime.set(where, (fileTime.get(where) ?? 0) + us);
}
const pct = (us) => `${((us / total) * 100).toFixed(1).padStart(5)}%`;
console.log(`${file}: ${(total / 1000).toFixed(0)} ms busy (idle excluded)\n\nself time by function:`);
for (const [k, us] of [...fnTime].sort((a, b) => b[1] - a[1]).slice(0, Number(n))) console.log(`  ${pct(us)}  ${k}`);
console.log('\nself time by file:');
for (const [k, us] of [...fileTime].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`  ${pct(us)}  ${k}`);
