/* Declarations shared by the CUDA plugin's C files (not part of any public interface). */
#ifndef STC_CUDA_INTERNAL_H
#define STC_CUDA_INTERNAL_H

#include <pthread.h>
#include <stdint.h>
#include <swifttorch_plugin.h>

#include "cuda_api.h"
#include "kernel_params.h"

#define STC_MAX_DEVICES 16

/* Device functions in the NVRTC module, looked up by these names (see stc_kernel_names). */
enum {
    STC_K_BINARY, STC_K_BINARY_F32, STC_K_UNARY, STC_K_WHERE, STC_K_COPY, STC_K_FILL,
    STC_K_REDUCE, STC_K_REDUCE_FINISH, STC_K_SOFTMAX, STC_K_CUMSUM,
    STC_K_CLASS_LOSS, STC_K_POINTWISE_LOSS, STC_K_LOSS_FINISH,
    STC_K_INDEX_COPY, STC_K_INDEX_ADD, STC_K_MATMUL_NAIVE, STC_K_UNARY_F32, STC_K_SOFTMAX_ROWS_F32, STC_K_COUNT
};

/* A free list of device blocks of one rounded size class, kept by the caching allocator. */
typedef struct stc_block { CUdeviceptr ptr; size_t size; } stc_block;

typedef struct stc_pool {
    pthread_mutex_t lock;
    stc_block *free_blocks; size_t free_count, free_capacity;
    stc_block *live; size_t live_count, live_capacity;   /* handed out: pointer -> size */
    size_t bytes_live, bytes_cached, peak;
    unsigned long long driver_allocations, cache_hits;
} stc_pool;

typedef struct stc_device {
    int ordinal;
    int ready;
    CUdevice device;
    CUcontext context;
    int major, minor, sm_count;
    CUmodule module;
    CUfunction kernels[STC_K_COUNT];
    CUdeviceptr status;            /* one int the kernels set on bad input */
    cublasHandle_t cublas;
    stc_pool pool;
} stc_device;

/* One kernel invocation in progress. */
typedef struct stc_job {
    const st_kernel_call *call;
    stc_device *dev;
} stc_job;

/* cuda_libraries.c: the driver, NVRTC and cuBLAS, opened at run time. */
extern stc_api stc;
extern int stc_have_cublas;
/* Opens the libraries; on failure fills `reason` with every path tried and returns 0. */
int stc_load_libraries(char *reason, size_t capacity);
/* One line per library: where it was found, or why cuBLAS is missing. */
const char *stc_library_report(void);

/* cuda_runtime.c: devices, errors, the NVRTC module, launches. */
extern const st_host_api *stc_host;
extern int stc_tf32;
extern int stc_launch_blocking;
int stc_after_launch(stc_job *job, const char *what);
const char *stc_error_name(CUresult r);
int stc_fail(const st_kernel_call *call, int kind, const char *format, ...);
int stc_check(const st_kernel_call *call, CUresult r, const char *what);
stc_device *stc_device_get(int ordinal, char *error, size_t capacity);
int stc_begin(const st_kernel_call *call, stc_job *job);
int stc_launch(stc_job *job, int kernel, unsigned grid_x, unsigned grid_y, unsigned block, void **params);
unsigned stc_grid(stc_job *job, long long n, unsigned block);
int stc_status_reset(stc_job *job);
int stc_status_check(stc_job *job);
const char *stc_cache_description(void);

/* cuda_memory.c: the caching allocator. */
void stc_pool_init(stc_pool *pool);
int stc_alloc(stc_device *dev, size_t bytes, CUdeviceptr *out, CUresult *error);
void stc_free(stc_device *dev, CUdeviceptr ptr);
int stc_temp(stc_job *job, size_t bytes, CUdeviceptr *out);
void stc_pool_print(const stc_pool *pool, int ordinal);
/* cuda_runtime.c: prints every used device's allocator counts (SWIFTTORCH_CUDA_STATS=1). */
void stc_print_stats(void);

/* cuda_geometry.c: descriptors to kernel parameters. */
int stc_ew_init(stc_job *job, stc_ew_geom *g, const st_tensor *const *operands, int count);
int stc_red_init(stc_job *job, stc_red_geom *g, const st_tensor *in, const st_tensor *out, uint32_t reduced);
uint32_t stc_dims_argument(const st_kernel_call *call, const char *name, int rank);
int stc_copy_into(stc_job *job, const st_tensor *dst, const st_tensor *src);
int stc_contiguous(const st_tensor *t);
CUdeviceptr stc_element_ptr(const st_tensor *t);
const st_tensor *stc_arg_tensor(const st_kernel_call *call, const char *name);

/* The kernels, one file per family; each returns ST_OK or reports and returns ST_FAILED. */
int32_t stc_k_binary(const st_kernel_call *call);
int32_t stc_k_unary(const st_kernel_call *call);
int32_t stc_k_where(const st_kernel_call *call);
int32_t stc_k_to_copy(const st_kernel_call *call);
int32_t stc_k_copy_(const st_kernel_call *call);
int32_t stc_k_cat(const st_kernel_call *call);
int32_t stc_k_creation(const st_kernel_call *call);
int32_t stc_k_reduce(const st_kernel_call *call);
int32_t stc_k_softmax(const st_kernel_call *call);
int32_t stc_k_cumsum(const st_kernel_call *call);
int32_t stc_k_matmul(const st_kernel_call *call);
int32_t stc_k_class_loss(const st_kernel_call *call);
int32_t stc_k_pointwise_loss(const st_kernel_call *call);
int32_t stc_k_index(const st_kernel_call *call);

/* Operation codes passed as kernel_data. */
#define STC_OPCODE(call) ((int)(intptr_t)(call)->kernel_data)

#endif
