#include "miadi_heap.h"
// Any libc header defines __GLIBC__ where glibc is the C library.
#include <stdlib.h>

#if defined(__GLIBC__)
#include <malloc.h>
int miadi_heap_trim(void) { return malloc_trim(0); }
long long miadi_heap_in_use(void) {
    struct mallinfo2 info = mallinfo2();
    return (long long)(info.uordblks + info.hblkhd);
}
#else
int miadi_heap_trim(void) { return 0; }
long long miadi_heap_in_use(void) { return -1; }
#endif
