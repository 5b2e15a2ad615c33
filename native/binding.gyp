{
  "targets": [
    {
      "target_name": "glimpse_native",
      "sources": ["src/addon.cc", "src/adam.cc", "src/epilogue.cc", "src/lstm_cell.cc", "src/sgemm.cc", "src/thread_pool.cc"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-O3", "-march=native", "-fno-math-errno", "-std=c++17", "-fexceptions", "-pthread"],
      "ldflags": ["-pthread"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
