/*
 * swifttorch_plugin.h: the only contract between SwiftTorch and a backend plugin.
 *
 * A plugin is a shared library that exports one function, `swifttorch_plugin`, returning
 * a `st_plugin`. The host checks the ABI version in it before touching anything else, then
 * calls `initialize` with its callbacks (`st_host_api`); the plugin registers a backend and
 * its kernels through them. Kernels receive plain C descriptors of the call.
 *
 * Versioning (after JAX's PJRT): every struct that may grow starts with `struct_size`, and
 * readers touch only the fields that fit in the size they were given. A new field at the
 * end bumps the minor version; anything else bumps the major version, and the host refuses
 * a plugin whose major version differs from its own. `st_device`, `st_argument` and the
 * enum values are frozen for a major version (they travel in arrays).
 *
 * Plugins must not link SwiftTorch's Swift modules: they would get a registry of their own.
 * See Docs/plugins.md for a worked example.
 */
#ifndef SWIFTTORCH_PLUGIN_H
#define SWIFTTORCH_PLUGIN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ST_ABI_MAJOR 1
#define ST_ABI_MINOR 0
/* The symbol the host looks up with dlsym. */
#define ST_PLUGIN_ENTRY_NAME "swifttorch_plugin"

/* Status codes returned by plugin functions and host callbacks. */
#define ST_OK 0
#define ST_FAILED 1

/* Element types; values are part of the ABI. */
typedef enum st_dtype {
    ST_BOOL = 0,     /* one byte, 0 or 1 */
    ST_INT32 = 1,
    ST_INT64 = 2,
    ST_FLOAT32 = 3,
    ST_FLOAT64 = 4,
} st_dtype;

/* Device families; values are part of the ABI. */
typedef enum st_device_type {
    ST_DEVICE_CPU = 0,
    ST_DEVICE_CUDA = 1,
} st_device_type;

/* Where memory lives: a family and an index within it (cuda:1 is {ST_DEVICE_CUDA, 1}). */
typedef struct st_device {
    int32_t type;
    int32_t index;
} st_device;

/* What kind of rule an error broke; the host turns it into its own error kinds. */
typedef enum st_error_kind {
    ST_ERROR_RUNTIME = 0,          /* the backend itself failed (driver error, out of memory) */
    ST_ERROR_INVALID_ARGUMENT = 1,
    ST_ERROR_INDEX_OUT_OF_RANGE = 2,
    ST_ERROR_SHAPE = 3,
    ST_ERROR_DTYPE = 4,
    ST_ERROR_NOT_IMPLEMENTED = 5,
} st_error_kind;

/* Flags of a tensor descriptor. */
#define ST_TENSOR_WRAPPED_NUMBER 1u /* a Swift number used as an operand (`x + 2`) */

/*
 * A tensor: a strided view (sizes and strides in elements) over memory that starts at
 * `data`. The first element is at `data + offset * itemsize`. For a non-CPU device `data`
 * is a device pointer. Outputs that the host allocated are contiguous with offset 0.
 */
typedef struct st_tensor {
    size_t struct_size;
    st_device device;
    int32_t dtype;               /* st_dtype */
    int32_t rank;
    const int64_t *shape;        /* rank entries */
    const int64_t *strides;      /* rank entries; 0 on broadcast (expanded) dims */
    int64_t offset;
    void *data;
    uint32_t flags;              /* ST_TENSOR_* */
} st_tensor;

/* Kinds of an operator argument's value, as the operator's schema declares them. */
typedef enum st_value_kind {
    ST_VALUE_NONE = 0,         /* an optional argument that was not given */
    ST_VALUE_TENSOR = 1,       /* value.tensors points to one descriptor */
    ST_VALUE_TENSOR_LIST = 2,  /* value.tensors points to `count` descriptors */
    ST_VALUE_INT = 3,          /* value.i */
    ST_VALUE_INT_LIST = 4,     /* value.ints, `count` entries */
    ST_VALUE_DOUBLE = 5,       /* value.d */
    ST_VALUE_BOOL = 6,         /* value.i, 0 or 1 */
    ST_VALUE_STRING = 7,       /* value.s, NUL-terminated */
    ST_VALUE_DTYPE = 8,        /* value.i, an st_dtype */
    ST_VALUE_DEVICE = 9,       /* value.device */
} st_value_kind;

