/*
 * Finding and opening the CUDA driver, NVRTC and cuBLAS at run time, so the plugin needs no
 * CUDA toolkit to build and loads (as an unavailable backend) where there is no GPU.
 *
 * Each library is looked for in this order, and every path tried is reported on failure:
 * its override variable (SWIFTTORCH_LIBCUDA, SWIFTTORCH_NVRTC, SWIFTTORCH_CUBLAS, a file),
 * the dynamic linker's own search (LD_LIBRARY_PATH, ld.so.cache), the CUDA toolkit
 * ($CUDA_HOME, /usr/local/cuda), and the NVIDIA wheels of Python environments
 * (site-packages/nvidia/<any>/lib, where PyTorch's pip packages put them).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <glob.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cuda_internal.h"

stc_api stc;
int stc_have_cublas;
static char report[4096];

/* Appends formatted text to a bounded buffer. */
static void append(char *buffer, size_t capacity, const char *format, ...) {
    size_t used = strlen(buffer);
    if (used + 1 >= capacity) return;
    va_list args;
    va_start(args, format);
    vsnprintf(buffer + used, capacity - used, format, args);
    va_end(args);
}

/* Where drivers put libcuda when it is not on the linker's path (containers, WSL). */
static int driver_folders(char folders[][512], int max) {
    static const char *const known[] = {"/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib",
                                        "/usr/local/nvidia/lib64", "/usr/lib/wsl/lib", "/usr/local/cuda/compat"};
    int n = 0;
    for (size_t i = 0; i < sizeof known / sizeof known[0] && n < max; i++) snprintf(folders[n++], 512, "%s", known[i]);
    return n;
}

/* Folders that may hold NVRTC or cuBLAS, most specific first. */
static int candidate_folders(char folders[][512], int max) {
    int n = 0;
    const char *roots[] = {getenv("CUDA_HOME"), getenv("CUDA_PATH"), "/usr/local/cuda"};
    for (int r = 0; r < 3 && n + 2 <= max; r++) {
        if (!roots[r] || !*roots[r]) continue;
        snprintf(folders[n++], 512, "%s/lib64", roots[r]);
        snprintf(folders[n++], 512, "%s/targets/x86_64-linux/lib", roots[r]);
    }
    char patterns[6][512];
    int p = 0;
    const char *venv = getenv("VIRTUAL_ENV"), *home = getenv("HOME");
    if (venv && *venv) snprintf(patterns[p++], 512, "%s/lib/python3*/site-packages/nvidia/*/lib", venv);
    snprintf(patterns[p++], 512, "/opt/torch/.venv/lib/python3*/site-packages/nvidia/*/lib");
    snprintf(patterns[p++], 512, "/usr/local/lib/python3*/dist-packages/nvidia/*/lib");
    snprintf(patterns[p++], 512, "/usr/lib/python3/dist-packages/nvidia/*/lib");
    if (home && *home) snprintf(patterns[p++], 512, "%s/.local/lib/python3*/site-packages/nvidia/*/lib", home);
    for (int i = 0; i < p; i++) {
        glob_t g;
        if (glob(patterns[i], 0, NULL, &g) == 0) {
            for (size_t k = 0; k < g.gl_pathc && n < max; k++) snprintf(folders[n++], 512, "%s", g.gl_pathv[k]);
        }
        globfree(&g);
    }
    return n;
}

/* Tries the override, then each name through the linker, then each name in each folder
 * (use_folders: 0 none, 1 toolkit and Python environments, 2 driver locations).
 * Returns the handle and the path that worked, or NULL with `tried` listing everything. */
