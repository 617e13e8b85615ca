/* The ABI is a header; this file gives the target something to compile. */
#include "swifttorch_plugin.h"