/*
 * One bound argument, by its schema name. The host passes every declared argument, in
 * schema order, after the operator's meta rules ran: defaults are filled in, dims wrapped,
 * dtypes promoted and operands broadcast (see Sources/SwiftTorch/Ops). A `Scalar` argument
 * arrives as ST_VALUE_INT, ST_VALUE_DOUBLE or ST_VALUE_BOOL, as the caller wrote it.
 */
typedef struct st_argument {
    const char *name;
    int32_t kind;                /* st_value_kind */
    int32_t count;               /* entries of a list; 1 for a tensor; 0 otherwise */
    union {
        int64_t i;
        double d;
        const char *s;
        const int64_t *ints;
        const st_tensor *const *tensors;
        st_device device;
    } value;
} st_argument;

struct st_host_api;

/* One kernel invocation. Everything it points to lives until the kernel returns. */
typedef struct st_kernel_call {
    size_t struct_size;
    const char *op;              /* operator name, e.g. "add" */
    const char *backend;         /* the backend the kernel was registered for */
    int32_t argument_count;
    int32_t output_count;
    const st_argument *arguments;
    const st_tensor *const *outputs;   /* allocated by the host through the backend */
    void *kernel_data;           /* what the plugin passed to register_kernel */
    const struct st_host_api *host;
    void *error_context;         /* pass to host->report_error */
} st_kernel_call;

/* A kernel fills `call->outputs`; on failure it reports an error and returns ST_FAILED. */
typedef int32_t (*st_kernel_fn)(const st_kernel_call *call);

/* A backend, as a plugin describes it to the host. */
typedef struct st_backend {
    size_t struct_size;
    const char *name;             /* what SWIFTTORCH_BACKEND names, e.g. "cuda" */
    int32_t device_type;          /* st_device_type of the memory its kernels compute on */
    int32_t available;            /* 0: registered but unusable here */
    const char *unavailable_reason;   /* when not available: what was searched, what failed */
    const char *details;          /* newline-separated facts for `swifttorch info`, or NULL */
    void *context;                /* passed back to allocate and release */
    /* Memory for outputs on `device`. NULL for a CPU backend: the host allocates. */
    int32_t (*allocate)(void *context, st_device device, size_t bytes, void **pointer, void *error_context);
    void (*release)(void *context, st_device device, void *pointer);
} st_backend;

/* Bit for a dtype in register_kernel's dtype mask; a mask of 0 means every dtype. */
#define ST_DTYPE_BIT(dtype) (1u << (unsigned)(dtype))

/* The host's callbacks. `host_context` goes back as the first argument, exactly as given:
 * the host refuses NULL or any other pointer (the call fails with a reason). */
typedef struct st_host_api {
    size_t struct_size;
    uint32_t abi_major;
    uint32_t abi_minor;
    void *host_context;
    /* Registers a backend; call it before registering its kernels. `backend->struct_size`
     * must be sizeof(st_backend) as this header defines it. A name that another backend
     * already has (a built-in one, another plugin's) is refused unless the user names this
     * plugin in SWIFTTORCH_PLUGIN_OVERRIDE. */
    int32_t (*register_backend)(void *host_context, const st_backend *backend, void *error_context);
    /* Registers `kernel` as `backend`'s implementation of operator `op`. `backend` is one this
     * plugin registered; another backend's kernels (reference's are the oracle) can be
     * replaced only when the user names this plugin in SWIFTTORCH_PLUGIN_OVERRIDE. */
    int32_t (*register_kernel)(void *host_context, const char *backend, const char *op,
                               uint32_t dtype_mask, st_kernel_fn kernel, void *kernel_data,
                               void *error_context);
    /* Records why the current call failed; the message is copied. */
    void (*report_error)(void *error_context, int32_t kind, const char *message);
    /* Memory on any device the host has a backend for (host memory for CPU); NULL on failure
     * (a size no machine has, an unknown device), with the reason reported to error_context. */
    void *(*allocate)(void *host_context, st_device device, size_t bytes, void *error_context);
    void (*release)(void *host_context, st_device device, void *pointer);
    /* A one-line notice on standard error (for example a warning the user should see once). */
    void (*notice)(void *host_context, const char *message);
} st_host_api;

