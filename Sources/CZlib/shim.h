// The system zlib, for gzip data (the bundled digits CSV, MNIST's .gz files).
// Named shim.h, not zlib.h, so it never shadows the real header.
#include <zlib.h>
