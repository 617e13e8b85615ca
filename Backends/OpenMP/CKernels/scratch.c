/* Per-thread scratch buffers that outlive a call. A GEMM packs its operands into buffers of
   up to a few MiB on every call; from malloc, such a block sits at the top of the heap (or
   in its own mapping), glibc gives it back to the system when it is freed, and the next
   call faults its pages in again. In an LSTM step (hundreds of small products) that
   refaulting was a fifth of the time. Here each thread keeps one buffer per slot and only
   ever grows it; a thread's buffers are freed when the thread exits. */
#define ST_OMP_INTERNAL
#include "omp_scratch.h"

#include <pthread.h>
#include <stdlib.h>

/* Under AddressSanitizer the part of a buffer beyond the bytes asked for is poisoned, so a
   kernel that overruns its request is caught as it would be with an exact malloc. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ST_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define ST_ASAN 1
#endif
#ifdef ST_ASAN
#include <sanitizer/asan_interface.h>
#define FIT(p, used, capacity)                                                  \
    do {                                                                      \
        ASAN_UNPOISON_MEMORY_REGION((p), (used));                             \
        ASAN_POISON_MEMORY_REGION((char *)(p) + (used), (capacity) - (used)); \
    } while (0)
#else
#define FIT(p, used, capacity) ((void)0)
#endif

typedef struct {
    void *block[ST_SCRATCH_SLOTS];
    size_t bytes[ST_SCRATCH_SLOTS];
} scratch_set;

static pthread_key_t key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static int key_ok;

static void release(void *p) {
    scratch_set *s = p;
    for (int i = 0; i < ST_SCRATCH_SLOTS; i++) {
        if (s->block[i]) FIT(s->block[i], s->bytes[i], s->bytes[i]);
        free(s->block[i]);
    }
    free(s);
}

static void make_key(void) { key_ok = pthread_key_create(&key, release) == 0; }

void *st__scratch(int slot, size_t bytes) {
    if (slot < 0 || slot >= ST_SCRATCH_SLOTS) return NULL;
    if (bytes == 0) bytes = 1;
    pthread_once(&key_once, make_key);
    if (!key_ok) return NULL;
    scratch_set *s = pthread_getspecific(key);
    if (!s) {
        s = calloc(1, sizeof *s);
        if (!s) return NULL;
        if (pthread_setspecific(key, s)) { free(s); return NULL; }
    }
    if (s->bytes[slot] >= bytes && s->block[slot]) {
        FIT(s->block[slot], bytes, s->bytes[slot]);
        return s->block[slot];
    }
    /* Grow to the next 64 KiB, so a run of slightly larger requests does not reallocate
       each time. */
    size_t want = (bytes + 65535) & ~(size_t)65535;
    void *p = aligned_alloc(64, want);
    if (!p) return NULL;
    if (s->block[slot]) FIT(s->block[slot], s->bytes[slot], s->bytes[slot]);
    free(s->block[slot]);
    s->block[slot] = p;
    s->bytes[slot] = want;
    FIT(p, bytes, want);
    return p;
}
