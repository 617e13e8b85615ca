/* A plugin whose initialisation fails after registering a backend: the host must report
 * its reason and keep nothing it registered. */
#include <swifttorch_plugin.h>

static int32_t failing_initialize(const st_host_api *host, void *error_context) {
    st_backend backend = {
        .struct_size = sizeof(st_backend),
        .name = "halfway",
        .device_type = ST_DEVICE_CPU,
        .available = 1,
    };
    host->register_backend(host->host_context, &backend, error_context);
    host->report_error(error_context, ST_ERROR_RUNTIME, "fixture: the accelerator is on fire");
    return ST_FAILED;
}

static const st_plugin plugin = {
    .struct_size = sizeof(st_plugin),
    .abi_major = ST_ABI_MAJOR,
    .abi_minor = ST_ABI_MINOR,
    .name = "halfway",
    .version = "1.0",
    .initialize = failing_initialize,
};

ST_PLUGIN_EXPORT { return &plugin; }
