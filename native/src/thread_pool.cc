#include "thread_pool.h"

#include <chrono>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

// Waiting spins yield the CPU: on an idle machine yield() returns at once (no extra latency), and
// on a busy one it hands the core to whoever is runnable, often the thread we are waiting for.
static inline void cpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#endif
  std::this_thread::yield();
}

namespace gg {

ThreadPool::ThreadPool(int threads, int spinMicros)
    : threads_(threads < 1 ? 1 : threads), spinMicros_(spinMicros < 0 ? 0 : spinMicros) {
  // Workers are detached and never joined: the pool lives for the whole process, and a thread
  // blocked in wait() does not hold up process exit.
  for (int i = 1; i < threads_; i++) std::thread([this] { workerLoop(); }).detach();
}

void ThreadPool::drain(uint32_t gen) {
  uint64_t t = ticket_.load(std::memory_order_acquire);
  for (;;) {
    const uint32_t part = uint32_t(t & 0xffff), parts = uint32_t((t >> 16) & 0xffff);
    if (uint32_t(t >> 32) != gen || part >= parts) return;
    // A successful claim proves job `gen` is still running (the caller waits for every piece),
    // so task_ and ctx_ still hold its values.
    if (ticket_.compare_exchange_weak(t, t + 1, std::memory_order_acq_rel, std::memory_order_acquire)) {
      task_(ctx_, int(part), int(parts));
      finished_.fetch_add(1, std::memory_order_acq_rel);
      t = ticket_.load(std::memory_order_acquire);
    }
  }
}

void ThreadPool::workerLoop() {
  uint32_t seen = 0;
  for (;;) {
    const auto start = std::chrono::steady_clock::now();
    int spins = 0;
    while (generation_.load(std::memory_order_seq_cst) == seen) {
      cpuRelax();
      if (++spins % 64 != 0) continue;
      const auto spent = std::chrono::steady_clock::now() - start;
      if (std::chrono::duration_cast<std::chrono::microseconds>(spent).count() < spinMicros_) continue;
      std::unique_lock<std::mutex> lock(sleepMutex_);
      sleepers_.fetch_add(1, std::memory_order_seq_cst);
      wake_.wait(lock, [&] { return generation_.load(std::memory_order_seq_cst) != seen; });
      sleepers_.fetch_sub(1, std::memory_order_seq_cst);
    }
    seen = generation_.load(std::memory_order_seq_cst);
    drain(seen);
  }
}

void ThreadPool::run(Task task, void* ctx, int parts) {
  std::unique_lock<std::mutex> lock(busy_, std::try_to_lock);
  if (parts <= 1 || parts > 0xffff || threads_ <= 1 || !lock.owns_lock()) {
    for (int i = 0; i < parts; i++) task(ctx, i, parts);
    return;
  }
  const uint32_t gen = generation_.load(std::memory_order_relaxed) + 1;
  task_ = task;
  ctx_ = ctx;
  finished_.store(0, std::memory_order_relaxed);
  ticket_.store((uint64_t(gen) << 32) | (uint64_t(parts) << 16), std::memory_order_release);
  generation_.store(gen, std::memory_order_seq_cst);
  // Dekker pairing with the worker's sleepers_ increment: either we see a sleeper and notify
  // under the mutex, or the worker sees the new generation before it waits.
  if (sleepers_.load(std::memory_order_seq_cst) > 0) {
    std::lock_guard<std::mutex> guard(sleepMutex_);
    wake_.notify_all();
  }
  drain(gen);
  while (finished_.load(std::memory_order_acquire) != parts) cpuRelax();
}

}  // namespace gg
