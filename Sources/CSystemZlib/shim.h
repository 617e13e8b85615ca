// The system zlib, for gzip data (the bundled digits CSV, MNIST's .gz files) and PNG images.
// Not named CZlib: ZIPFoundation has a module of that name, and module names are global.
// Named shim.h, not zlib.h, so it never shadows the real header.
#include <zlib.h>
