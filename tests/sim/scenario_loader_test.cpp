// Schema errors point at the offending node: file:line:col: key.path: problem.
#include "dctwin/sim/scenario_loader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "dctwin/sim/scenario_error.h"
#include "dctwin/sim/workload.h"

namespace {

using dctwin::sim::ScenarioError;
using dctwin::sim::ScenarioLoader;

std::string tiny_text() {
  std::ifstream in(DCTWIN_TEST_DATA_DIR "/tiny.yaml");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

// The error a text gives, or a failure when it loads.
ScenarioError error_of(const std::string& text) {
  try {
    ScenarioLoader(DCTWIN_DATA_DIR).load_text(text, "t.yaml");
  } catch (const ScenarioError& e) {
    return e;
  }
  ADD_FAILURE() << "expected a ScenarioError";
  return ScenarioError("", 0, 0, "", "");
}

}  // namespace

TEST(ScenarioLoader, LoadsTheTinyScenario) {
  const auto s = ScenarioLoader(DCTWIN_DATA_DIR).load_file(DCTWIN_TEST_DATA_DIR "/tiny.yaml");
  ASSERT_EQ(s.sites.size(), 2u);
  EXPECT_EQ(s.sites[1].phases[1].gpus, 8);
  EXPECT_EQ(s.sites[0].gpu.gpus_per_node, 8);
  EXPECT_DOUBLE_EQ(s.sites[1].climate.monthly.mean_drybulb_c[6], 28.2);  // Cairo, July
  EXPECT_DOUBLE_EQ(s.sites[1].climate.monthly.mean_rh[6], 0.59);
  EXPECT_DOUBLE_EQ(s.sites[1].climate.monthly.altitude_m, 74);
  EXPECT_EQ(s.sites[1].cooling.kind, dctwin::models::CoolingKind::kHybrid);
  EXPECT_DOUBLE_EQ(s.sites[1].cooling.liquid_fraction, 0.7);
  EXPECT_DOUBLE_EQ(s.sites[0].grid.connection_w, 1e6);
  EXPECT_DOUBLE_EQ(s.sites[0].grid.carbon_g_per_kwh, 708);
  EXPECT_EQ(s.sites[1].grid.outages.id, "eg-loadshedding-2023-24");
  EXPECT_EQ(s.sites[1].backup.generator_units, 1);
  EXPECT_NEAR(s.capex_terms[0].lead_time_s, 26 * 7 * 86400.0, 1e-6);
  EXPECT_EQ(s.step_s, 3600.0);
  EXPECT_EQ(s.job_classes[1].gpus, (std::vector<int>{8, 16}));
}

TEST(ScenarioLoader, LoadsTheEmbeddedDefault) {
  const auto s = ScenarioLoader(DCTWIN_DATA_DIR).load_text(dctwin::sim::default_scenario_yaml(), "default");
  ASSERT_EQ(s.sites.size(), 5u);
  int gpus = 0;
  for (const auto& site : s.sites) {
    for (const auto& p : site.phases) gpus += p.gpus;
  }
  EXPECT_EQ(gpus, 12000);
  EXPECT_EQ(s.budget_usd, 720e6);
  EXPECT_EQ(s.sites[0].country, "ZA");
  EXPECT_GE(s.job_classes.size(), 4u);
}

TEST(ScenarioLoader, UnknownKeySuggestsTheNearOne) {
  const auto e = error_of(replace(tiny_text(), "    climate: cairo", "    climat: cairo"));
  EXPECT_EQ(e.line(), 40);
  EXPECT_EQ(e.column(), 5);
  EXPECT_EQ(e.key_path(), "sites[1].climat");
  EXPECT_NE(e.problem().find("did you mean 'climate'?"), std::string::npos) << e.what();
  EXPECT_EQ(std::string(e.what()).rfind("t.yaml:40:5: sites[1].climat: unknown key", 0), 0u) << e.what();
}

TEST(ScenarioLoader, WrongType) {
  const auto e = error_of(replace(tiny_text(), "gpus: 16}", "gpus: sixteen}"));
  EXPECT_EQ(e.line(), 33);
  EXPECT_EQ(e.key_path(), "sites[0].phases[0].gpus");
  EXPECT_NE(e.problem().find("expected an integer"), std::string::npos) << e.what();
}

TEST(ScenarioLoader, ValueOutOfRange) {
  const auto e = error_of(replace(tiny_text(), "{connection_mw: 1, tariff: za", "{connection_mw: 0, tariff: za"));
  EXPECT_EQ(e.line(), 28);
  EXPECT_EQ(e.key_path(), "sites[0].grid.connection_mw");
  EXPECT_NE(e.problem().find("out of range"), std::string::npos) << e.what();
}

TEST(ScenarioLoader, DatesOutOfOrder) {
  auto e = error_of(replace(tiny_text(), "end: 2026-02-06", "end: 2026-01-01"));
  EXPECT_EQ(e.line(), 5);
  EXPECT_EQ(e.key_path(), "end");
  e = error_of(replace(tiny_text(), "{date: 2026-02-03, gpus: 8}", "{date: 2026-01-31, gpus: 8}"));
  EXPECT_EQ(e.key_path(), "sites[1].phases[1].date");
  EXPECT_NE(e.problem().find("date order"), std::string::npos) << e.what();
}

TEST(ScenarioLoader, MissingReferencedFile) {
  auto e = error_of(replace(tiny_text(), "gpu: h100-sxm\n    climate: cairo", "gpu: h100-sx\n    climate: cairo"));
  EXPECT_EQ(e.key_path(), "sites[1].gpu");
  EXPECT_NE(e.problem().find("did you mean 'h100-sxm'?"), std::string::npos) << e.what();
  e = error_of(replace(tiny_text(), "climate: cairo", "climate: timbuktu"));
  EXPECT_EQ(e.key_path(), "sites[1].climate");
  e = error_of(replace(tiny_text(), "gpu: h100-sxm\n    climate: cairo", "gpu: profiles/missing.yaml\n    climate: cairo"));
  EXPECT_NE(e.problem().find("not found"), std::string::npos) << e.what();
}

TEST(ScenarioLoader, MissingKeyWholeNodesAndShares) {
  auto e = error_of(replace(tiny_text(), "seed: 7\n", ""));
  EXPECT_EQ(e.key_path(), "");
  EXPECT_NE(e.problem().find("missing required key 'seed'"), std::string::npos) << e.what();
  e = error_of(replace(tiny_text(), "gpus: 16}", "gpus: 12}"));
  EXPECT_NE(e.problem().find("whole number of 8-GPU nodes"), std::string::npos) << e.what();
  e = error_of(replace(tiny_text(), "share_of_gpu_hours: 0.4", "share_of_gpu_hours: 0.5"));
  EXPECT_EQ(e.key_path(), "workload.classes");
  e = error_of(replace(tiny_text(), "{gpus: 16, weight: 0.5}", "{gpus: 32, weight: 0.5}"));
  EXPECT_NE(e.problem().find("could never start"), std::string::npos) << e.what();
  e = error_of(replace(tiny_text(), "seed: 7\n", "seed: 7\nseed: 8\n"));
  EXPECT_NE(e.problem().find("appears twice"), std::string::npos) << e.what();
}

TEST(ScenarioLoader, YamlSyntaxErrorHasItsPosition) {
  const auto e = error_of(replace(tiny_text(), "name: tiny", "name: [tiny"));
  EXPECT_GT(e.line(), 0);
  EXPECT_NE(e.problem().find("YAML syntax"), std::string::npos) << e.what();
}

TEST(ScenarioLoader, FacilityChoicesAreChecked) {
  auto e = error_of(replace(tiny_text(), "{kind: air-cooled-chiller}", "{kind: air-cooled-chillers}"));
  EXPECT_EQ(e.key_path(), "sites[0].cooling.kind");
  EXPECT_NE(e.problem().find("did you mean 'air-cooled-chiller'?"), std::string::npos) << e.what();
  e = error_of(replace(tiny_text(), "{kind: hybrid, liquid_fraction: 0.7}", "{kind: hybrid}"));
  EXPECT_EQ(e.key_path(), "sites[1].cooling");
  EXPECT_NE(e.problem().find("liquid_fraction"), std::string::npos) << e.what();
  e = error_of(replace(tiny_text(), "{kind: air-cooled-chiller}", "{kind: air-cooled-chiller, liquid_fraction: 0.5}"));
  EXPECT_EQ(e.key_path(), "sites[0].cooling.liquid_fraction");
  e = error_of(replace(tiny_text(), "tariff: za-megaflex-2026,", "tariff: za-megaflx-2026,"));
  EXPECT_EQ(e.key_path(), "sites[0].grid.tariff");
  EXPECT_NE(e.problem().find("did you mean 'za-megaflex-2026'?"), std::string::npos) << e.what();
  e = error_of(replace(tiny_text(), "outages: none}", "outages: za-loadshedding-2030}"));
  EXPECT_EQ(e.key_path(), "sites[0].grid.outages");
  e = error_of(replace(tiny_text(), "shell: 0.3, fit_out", "shell: 0.4, fit_out"));
  EXPECT_EQ(e.key_path(), "costs.facility_split");
}

TEST(ScenarioLoader, TraceReplayAndItsErrors) {
  const auto dir = std::filesystem::temp_directory_path();
  const auto good = dir / "dctwin-trace-good.csv";
  std::ofstream(good) << "job_id,submit_s,duration_s,gpus,site,class\n"
                      << "a,100,3600,8,alpha,large\n"
                      << "b,50,60,1,beta,small\n";
  std::string text = replace(tiny_text(), "workload:\n  classes:", "workload:\n  trace: " + good.string() + "\n  classes:");
  const auto s = ScenarioLoader(DCTWIN_DATA_DIR).load_text(text, "t.yaml");
  ASSERT_EQ(s.trace.size(), 2u);
  EXPECT_EQ(s.trace[1].site, 1);
  EXPECT_EQ(s.trace[0].job_class, 1);
  const auto jobs = dctwin::sim::generate_workload(s);
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[0].submit_s, 50);  // in submission order

  const auto bad = dir / "dctwin-trace-bad.csv";
  std::ofstream(bad) << "job_id,submit_s,duration_s,gpus,site,class\n"
                     << "a,100,3600,8,alpha,large\n"
                     << "b,50,60,three,beta,small\n";
  text = replace(tiny_text(), "workload:\n  classes:", "workload:\n  trace: " + bad.string() + "\n  classes:");
  const auto e = error_of(text);
  EXPECT_EQ(e.file(), bad.string());
  EXPECT_EQ(e.line(), 3);
  EXPECT_EQ(e.column(), 9);
  EXPECT_EQ(e.key_path(), "gpus");
  std::ofstream(bad) << "job_id,submit_s,duration_s,gpus,site,class\n"
                     << "a,100,3600,8,gamma,large\n";
  EXPECT_NE(error_of(text).problem().find("no site 'gamma'"), std::string::npos);
}
