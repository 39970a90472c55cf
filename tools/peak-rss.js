'use strict';
// Preloaded (`node -r`) into a process the startup bench measures: at exit, writes the process's
// peak RSS (KB) and CPU time (µs) to the file named by BENCH_USAGE_FILE. Node gives a parent no
// rusage of its children, so the child reports its own.
const fs = require('node:fs');

process.on('exit', () => {
  const usage = process.resourceUsage();
  fs.writeFileSync(process.env.BENCH_USAGE_FILE, JSON.stringify({ maxRssKb: usage.maxRSS, cpuUs: usage.userCPUTime + usage.systemCPUTime }));
});