static void *open_library(const char *override, const char *const *names, int use_folders,
                          char *found, size_t found_capacity, char *tried, size_t tried_capacity) {
    tried[0] = 0;
    const char *value = getenv(override);
    if (value && *value) {
        void *h = dlopen(value, RTLD_NOW | RTLD_LOCAL);
        if (h) { snprintf(found, found_capacity, "%s (from %s)", value, override); return h; }
        const char *e = dlerror();
        append(tried, tried_capacity, "%s=%s (%s)", override, value, e ? e : "dlopen failed");
        return NULL;  /* an explicit choice is not second-guessed */
    }
    for (int i = 0; names[i]; i++) {
        void *h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
        if (h) {
            char where[512] = "";
            if (dlinfo(h, RTLD_DI_ORIGIN, where) == 0 && where[0]) snprintf(found, found_capacity, "%s/%s", where, names[i]);
            else snprintf(found, found_capacity, "%s", names[i]);
            return h;
        }
        append(tried, tried_capacity, "%s%s (not on the linker's search path)", tried[0] ? ", " : "", names[i]);
    }
    if (!use_folders) return NULL;
    char folders[48][512];
    int count = use_folders == 2 ? driver_folders(folders, 48) : candidate_folders(folders, 48);
    for (int f = 0; f < count; f++) {
        for (int i = 0; names[i]; i++) {
            char path[1100];
            snprintf(path, sizeof path, "%.512s/%.64s", folders[f], names[i]);
            if (access(path, F_OK) != 0) {
                if (!names[i + 1]) append(tried, tried_capacity, ", %s/{%s...} (absent)", folders[f], names[0]);
                continue;
            }
            void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
            if (h) { snprintf(found, found_capacity, "%s", path); return h; }
            const char *e = dlerror();
            append(tried, tried_capacity, ", %s (%s)", path, e ? e : "dlopen failed");
        }
    }
    if (count == 0) append(tried, tried_capacity, ", no CUDA toolkit or Python nvidia/*/lib folder found");
    return NULL;
}

/* Looks up `name` in `h`; optional symbols may be missing. */
static int bind(void *h, void *slot, const char *name, int optional, char *missing, size_t capacity) {
    void *f = dlsym(h, name);
    memcpy(slot, &f, sizeof f);
    if (!f && !optional) { append(missing, capacity, "%s%s", missing[0] ? ", " : "", name); return 0; }
    return 1;
}

#define BIND(h, field, name, optional) bind(h, &stc.field, name, optional, missing, sizeof missing)

