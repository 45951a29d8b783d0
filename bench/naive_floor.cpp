// The naive engine floor: the same scenario's jobs run on SimGrid the straightforward way,
// for comparison in bench/RESULTS.md. One actor per site, FCFS, first-fit GPUs, one exec per
// node a job holds, and Exec::wait_any_for over every running exec; hourly energy reads of
// every host; no facility, fabric, failures or outages. Usage: dctwin-naive-floor SCENARIO
#include <simgrid/plugins/energy.h>
#include <simgrid/s4u.hpp>

#include <chrono>
#include <cstdio>
#include <deque>
#include <vector>

#include "dctwin/models/gpu_model.h"
#include "dctwin/sim/scenario_loader.h"
#include "dctwin/sim/workload.h"

namespace sg4 = simgrid::s4u;
using namespace dctwin;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: dctwin-naive-floor SCENARIO\n");
    return 2;
  }
  const sim::Scenario s = sim::ScenarioLoader(sim::default_data_dir()).load_file(argv[1]);
  const auto started = std::chrono::steady_clock::now();
  std::vector<std::string> args = {"naive", "--log=root.thres:critical"};
  std::vector<char*> av;
  for (auto& a : args) av.push_back(a.data());
  int ac = static_cast<int>(av.size());
  sg4::Engine engine(&ac, av.data());
  sg_host_energy_plugin_init();
  const models::SimCalendar calendar(s.start);
  const double horizon = calendar.seconds_at(s.end);
  const auto jobs = sim::generate_workload(s);

  auto* root = sg4::create_full_zone("root");
  std::vector<std::vector<sg4::Host*>> hosts(s.sites.size());
  std::vector<std::vector<double>> online_at(s.sites.size());
  for (std::size_t si = 0; si < s.sites.size(); ++si) {
    const models::GpuModel gpu(s.sites[si].gpu);
    auto* zone = sg4::create_star_zone(s.sites[si].id);
    zone->set_parent(root);
    for (const auto& phase : s.sites[si].phases) {
      for (int n = 0; n < phase.gpus / gpu.gpus_per_node(); ++n) {
        auto* h = zone->create_host(s.sites[si].id + std::to_string(hosts[si].size()), gpu.gpu_flops(0));
        h->set_core_count(gpu.gpus_per_node());
        const auto w = gpu.node_power(0);
        h->set_property("wattage_per_state", std::to_string(w.idle_w) + ":" + std::to_string(w.epsilon_w) + ":" +
                                                 std::to_string(w.all_busy_w));
        hosts[si].push_back(h);
        online_at[si].push_back(calendar.seconds_at(phase.commission));
      }
    }
    zone->seal();
  }
  auto* control_zone = sg4::create_star_zone("control");
  control_zone->set_parent(root);
  auto* control = control_zone->create_host("control", 1e9);
  control->set_property("wattage_per_state", "0:0:0");
  control_zone->seal();
  root->seal();

  long finished = 0;
  for (std::size_t si = 0; si < s.sites.size(); ++si) {
    sg4::Actor::create("site", control, [&, si] {
      const int per_node = s.sites[si].gpu.gpus_per_node;
      const double flops = models::GpuModel(s.sites[si].gpu).gpu_flops(0);
      std::vector<int> free(hosts[si].size(), per_node);
      std::deque<std::size_t> queue;
      std::size_t next = 0;
      std::vector<sg4::ExecPtr> running;
      std::vector<std::pair<std::size_t, int>> held;  // node, GPUs of each exec
      std::vector<std::size_t> owner;
      std::vector<int> pending(jobs.size(), 0);
      while (true) {
        const double now = sg4::Engine::get_clock();
        while (next < jobs.size() && jobs[next].submit_s <= now) {
          if (jobs[next].site == si) queue.push_back(next);
          ++next;
        }
        while (!queue.empty()) {  // FCFS, first fit
          const auto& j = jobs[queue.front()];
          std::vector<std::pair<std::size_t, int>> take;
          int need = j.gpus;
          for (std::size_t n = 0; n < free.size() && need > 0; ++n) {
            if (online_at[si][n] > now || free[n] == 0) continue;
            if (j.gpus >= per_node && free[n] < per_node) continue;
            if (j.gpus < per_node && free[n] < j.gpus) continue;
            const int g = std::min(need, j.gpus >= per_node ? per_node : j.gpus);
            take.emplace_back(n, g);
            need -= g;
          }
          if (need > 0) break;
          for (auto [n, g] : take) {
            free[n] -= g;
            running.push_back(sg4::Exec::init()->set_flops_amount(j.duration_s * flops)->set_host(hosts[si][n])->set_thread_count(g));
            running.back()->start();
            held.emplace_back(n, g);
            owner.push_back(queue.front());
          }
          pending[queue.front()] = static_cast<int>(take.size());
          queue.pop_front();
        }
        if (now >= horizon) break;
        double wake = horizon;
        if (next < jobs.size()) wake = std::min(wake, jobs[next].submit_s);
        for (double t : online_at[si]) {
          if (t > now) wake = std::min(wake, t);
        }
        if (running.empty()) {
          sg4::this_actor::sleep_for(wake - now);
          continue;
        }
        const ssize_t i = sg4::Exec::wait_any_for(running, wake - now);
        if (i < 0) continue;
        const auto k = static_cast<std::size_t>(i);
        free[held[k].first] += held[k].second;
        if (--pending[owner[k]] == 0) ++finished;
        running.erase(running.begin() + i);
        held.erase(held.begin() + i);
        owner.erase(owner.begin() + i);
      }
      for (auto& e : running) e->cancel();
    });
  }
  sg4::Actor::create("energy", control, [&] {
    double sum = 0;
    for (double t = 3600; t <= horizon; t += 3600) {
      sg4::this_actor::sleep_until(t);
      for (const auto& site : hosts) {
        for (auto* h : site) sum += sg_host_get_consumed_energy(h);
      }
    }
    std::printf("energy reads checksum %.3e J\n", sum);
  });
  engine.run();
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("naive floor: %zu jobs generated, %ld finished, %.2f s wall, %.0f jobs per wall second\n", jobs.size(),
              finished, wall, static_cast<double>(jobs.size()) / wall);
  return 0;
}
