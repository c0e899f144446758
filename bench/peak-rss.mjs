// Preloaded (`node --import`) by the benchmark into a measured process: at exit it writes the
// process's own peak resident set (VmHWM, KiB) to PEAK_RSS_FILE — what `ps`/top would have shown at worst.
import { readFileSync, writeFileSync } from 'node:fs';

const file = process.env.PEAK_RSS_FILE;
if (file) {
  process.on('exit', () => {
    const hwm = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (hwm) writeFileSync(file, hwm);
  });
}
