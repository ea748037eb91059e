/* The runtime's large arrays: population state and synapse storage.
 *
 * Every array is 64-byte aligned (a cache line, and the widest vector the code generator
 * targets) and rounded up to whole lines, so generated loops may use aligned vector
 * loads. From 1 MiB up an array is aligned to 2 MiB and asks the kernel for transparent
 * huge pages (madvise; a no-op where they are off): the step loop streams state arrays
 * and delivery jumps between rows of the synapse index, and with 4-KiB pages a 256,000
 * neuron CUBA spent its time in TLB misses (bench/results_notes.md). */
#define _DEFAULT_SOURCE   /* madvise */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "internal.h"

enum { ALIGN = 64 };
enum { HUGE_PAGE = 2 << 20, HUGE_MIN = 1 << 20 };

void *nrt_array_alloc(int64_t count, size_t size)
{
    if (count < 0 || size == 0 || (uint64_t)count > (SIZE_MAX / 2 - HUGE_PAGE) / size)
        return NULL;
    size_t bytes = ((size_t)count * size + ALIGN - 1) / ALIGN * ALIGN;
    if (bytes == 0)
        bytes = ALIGN;
    size_t align = ALIGN;
    if (bytes >= HUGE_MIN) {
        align = HUGE_PAGE;
        bytes = (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
    }
    void *p = aligned_alloc(align, bytes);
    if (p && align == HUGE_PAGE)
        madvise(p, bytes, MADV_HUGEPAGE);
    return p;
}

void *nrt_array_zeroed(int64_t count, size_t size)
{
    void *p = nrt_array_alloc(count, size);
    if (p)
        memset(p, 0, (size_t)(count > 0 ? count : 1) * size);
    return p;
}
