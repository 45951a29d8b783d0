#pragma once
// The SimGrid platform built from a scenario: one zone per site, one host per node. Every
// node that will ever exist is created at t=0 (SimGrid can't add hosts later) and switched
// off until its commissioning date. A host has one core per GPU, each running at one GPU's
// sustained FLOP/s, with one pstate per GPU clock step and SimGrid's linear power model.
#include <memory>
#include <string>
#include <vector>

#include "dctwin/sim/scenario.h"

namespace simgrid::s4u {
class Host;
}

namespace dctwin::sim {

struct SiteNodes {
  std::vector<simgrid::s4u::Host*> hosts;  // in commissioning order
  std::vector<double> commission_s;        // per host
};

class Platform {
 public:
  // Needs a live simgrid::s4u::Engine with the energy plugin initialised. Seals the platform.
  explicit Platform(const Scenario& scenario);

  const SiteNodes& site(std::size_t index) const { return sites_.at(index); }
  std::size_t site_count() const { return sites_.size(); }
  // Always on and drawing nothing: where the scheduler and facility actors live, so that
  // they survive nodes switching on and off.
  simgrid::s4u::Host* control_host() const { return control_host_; }

  static std::string host_name(const Site& site, std::size_t node);
  // "idle:epsilon:all_busy" per pstate, as SimGrid's wattage_per_state wants it.
  static std::string wattage_per_state(const models::GpuModel& gpu);

 private:
  std::vector<SiteNodes> sites_;
  simgrid::s4u::Host* control_host_ = nullptr;
};

}  // namespace dctwin::sim
