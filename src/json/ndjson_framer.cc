#include "json/ndjson_framer.h"
// The framer is header-only (templated on its callbacks); this file checks the header compiles alone.
