#pragma once
// The SimGrid platform built from a scenario: one zone per site, one host per node. Every
// node that will ever exist is created at t=0 (SimGrid can't add hosts later) and switched
// off until its commissioning date. A host has one core per GPU, each running at one GPU's
// sustained FLOP/s, with one pstate per GPU clock step and SimGrid's linear power model.
// A site's zone is its scale-out fabric with parallel planes collapsed: a link per node
// (all its NICs), a router per leaf group with an uplink sized by the oversubscription, a
// router per pod at three tiers, and a core. A WAN zone joins one gateway per site.
#include <memory>
#include <string>
#include <vector>

#include "dctwin/sim/scenario.h"

namespace simgrid::s4u {
class Host;
class NetZone;
}

namespace dctwin::sim {

struct SiteNodes {
  std::vector<simgrid::s4u::Host*> hosts;  // in commissioning order
  std::vector<double> commission_s;        // per host
  int nodes_per_group = 0;                 // nodes under one leaf group; node n is in n / this
  int groups_per_pod = 0;
  double node_link_bytes_per_s = 0;        // a node's scale-out bandwidth, all its NICs
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
  // The site's end of the WAN: data moved between sites goes gateway to gateway.
  simgrid::s4u::Host* wan_gateway(std::size_t site) const { return gateways_.at(site); }

  static std::string host_name(const Site& site, std::size_t node);
  // "idle:epsilon:all_busy" per pstate, as SimGrid's wattage_per_state wants it.
  static std::string wattage_per_state(const models::GpuModel& gpu);

 private:
  void build_wan(const Scenario& scenario, simgrid::s4u::NetZone* root);

  std::vector<SiteNodes> sites_;
  simgrid::s4u::Host* control_host_ = nullptr;
  std::vector<simgrid::s4u::Host*> gateways_;
};

}  // namespace dctwin::sim
