# cmake -DINPUT=file -DOUTPUT=file.cpp -DSYMBOL=name -P embed_text.cmake
# Writes a C++ source defining `std::string_view SYMBOL()` with the bytes of INPUT.
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" hex_length)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
math(EXPR size "${hex_length} / 2")
file(WRITE "${OUTPUT}.tmp"
  "// Generated from ${INPUT}; do not edit.\n#include <string_view>\n"
  "namespace {\nconstexpr unsigned char kBytes[] = {${bytes} 0};\n}\n"
  "namespace dctwin::sim {\nstd::string_view ${SYMBOL}() {\n"
  "  return {reinterpret_cast<const char*>(kBytes), ${size}};\n}\n}  // namespace dctwin::sim\n")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