int stc_load_libraries(char *reason, size_t capacity) {
    char tried[4096], found[1100], missing[512] = "";
    static const char *const cuda_names[] = {"libcuda.so.1", "libcuda.so", NULL};
    static const char *const nvrtc_names[] = {"libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2", "libnvrtc.so", NULL};
    static const char *const cublas_names[] = {"libcublas.so.13", "libcublas.so.12", "libcublas.so.11", "libcublas.so", NULL};
    report[0] = 0;

    void *cuda = open_library("SWIFTTORCH_LIBCUDA", cuda_names, 2, found, sizeof found, tried, sizeof tried);
    if (!cuda) {
        snprintf(reason, capacity, "the NVIDIA driver library was not found (no GPU driver here?); tried: %s; "
                 "set SWIFTTORCH_LIBCUDA to its path", tried);
        return 0;
    }
    append(report, sizeof report, "driver: %s\n", found);
    BIND(cuda, cuInit, "cuInit", 0);
    BIND(cuda, cuDriverGetVersion, "cuDriverGetVersion", 0);
    BIND(cuda, cuDeviceGetCount, "cuDeviceGetCount", 0);
    BIND(cuda, cuDeviceGet, "cuDeviceGet", 0);
    BIND(cuda, cuDeviceGetName, "cuDeviceGetName", 0);
    BIND(cuda, cuDeviceGetAttribute, "cuDeviceGetAttribute", 0);
    BIND(cuda, cuDeviceTotalMem, "cuDeviceTotalMem_v2", 0);
    BIND(cuda, cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain", 0);
    BIND(cuda, cuCtxSetCurrent, "cuCtxSetCurrent", 0);
    BIND(cuda, cuCtxSynchronize, "cuCtxSynchronize", 0);
    BIND(cuda, cuMemAlloc, "cuMemAlloc_v2", 0);
    BIND(cuda, cuMemFree, "cuMemFree_v2", 0);
    BIND(cuda, cuMemcpyHtoD, "cuMemcpyHtoD_v2", 0);
    BIND(cuda, cuMemcpyDtoH, "cuMemcpyDtoH_v2", 0);
    BIND(cuda, cuMemcpyDtoD, "cuMemcpyDtoD_v2", 0);
    BIND(cuda, cuMemsetD32, "cuMemsetD32_v2", 0);
    BIND(cuda, cuModuleLoadData, "cuModuleLoadData", 0);
    BIND(cuda, cuModuleGetFunction, "cuModuleGetFunction", 0);
    BIND(cuda, cuLaunchKernel, "cuLaunchKernel", 0);
    BIND(cuda, cuGetErrorName, "cuGetErrorName", 0);
    BIND(cuda, cuGetErrorString, "cuGetErrorString", 0);
    if (missing[0]) {
        snprintf(reason, capacity, "%s lacks %s (driver too old?)", found, missing);
        return 0;
    }

    void *nvrtc = open_library("SWIFTTORCH_NVRTC", nvrtc_names, 1, found, sizeof found, tried, sizeof tried);
    if (!nvrtc) {
        snprintf(reason, capacity, "NVRTC (the CUDA run-time compiler) was not found; tried: %s; "
                 "install the CUDA toolkit or `pip install nvidia-cuda-nvrtc-cu12`, or set SWIFTTORCH_NVRTC", tried);
        return 0;
    }
    append(report, sizeof report, "nvrtc: %s\n", found);
    BIND(nvrtc, nvrtcVersion, "nvrtcVersion", 0);
    BIND(nvrtc, nvrtcCreateProgram, "nvrtcCreateProgram", 0);
    BIND(nvrtc, nvrtcCompileProgram, "nvrtcCompileProgram", 0);
    BIND(nvrtc, nvrtcGetProgramLogSize, "nvrtcGetProgramLogSize", 0);
    BIND(nvrtc, nvrtcGetProgramLog, "nvrtcGetProgramLog", 0);
    BIND(nvrtc, nvrtcGetPTXSize, "nvrtcGetPTXSize", 0);
    BIND(nvrtc, nvrtcGetPTX, "nvrtcGetPTX", 0);
    BIND(nvrtc, nvrtcGetCUBINSize, "nvrtcGetCUBINSize", 1);
    BIND(nvrtc, nvrtcGetCUBIN, "nvrtcGetCUBIN", 1);
    BIND(nvrtc, nvrtcGetNumSupportedArchs, "nvrtcGetNumSupportedArchs", 1);
    BIND(nvrtc, nvrtcGetSupportedArchs, "nvrtcGetSupportedArchs", 1);
    BIND(nvrtc, nvrtcDestroyProgram, "nvrtcDestroyProgram", 0);
    BIND(nvrtc, nvrtcGetErrorString, "nvrtcGetErrorString", 0);
    if (missing[0]) {
        snprintf(reason, capacity, "%s lacks %s", found, missing);
        return 0;
    }

    void *cublas = open_library("SWIFTTORCH_CUBLAS", cublas_names, 1, found, sizeof found, tried, sizeof tried);
    stc_have_cublas = 0;
    if (cublas) {
        stc_have_cublas = BIND(cublas, cublasCreate, "cublasCreate_v2", 0) & BIND(cublas, cublasGetVersion, "cublasGetVersion_v2", 0)
            & BIND(cublas, cublasSetMathMode, "cublasSetMathMode", 0)
            & BIND(cublas, cublasSgemmStridedBatched, "cublasSgemmStridedBatched", 0)
            & BIND(cublas, cublasDgemmStridedBatched, "cublasDgemmStridedBatched", 0);
        if (stc_have_cublas) append(report, sizeof report, "cublas: %s\n", found);
        else append(report, sizeof report, "cublas: %s lacks %s; matrix products use a plain kernel\n", found, missing);
    } else {
        append(report, sizeof report, "cublas: not found (matrix products use a plain kernel); tried: %s\n", tried);
    }
    return 1;
}

const char *stc_library_report(void) { return report; }
