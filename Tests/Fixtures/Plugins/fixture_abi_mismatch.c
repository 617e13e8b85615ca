/* A plugin built for a future ABI major version: the host must refuse it before calling
 * anything but the entry point. */
#include <swifttorch_plugin.h>

static int32_t never_called(const st_host_api *host, void *error_context) {
    host->report_error(error_context, ST_ERROR_RUNTIME, "initialize must not be called on an ABI mismatch");
    return ST_FAILED;
}

static const st_plugin plugin = {
    .struct_size = sizeof(st_plugin),
    .abi_major = ST_ABI_MAJOR + 1,
    .abi_minor = 0,
    .name = "future",
    .version = "2.0",
    .initialize = never_called,
};

ST_PLUGIN_EXPORT { return &plugin; }
