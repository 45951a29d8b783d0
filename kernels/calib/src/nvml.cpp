#include "nvml.h"

#include <dlfcn.h>

namespace calib {
namespace {

// The few NVML entry points used, declared by hand from NVML's documented C API; enums are
// passed as int (same ABI). nvmlReturn_t 0 is NVML_SUCCESS.
using InitFn = int (*)();
using ShutdownFn = int (*)();
using HandleByBusIdFn = int (*)(const char*, void**);
using ClockFn = int (*)(void*, int, unsigned*);  // nvmlDeviceGetClockInfo / GetMaxClockInfo
using UintFn = int (*)(void*, unsigned*);         // nvmlDeviceGetEnforcedPowerLimit (mW)
using TempFn = int (*)(void*, int, unsigned*);
using EnergyFn = int (*)(void*, unsigned long long*);  // mJ
using DriverFn = int (*)(char*, unsigned);
constexpr int kClockSm = 1, kClockMem = 2, kTemperatureGpu = 0;

}  // namespace

template <typename F>
F Nvml::symbol(const char* name) const {
  return lib_ ? reinterpret_cast<F>(dlsym(lib_, name)) : nullptr;
}

Nvml::Nvml(const std::string& pci_bus_id) {
  lib_ = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!lib_) {
    why_ = "libnvidia-ml.so.1 not found";
    return;
  }
  const auto init = symbol<InitFn>("nvmlInit_v2");
  const auto by_bus = symbol<HandleByBusIdFn>("nvmlDeviceGetHandleByPciBusId_v2");
  if (!init || !by_bus || init() != 0) {
    why_ = "nvmlInit_v2 failed";
    return;
  }
  void* dev = nullptr;
  if (by_bus(pci_bus_id.c_str(), &dev) != 0) {
    why_ = "NVML does not know the CUDA device at bus " + pci_bus_id;
    return;
  }
  device_ = dev;
}

Nvml::~Nvml() {
  if (const auto shutdown = symbol<ShutdownFn>("nvmlShutdown"); shutdown && device_) shutdown();
  if (lib_) dlclose(lib_);
}

std::string Nvml::driver_version() const {
  const auto f = symbol<DriverFn>("nvmlSystemGetDriverVersion");
  char buf[96] = {};
  return device_ && f && f(buf, sizeof buf) == 0 ? std::string(buf) : std::string();
}

namespace {
// Calls `query(&value)` first and reads `value` after it. Writing `if_ok(f(&v), v)` instead
// leaves the order of the two arguments to the compiler, and GCC copies `v` before calling
// `f`: every reading came out 0 on the first run on a GPU.
template <typename T, typename Query>
std::optional<double> read_if_ok(Query query, double scale = 1.0) {
  T value{};
  if (query(&value) != 0) return std::nullopt;
  return static_cast<double>(value) * scale;
}
}  // namespace

std::optional<double> Nvml::sm_clock_mhz() const {
  const auto f = symbol<ClockFn>("nvmlDeviceGetClockInfo");
  if (!device_ || !f) return std::nullopt;
  return read_if_ok<unsigned>([&](unsigned* v) { return f(device_, kClockSm, v); });
}
std::optional<double> Nvml::mem_clock_mhz() const {
  const auto f = symbol<ClockFn>("nvmlDeviceGetClockInfo");
  if (!device_ || !f) return std::nullopt;
  return read_if_ok<unsigned>([&](unsigned* v) { return f(device_, kClockMem, v); });
}
std::optional<double> Nvml::max_sm_clock_mhz() const {
  const auto f = symbol<ClockFn>("nvmlDeviceGetMaxClockInfo");
  if (!device_ || !f) return std::nullopt;
  return read_if_ok<unsigned>([&](unsigned* v) { return f(device_, kClockSm, v); });
}
std::optional<double> Nvml::power_limit_w() const {
  const auto f = symbol<UintFn>("nvmlDeviceGetEnforcedPowerLimit");
  if (!device_ || !f) return std::nullopt;
  return read_if_ok<unsigned>([&](unsigned* v) { return f(device_, v); }, 1e-3);
}
std::optional<double> Nvml::temperature_c() const {
  const auto f = symbol<TempFn>("nvmlDeviceGetTemperature");
  if (!device_ || !f) return std::nullopt;
  return read_if_ok<unsigned>([&](unsigned* v) { return f(device_, kTemperatureGpu, v); });
}
std::optional<double> Nvml::energy_j() const {
  const auto f = symbol<EnergyFn>("nvmlDeviceGetTotalEnergyConsumption");
  if (!device_ || !f) return std::nullopt;
  return read_if_ok<unsigned long long>([&](unsigned long long* v) { return f(device_, v); }, 1e-3);
}

}  // namespace calib
