/* libFuzzer's driver, which -sanitize=fuzzer links in: the fuzzer's own main() calls it,
 * and so does ReaderFuzzer's (SwiftPM names an executable's entry point itself). */
#ifndef FUZZER_DRIVER_H
#define FUZZER_DRIVER_H
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
