#include "dctwin/sim/platform.h"

#include <simgrid/s4u.hpp>

#include <cstdio>

namespace dctwin::sim {

std::string Platform::host_name(const Site& site, std::size_t node) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "-n%05zu", node);
  return site.id + buf;
}

std::string Platform::wattage_per_state(const models::GpuModel& gpu) {
  std::string out;
  char buf[96];
  for (int p = 0; p < gpu.pstate_count(); ++p) {
    const auto w = gpu.node_power(p);
    std::snprintf(buf, sizeof buf, "%s%.3f:%.3f:%.3f", p ? ", " : "", w.idle_w, w.epsilon_w, w.all_busy_w);
    out += buf;
  }
  return out;
}

Platform::Platform(const Scenario& scenario) {
  namespace sg4 = simgrid::s4u;
  const models::SimCalendar calendar(scenario.start);
  auto* root = sg4::create_full_zone("programme");
  for (const Site& site : scenario.sites) {
    const models::GpuModel gpu(site.gpu);
    std::vector<double> speeds;
    for (int p = 0; p < gpu.pstate_count(); ++p) speeds.push_back(gpu.gpu_flops(p));
    const std::string wattage = wattage_per_state(gpu);

    auto* zone = sg4::create_star_zone(site.id);
    zone->set_parent(root);
    SiteNodes nodes;
    std::size_t index = 0;
    for (const DeploymentPhase& phase : site.phases) {
      const double at = calendar.seconds_at(phase.commission);
      for (int n = 0; n < phase.gpus / gpu.gpus_per_node(); ++n, ++index) {
        auto* host = zone->create_host(host_name(site, index), speeds);
        host->set_core_count(gpu.gpus_per_node());
        host->set_property("wattage_per_state", wattage);
        host->set_property("wattage_off", "0");
        nodes.hosts.push_back(host);
        nodes.commission_s.push_back(at);
      }
    }
    zone->seal();
    sites_.push_back(std::move(nodes));
  }
  auto* control = sg4::create_star_zone("control");
  control->set_parent(root);
  control_host_ = control->create_host("control", 1e9);
  control_host_->set_property("wattage_per_state", "0:0:0");
  control_host_->set_property("wattage_off", "0");
  control->seal();
  root->seal();
  for (const auto& s : sites_) {
    for (std::size_t i = 0; i < s.hosts.size(); ++i) {
      if (s.commission_s[i] > 0) s.hosts[i]->turn_off();
    }
  }
}

}  // namespace dctwin::sim
