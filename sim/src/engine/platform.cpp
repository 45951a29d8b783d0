#include "dctwin/sim/platform.h"

#include <simgrid/s4u.hpp>

#include <cstdio>
#include <map>

#include "dctwin/models/fabric.h"
#include "dctwin/models/fabric_wan.h"

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

namespace {
namespace sg4 = simgrid::s4u;
using Route = sg4::LinkInRoute;

// Collapses a site's fabric into SimGrid links and routers: parallel planes (rails, spines)
// become one link of their summed capacity, which is what ECMP spreads traffic over.
class FabricBuilder {
 public:
  FabricBuilder(sg4::NetZone* zone, const Site& site, const models::Fabric& fabric, const SiteNodes& nodes)
      : zone_(zone), site_(site), fabric_(fabric), nodes_(nodes) {}

  void connect(sg4::Host* host, std::size_t node) {
    const int group = static_cast<int>(node) / nodes_.nodes_per_group;
    auto* link = zone_->create_split_duplex_link(host->get_name() + "-nic", nodes_.node_link_bytes_per_s)
                     ->set_latency(site_.fabric.switch_latency_s);
    zone_->add_route(host->get_netpoint(), group_router(group), nullptr, nullptr, {Route(link, Route::Direction::UP)});
  }

 private:
  simgrid::kernel::routing::NetPoint* group_router(int group) {
    if (auto it = groups_.find(group); it != groups_.end()) return it->second;
    auto* router = zone_->create_router(site_.id + "-leaf" + std::to_string(group));
    groups_[group] = router;
    if (fabric_.groups > 1) {
      const double up = nodes_.nodes_per_group * nodes_.node_link_bytes_per_s / site_.fabric.oversubscription;
      auto* link = zone_->create_split_duplex_link(site_.id + "-leaf" + std::to_string(group) + "-up", up)
                       ->set_latency(site_.fabric.switch_latency_s);
      const int pod = fabric_.tiers == 3 ? group / fabric_.groups_per_pod : 0;
      zone_->add_route(router, pod_router(pod), nullptr, nullptr, {Route(link, Route::Direction::UP)});
    }
    return router;
  }

  simgrid::kernel::routing::NetPoint* pod_router(int pod) {
    if (auto it = pods_.find(pod); it != pods_.end()) return it->second;
    auto* router = zone_->create_router(site_.id + "-pod" + std::to_string(pod));
    pods_[pod] = router;
    if (fabric_.tiers == 3) {
      if (!core_) core_ = zone_->create_router(site_.id + "-core");
      const double up = fabric_.groups_per_pod * nodes_.nodes_per_group * nodes_.node_link_bytes_per_s /
                        site_.fabric.oversubscription;
      auto* link = zone_->create_split_duplex_link(site_.id + "-pod" + std::to_string(pod) + "-up", up)
                       ->set_latency(site_.fabric.switch_latency_s);
      zone_->add_route(router, core_, nullptr, nullptr, {Route(link, Route::Direction::UP)});
    }
    return router;
  }

  sg4::NetZone* zone_;
  const Site& site_;
  const models::Fabric& fabric_;
  const SiteNodes& nodes_;
  std::map<int, simgrid::kernel::routing::NetPoint*> groups_, pods_;
  simgrid::kernel::routing::NetPoint* core_ = nullptr;
};

}  // namespace

void Platform::build_wan(const Scenario& scenario, sg4::NetZone* root) {
  auto* wan = sg4::create_full_zone("wan");
  wan->set_parent(root);
  for (const Site& site : scenario.sites) {
    auto* gw = wan->create_host(site.id + "-gw", 1e9);
    gw->set_property("wattage_per_state", "0:0:0");
    gw->set_property("wattage_off", "0");
    gateways_.push_back(gw);
  }
  for (std::size_t a = 0; a < scenario.sites.size(); ++a) {
    for (std::size_t b = a + 1; b < scenario.sites.size(); ++b) {
      const models::WanLink w = models::wan_link(scenario.sites[a].location, scenario.sites[b].location, scenario.wan);
      auto* link = wan->create_split_duplex_link(scenario.sites[a].id + "-" + scenario.sites[b].id,
                                                 w.bandwidth_gbps * 1e9 / 8)
                       ->set_latency(w.latency_s);
      wan->add_route(gateways_[a]->get_netpoint(), gateways_[b]->get_netpoint(), nullptr, nullptr,
                     {Route(link, Route::Direction::UP)});
    }
  }
  wan->seal();
}

Platform::Platform(const Scenario& scenario) {
  const models::SimCalendar calendar(scenario.start);
  auto* root = sg4::create_full_zone("programme");
  for (const Site& site : scenario.sites) {
    const models::GpuModel gpu(site.gpu);
    std::vector<double> speeds;
    for (int p = 0; p < gpu.pstate_count(); ++p) speeds.push_back(gpu.gpu_flops(p));
    const std::string wattage = wattage_per_state(gpu);

    auto* zone = sg4::create_dijkstra_zone(site.id, true);
    zone->set_parent(root);
    SiteNodes nodes;
    const models::Fabric fabric = models::build_fabric(site.fabric);
    nodes.nodes_per_group = fabric.nodes_per_group;
    nodes.groups_per_pod = fabric.tiers == 3 ? fabric.groups_per_pod : fabric.groups;
    nodes.node_link_bytes_per_s = site.fabric.gpus_per_node * site.fabric.nic_gbps * 1e9 / 8;
    FabricBuilder build(zone, site, fabric, nodes);
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
        build.connect(host, index);
      }
    }
    zone->seal();
    sites_.push_back(std::move(nodes));
  }
  build_wan(scenario, root);
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
