#ifndef MIADI_HEAP_H
#define MIADI_HEAP_H

/// Gives the C heap's free memory back to the system (glibc's malloc_trim), where there is
/// one to ask: returns 1 if memory was released, 0 otherwise. Not exported by Swift's Glibc
/// module, hence this one-function target.
int miadi_heap_trim(void);

/// Bytes the C heap has handed out and not had back (glibc's mallinfo2: arena chunks in use
/// plus mmapped blocks), or -1 where there is no such count. Beside the resident size it tells
/// memory a program holds from memory the allocator keeps.
long long miadi_heap_in_use(void);

#endif
