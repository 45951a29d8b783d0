// A site can name an hourly EPW weather file instead of the generated weather.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "dctwin/sim/scenario_error.h"
#include "dctwin/sim/scenario_loader.h"

namespace {

// 8 header records, then 8760 hourly rows: dry bulb 30 C, RH 50 %, 101325 Pa.
// The test process's scratch folder, removed when the process ends.
struct ScratchDir {
  std::filesystem::path path = std::filesystem::temp_directory_path() / ("dctwin-epw-" + std::to_string(::getpid()));
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

std::filesystem::path write_epw(const std::string& name, int bad_row = -1) {
  static const ScratchDir scratch;
  const auto& dir = scratch.path;
  std::filesystem::create_directories(dir);
  const auto path = dir / name;
  std::ofstream f(path);
  for (int i = 0; i < 8; ++i) f << "HEADER" << i << ",x\n";
  for (int h = 0; h < 8760; ++h) {
    f << "1999,1,1," << (h % 24 + 1) << ",0,?," << (h == bad_row ? "warm" : "30.0") << ",18.4,50,101325,0\n";
  }
  return path;
}

std::string tiny_with_weather(const std::string& epw) {
  std::ifstream in(DCTWIN_TEST_DATA_DIR "/tiny.yaml");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string anchor = "    climate: cape-town\n";
  text.replace(text.find(anchor), anchor.size(), anchor + "    weather_file: " + epw + "\n");
  return text;
}

}  // namespace

TEST(WeatherFile, EpwHoursAreRead) {
  const auto epw = write_epw("flat.epw");
  const auto s = dctwin::sim::ScenarioLoader(DCTWIN_DATA_DIR).load_text(tiny_with_weather(epw.string()), "t.yaml");
  ASSERT_EQ(s.sites[0].weather_year.size(), 8760u);
  EXPECT_DOUBLE_EQ(s.sites[0].weather_year[100].drybulb_c, 30.0);
  EXPECT_NEAR(s.sites[0].weather_year[100].wetbulb_c, 22.0, 0.1);  // psychrometric chart at sea level
  EXPECT_TRUE(s.sites[1].weather_year.empty());
}

TEST(WeatherFile, MalformedRowIsRefusedWithItsLine) {
  const auto epw = write_epw("bad.epw", 41);
  try {
    dctwin::sim::ScenarioLoader(DCTWIN_DATA_DIR).load_text(tiny_with_weather(epw.string()), "t.yaml");
    FAIL() << "expected a ScenarioError";
  } catch (const dctwin::sim::ScenarioError& e) {
    EXPECT_EQ(e.file(), epw.string());
    EXPECT_EQ(e.line(), 8 + 41 + 1);
    EXPECT_NE(e.problem().find("'warm'"), std::string::npos) << e.what();
  }
}

TEST(WeatherFile, MissingFileIsABadReference) {
  try {
    dctwin::sim::ScenarioLoader(DCTWIN_DATA_DIR).load_text(tiny_with_weather("/nonexistent/x.epw"), "t.yaml");
    FAIL() << "expected a ScenarioError";
  } catch (const dctwin::sim::ScenarioError& e) {
    EXPECT_EQ(e.key_path(), "sites[0].weather_file");
    EXPECT_EQ(e.line(), 27);
  }
}
