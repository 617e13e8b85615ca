/*
 * A caching allocator: freed blocks stay with the device and serve later requests of the
 * same rounded size, so a training loop that allocates the same tensors every step stops
 * calling cuMemAlloc after its first step. When the driver runs out of memory, cached
 * blocks are returned to it and the allocation is retried once.
 *
 * Sizes round up to 512 bytes below 1 MiB and to 2 MiB above. Reuse is safe without events
 * because all work runs on one stream, in order.
 *
 * SWIFTTORCH_CUDA_STATS=1 prints the allocator's counts when the process exits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cuda_internal.h"

static size_t rounded(size_t bytes) {
    if (bytes <= ((size_t)1 << 20)) return bytes <= 512 ? 512 : (bytes + 511) & ~(size_t)511;
    size_t step = (size_t)2 << 20;
    return (bytes + step - 1) / step * step;
}

void stc_pool_init(stc_pool *pool) {
    memset(pool, 0, sizeof *pool);
    pthread_mutex_init(&pool->lock, NULL);
}

static int push(stc_block **list, size_t *count, size_t *capacity, stc_block b) {
    if (*count == *capacity) {
        size_t n = *capacity ? *capacity * 2 : 64;
        stc_block *grown = realloc(*list, n * sizeof **list);
        if (!grown) return 0;
        *list = grown;
        *capacity = n;
    }
    (*list)[(*count)++] = b;
    return 1;
}

/* Returns every cached block to the driver (caller holds the lock). */
static void release_cached(stc_pool *pool) {
    for (size_t i = 0; i < pool->free_count; i++) stc.cuMemFree(pool->free_blocks[i].ptr);
    pool->free_count = 0;
    pool->bytes_cached = 0;
}

int stc_alloc(stc_device *dev, size_t bytes, CUdeviceptr *out, CUresult *error) {
    stc_pool *pool = &dev->pool;
    size_t size = rounded(bytes);
    pthread_mutex_lock(&pool->lock);
    stc_block block = {0, size};
    /* Newest first: its memory is most likely still in L2. */
    for (size_t i = pool->free_count; i-- > 0;) {
        if (pool->free_blocks[i].size == size) {
            block = pool->free_blocks[i];
            pool->free_blocks[i] = pool->free_blocks[--pool->free_count];
            pool->bytes_cached -= size;
            pool->cache_hits++;
            break;
        }
    }
    if (!block.ptr) {
        stc.cuCtxSetCurrent(dev->context);
        CUresult r = stc.cuMemAlloc(&block.ptr, size);
        if (r == CUDA_ERROR_OUT_OF_MEMORY && pool->free_count) {
            release_cached(pool);
            r = stc.cuMemAlloc(&block.ptr, size);
        }
        if (r != 0) {
            pthread_mutex_unlock(&pool->lock);
            *error = r;
            return 0;
        }
        pool->driver_allocations++;
    }
    if (!push(&pool->live, &pool->live_count, &pool->live_capacity, block)) {
        stc.cuMemFree(block.ptr);
        pthread_mutex_unlock(&pool->lock);
        *error = CUDA_ERROR_OUT_OF_MEMORY;
        return 0;
    }
    pool->bytes_live += size;
    if (pool->bytes_live > pool->peak) pool->peak = pool->bytes_live;
    pthread_mutex_unlock(&pool->lock);
    *out = block.ptr;
    return 1;
}

void stc_free(stc_device *dev, CUdeviceptr ptr) {
    stc_pool *pool = &dev->pool;
    pthread_mutex_lock(&pool->lock);
    /* Recent allocations are freed first, so search from the end. */
    for (size_t i = pool->live_count; i-- > 0;) {
        if (pool->live[i].ptr != ptr) continue;
        stc_block b = pool->live[i];
        pool->live[i] = pool->live[--pool->live_count];
        pool->bytes_live -= b.size;
        if (push(&pool->free_blocks, &pool->free_count, &pool->free_capacity, b)) pool->bytes_cached += b.size;
        else stc.cuMemFree(b.ptr);
        break;
    }
    pthread_mutex_unlock(&pool->lock);
}

/* Scratch memory for one kernel call; the caller frees it with stc_free when done (later
 * work on the stream is ordered after the kernels that use it). */
int stc_temp(stc_job *job, size_t bytes, CUdeviceptr *out) {
    CUresult r = 0;
    if (stc_alloc(job->dev, bytes, out, &r)) return ST_OK;
    return stc_check(job->call, r, "cuMemAlloc (scratch)");
}

void stc_pool_print(const stc_pool *pool, int ordinal) {
    fprintf(stderr, "swifttorch cuda:%d allocator: %llu cuMemAlloc calls, %llu reuses, peak %.1f MiB in use, %.1f MiB cached\n",
            ordinal, pool->driver_allocations, pool->cache_hits, (double)pool->peak / 1048576.0,
            (double)pool->bytes_cached / 1048576.0);
}
