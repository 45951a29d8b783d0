#pragma once
// Runs a checking kernel that counts bad elements into one device counter and returns the
// count: `launch(counter)` launches it on `stream`.
#include <cuda_runtime.h>

#include <cstddef>

#include "common.h"

namespace calib {

template <class Launch>
std::size_t count_on_device(cudaStream_t stream, const char* kernel, Launch launch) {
  unsigned long long* counter = nullptr;
  CALIB_CHECK(cudaMallocAsync(&counter, sizeof *counter, stream));
  CALIB_CHECK(cudaMemsetAsync(counter, 0, sizeof *counter, stream));
  launch(counter);
  CALIB_LAUNCHED(kernel);
  unsigned long long host = 0;
  CALIB_CHECK(cudaMemcpyAsync(&host, counter, sizeof host, cudaMemcpyDeviceToHost, stream));
  CALIB_CHECK(cudaFreeAsync(counter, stream));
  CALIB_CHECK(cudaStreamSynchronize(stream));
  return static_cast<std::size_t>(host);
}

}  // namespace calib