/* What the entry point returns; its first three fields never move. */
typedef struct st_plugin {
    size_t struct_size;
    uint32_t abi_major;
    uint32_t abi_minor;
    const char *name;
    const char *version;
    /* Registers the plugin's backend and kernels; on failure reports why and returns ST_FAILED. */
    int32_t (*initialize)(const st_host_api *host, void *error_context);
} st_plugin;

/* The entry point's type. A plugin defines it with ST_PLUGIN_EXPORT. */
typedef const st_plugin *(*st_plugin_entry_fn)(void);

#if defined(_WIN32)
#define ST_PLUGIN_EXPORT __declspec(dllexport) const st_plugin *swifttorch_plugin(void)
#else
#define ST_PLUGIN_EXPORT __attribute__((visibility("default"))) const st_plugin *swifttorch_plugin(void)
#endif

/* ---- Conveniences for plugin authors (header-only, no linking needed) ---- */

/* The argument named `name`, or NULL. */
static inline const st_argument *st_find_argument(const st_kernel_call *call, const char *name) {
    for (int32_t i = 0; i < call->argument_count; i++) {
        if (strcmp(call->arguments[i].name, name) == 0) return &call->arguments[i];
    }
    return NULL;
}

/* The tensor argument `name`, or NULL when absent or None. */
static inline const st_tensor *st_tensor_argument(const st_kernel_call *call, const char *name) {
    const st_argument *a = st_find_argument(call, name);
    return a && a->kind == ST_VALUE_TENSOR ? a->value.tensors[0] : NULL;
}

/* A numeric argument as a double (ints and bools converted), or `fallback`. */
static inline double st_double_argument(const st_kernel_call *call, const char *name, double fallback) {
    const st_argument *a = st_find_argument(call, name);
    if (!a) return fallback;
    switch (a->kind) {
    case ST_VALUE_DOUBLE: return a->value.d;
    case ST_VALUE_INT: case ST_VALUE_BOOL: return (double)a->value.i;
    default: return fallback;
    }
}

/* An int or bool argument, or `fallback`. */
static inline int64_t st_int_argument(const st_kernel_call *call, const char *name, int64_t fallback) {
    const st_argument *a = st_find_argument(call, name);
    return a && (a->kind == ST_VALUE_INT || a->kind == ST_VALUE_BOOL) ? a->value.i : fallback;
}

/* A string argument, or `fallback`. */
static inline const char *st_string_argument(const st_kernel_call *call, const char *name, const char *fallback) {
    const st_argument *a = st_find_argument(call, name);
    return a && a->kind == ST_VALUE_STRING ? a->value.s : fallback;
}

/* Bytes per element. */
static inline size_t st_dtype_size(int32_t dtype) {
    switch (dtype) {
    case ST_BOOL: return 1;
    case ST_INT32: case ST_FLOAT32: return 4;
    default: return 8;
    }
}

/* Number of elements of a descriptor. */
static inline int64_t st_tensor_count(const st_tensor *t) {
    int64_t n = 1;
    for (int32_t i = 0; i < t->rank; i++) n *= t->shape[i];
    return n;
}

#ifdef __cplusplus
}
#endif

#endif /* SWIFTTORCH_PLUGIN_H */
