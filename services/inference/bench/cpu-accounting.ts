import { readFileSync, readdirSync } from 'node:fs';

/** CPU time (ms) of one process split into its main thread and all other threads (workers, V8 helpers). */
export interface ProcessCpu {
  readonly mainMs: number;
  readonly otherThreadsMs: number;
}

const ticksPerSecond = 100; // USER_HZ on Linux

/** CPU time (ms, utime + stime) of every live thread of `pid`, by thread id, from /proc/<pid>/task/<tid>/stat. */
export function threadCpuMs(pid: number): Map<number, number> {
  const byThread = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    byThread.set(Number(tid), ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond);
  }
  return byThread;
}

/**
 * The main thread's and the other threads' CPU time. Linux only: elsewhere returns undefined and the report leaves
 * the CPU columns out. Counting CPU time instead of wall time keeps the figure meaningful on a machine where other
 * work runs at the same time.
 */
export function processCpu(pid: number): ProcessCpu | undefined {
  try {
    let mainMs = 0;
    let otherThreadsMs = 0;
    for (const [tid, ms] of threadCpuMs(pid)) {
      if (tid === pid) mainMs += ms;
      else otherThreadsMs += ms;
    }
    return { mainMs, otherThreadsMs };
  } catch {
    return undefined;
  }
}

export function cpuDelta(before: ProcessCpu | undefined, after: ProcessCpu | undefined): ProcessCpu | undefined {
  if (!before || !after) return undefined;
  return { mainMs: after.mainMs - before.mainMs, otherThreadsMs: after.otherThreadsMs - before.otherThreadsMs };
}
