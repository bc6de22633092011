/**
 * What the benches read of processes from /proc (Linux): CPU time, which a machine shared with
 * other work does not stretch as it stretches wall time, and a process's children (the server's
 * engine host).
 */
import { readdirSync, readFileSync } from "node:fs";

/** CPU seconds (user + system, all threads) a process has used so far; 0 once it is gone. */
export function processCpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in USER_HZ (100)
  } catch {
    return 0;
  }
}

/** The process ids of a process's children; none once it is gone. */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8")
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/**
 * On-CPU milliseconds of a process's live threads so far, from each thread's schedstat
 * (nanoseconds): exact enough for a single run's few milliseconds, where /proc/<pid>/stat counts
 * in 10 ms ticks. Threads that ended are not counted; 0 once the process is gone.
 */
export function processCpuMsPrecise(pid: number): number {
  let ns = 0;
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return 0;
  }
  for (const tid of tids) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
    } catch {}
  }
  return ns / 1e6;
}

/**
 * CPU seconds the whole machine has spent busy (every process and the kernel: user, nice, system,
 * irq, softirq, steal) and in all, from /proc/stat; null elsewhere. Over a load, busy ÷ requests
 * is what a request costs the machine with everything around it (the load generator, Redis,
 * PostgreSQL's own processes, the kernel's network stack), and busy ÷ all says whether the
 * machine was the limit.
 */
export function machineCpuSeconds(): { busy: number; all: number } | null {
  try {
    const fields = readFileSync("/proc/stat", "utf8")
      .split("\n", 1)[0]!
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const [user, nice, system, idle, iowait, irq, softirq, steal] = fields;
    const busy = user! + nice! + system! + irq! + softirq! + steal!;
    return { busy: busy / 100, all: (busy + idle! + iowait!) / 100 };
  } catch {
    return null;
  }
}
