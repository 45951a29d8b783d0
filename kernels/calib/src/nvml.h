#pragma once
// NVML through dlopen: the suite builds with only CUDA (no NVML header or link library) and
// runs, without power rows, where libnvidia-ml.so.1 is missing. Only read-only queries are
// declared: the suite never changes a setting of the card.
#include <optional>
#include <string>

namespace calib {

class Nvml {
 public:
  explicit Nvml(const std::string& pci_bus_id);  // the CUDA device's bus id
  ~Nvml();
  Nvml(const Nvml&) = delete;
  Nvml& operator=(const Nvml&) = delete;

  bool available() const { return device_ != nullptr; }
  const std::string& why_unavailable() const { return why_; }

  std::string driver_version() const;  // "" when unavailable
  std::optional<double> sm_clock_mhz() const;
  std::optional<double> mem_clock_mhz() const;
  std::optional<double> max_sm_clock_mhz() const;
  std::optional<double> power_limit_w() const;  // the enforced limit, read only
  std::optional<double> temperature_c() const;
  // Total energy since the driver loaded, in joules (Volta and later); nullopt if unsupported.
  std::optional<double> energy_j() const;

 private:
  void* lib_ = nullptr;
  void* device_ = nullptr;
  std::string why_;
  template <typename F>
  F symbol(const char* name) const;
};

}  // namespace calib
