// A tiny fork-join pool for the GEMM kernels. A job is split into `parts` pieces that the caller
// and the workers claim one at a time from a shared ticket, so a worker that is asleep or
// descheduled (the machine may be shared) never holds the caller up: the caller claims the
// pieces itself. Workers spin briefly after each job (training issues matmuls back to back and
// waking a sleeping thread costs tens of microseconds), then sleep on a condition variable so an
// idle process burns no CPU.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace gg {

class ThreadPool {
 public:
  using Task = void (*)(void* ctx, int part, int parts);

  /** `threads` counts the caller: 1 means no workers. */
  ThreadPool(int threads, int spinMicros);

  int threads() const { return threads_; }

  /**
   * Runs task(ctx, i, parts) once for every i in [0, parts), on the caller and the workers, and
   * returns when all are done. If another thread is using the pool, runs them all on the caller.
   */
  void run(Task task, void* ctx, int parts);

 private:
  void workerLoop();
  // Claims and runs pieces of job `gen` until none are left.
  void drain(uint32_t gen);

  int threads_;
  int spinMicros_;
  std::mutex busy_;  // one job at a time
  std::mutex sleepMutex_;
  std::condition_variable wake_;
  std::atomic<uint32_t> generation_{0};
  std::atomic<int> sleepers_{0};
  // Bits 63..32: job generation; 31..16: number of pieces; 15..0: next unclaimed piece. One word,
  // so a late worker can never claim a piece of a newer job by mistake.
  std::atomic<uint64_t> ticket_{0};
  std::atomic<int> finished_{0};
  Task task_ = nullptr;
  void* ctx_ = nullptr;
};

}  // namespace gg
