/**
 * How many trials a machine runs at once and how many GEMM threads each gets (the native kernel
 * reads `GLIMPSE_NATIVE_THREADS`; its own default is min(2, cores) per process, which would
 * oversubscribe a machine running several trials).
 */
import * as os from 'os';

/** How many trials run at once and how many GEMM threads each gets. */
export interface Parallelism {
  workers: number;
  threads: number;
}

/**
 * Fits trials to the cores: each run's GEMM uses `threads` cores (the native kernel's
 * `GLIMPSE_NATIVE_THREADS`), so `workers` x `threads` should not exceed them. Given neither:
 * one thread per run and one run per core (independent runs scale better than threads within a
 * run). Given workers: the cores shared among them (1 or 2 threads each, the kernel's default cap).
 * Given threads: as many workers as fit.
 */
export function fitParallelism(opts: { workers?: number; threads?: number }, cores = os.availableParallelism()): Parallelism {
  const c = Math.max(1, cores);
  if (opts.workers !== undefined && opts.threads !== undefined) return { workers: opts.workers, threads: opts.threads };
  if (opts.workers !== undefined) return { workers: opts.workers, threads: Math.max(1, Math.min(2, Math.floor(c / opts.workers))) };
  const threads = opts.threads ?? 1;
  return { workers: Math.max(1, Math.floor(c / threads)), threads };
}
