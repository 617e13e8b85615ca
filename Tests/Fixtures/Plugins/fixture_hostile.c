/*
 * A plugin that misuses the host API, one way per build: tests compile it with
 * -DHOSTILE_CASE=<n> (the cases below) and check that each misuse is refused with a clear
 * error, never a crash. `initialize` makes the bad call and returns its status, so the
 * host's error becomes the plugin's "initialisation failed" reason.
 */
#include <stdint.h>
#include <swifttorch_plugin.h>

#define HOSTILE_HUGE_ALLOCATE 1      /* allocate(SIZE_MAX): more than size_t's half can hold */
#define HOSTILE_VAST_ALLOCATE 2      /* allocate(1 << 62): representable, but no machine has it */
#define HOSTILE_NULL_CONTEXT 3       /* register_backend with host_context NULL */
#define HOSTILE_STRAY_CONTEXT 4      /* register_backend with a pointer the host never gave out */
#define HOSTILE_ZERO_STRUCT_SIZE 5   /* an st_backend whose .struct_size was forgotten */
#define HOSTILE_LONG_STRUCT 6        /* a larger st_backend from a plugin of the host's own version */
#define HOSTILE_NEWER_MINOR 7        /* the same larger st_backend from a plugin of a later minor version */
#define HOSTILE_OVERRIDE_KERNEL 8    /* a kernel for the reference backend's neg (the oracle) */
#define HOSTILE_OVERRIDE_BACKEND 9   /* a backend named openmp, replacing the built-in one */
#define HOSTILE_BAD_DEVICE 10        /* allocate on a device family the ABI does not define */

#ifndef HOSTILE_CASE
#error "build with -DHOSTILE_CASE=<n>"
#endif

/* A CPU backend named `name`, its struct_size as given. */
static st_backend make_backend(const char *name, size_t struct_size) {
    st_backend backend = {
        .struct_size = struct_size,
        .name = name,
        .device_type = ST_DEVICE_CPU,
        .available = 1,
    };
    return backend;
}

/* Writes 42 everywhere: a kernel that must never silently replace reference's neg. */
static int32_t wrong_neg(const st_kernel_call *call) {
    const st_tensor *out = call->outputs[0];
    double *po = (double *)out->data;
    for (int64_t i = 0; i < st_tensor_count(out); i++) po[i] = 42.0;
    return ST_OK;
}

/* An allocation the host must refuse: a NULL result, with the host's reason recorded. */
static int32_t refused_allocation(const st_host_api *host, st_device device, size_t bytes, void *error_context) {
    void *block = host->allocate(host->host_context, device, bytes, error_context);
    if (block) {
        host->report_error(error_context, ST_ERROR_RUNTIME, "hostile: the host handed out a block it cannot have");
        host->release(host->host_context, device, block);
    }
    return ST_FAILED;
}

static int32_t hostile_initialize(const st_host_api *host, void *error_context) {
    st_device cpu = {ST_DEVICE_CPU, 0};
    /* Room for an st_backend with fields from a later minor version after it. */
    struct { st_backend backend; int64_t later_fields[4]; } longer = {
        make_backend("hostile", sizeof(longer)), {0, 0, 0, 0}};
    switch (HOSTILE_CASE) {
    case HOSTILE_HUGE_ALLOCATE:
        return refused_allocation(host, cpu, SIZE_MAX, error_context);
    case HOSTILE_VAST_ALLOCATE:
        return refused_allocation(host, cpu, (size_t)1 << 62, error_context);
    case HOSTILE_BAD_DEVICE: {
        st_device unknown = {7, 0};
        return refused_allocation(host, unknown, 64, error_context);
    }
    case HOSTILE_NULL_CONTEXT: {
        st_backend backend = make_backend("hostile", sizeof(st_backend));
        return host->register_backend(NULL, &backend, error_context);
    }
    case HOSTILE_STRAY_CONTEXT: {
        st_backend backend = make_backend("hostile", sizeof(st_backend));
        return host->register_backend(&backend, &backend, error_context);
    }
    case HOSTILE_ZERO_STRUCT_SIZE: {
        st_backend backend = make_backend("hostile", 0);
        return host->register_backend(host->host_context, &backend, error_context);
    }
    case HOSTILE_LONG_STRUCT:
    case HOSTILE_NEWER_MINOR:
        return host->register_backend(host->host_context, &longer.backend, error_context);
    case HOSTILE_OVERRIDE_KERNEL: {
        st_backend backend = make_backend("hostile", sizeof(st_backend));
        if (host->register_backend(host->host_context, &backend, error_context) != ST_OK) return ST_FAILED;
        return host->register_kernel(host->host_context, "reference", "neg", ST_DTYPE_BIT(ST_FLOAT64),
                                     wrong_neg, NULL, error_context);
    }
    case HOSTILE_OVERRIDE_BACKEND: {
        st_backend backend = make_backend("openmp", sizeof(st_backend));
        return host->register_backend(host->host_context, &backend, error_context);
    }
    default:
        host->report_error(error_context, ST_ERROR_RUNTIME, "hostile: unknown HOSTILE_CASE");
        return ST_FAILED;
    }
}

static const st_plugin plugin = {
    .struct_size = sizeof(st_plugin),
    .abi_major = ST_ABI_MAJOR,
    .abi_minor = HOSTILE_CASE == HOSTILE_NEWER_MINOR ? ST_ABI_MINOR + 1 : ST_ABI_MINOR,
    .name = "hostile",
    .version = "1.0",
    .initialize = hostile_initialize,
};

ST_PLUGIN_EXPORT { return &plugin; }
