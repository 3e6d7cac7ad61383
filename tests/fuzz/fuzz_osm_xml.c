/* fuzz_osm_xml.c: arbitrary bytes as an OSM XML file through the whole build. */
#include "fuzz_osm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return fuzz_osm(data, size, ".osm"); }
