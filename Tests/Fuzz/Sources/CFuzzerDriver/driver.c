/* The driver is a declaration; this file gives the target something to compile. */
#include "fuzzer_driver.h"
