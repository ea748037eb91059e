/* Arena allocation for compiler data.
 *
 * Tokens, AST, checked annotations and IR of one compilation live in one arena and are
 * freed together; nothing frees single nodes. Allocation never fails silently: on an
 * out-of-memory the process reports it and exits (the only place besides main that does). */
#ifndef NRN_ARENA_H
#define NRN_ARENA_H

#include <stddef.h>

typedef struct ArenaBlock ArenaBlock;

typedef struct Arena {
    ArenaBlock *head;
    size_t total;
} Arena;

void arena_init(Arena *a);
void arena_fini(Arena *a);
/* Zero-filled, aligned for any type. */
void *arena_alloc(Arena *a, size_t size);
char *arena_strdup(Arena *a, const char *s);
char *arena_strndup(Arena *a, const char *s, size_t n);
char *arena_printf(Arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define ARENA_NEW(a, T) ((T *)arena_alloc((a), sizeof(T)))
#define ARENA_ARRAY(a, T, n) ((T *)arena_alloc((a), sizeof(T) * (size_t)(n)))

/* Growable array of pointers whose storage comes from an arena (old storage is abandoned). */
typedef struct PtrVec {
    void **items;
    int len, cap;
} PtrVec;

void ptrvec_push(Arena *a, PtrVec *v, void *p);

#endif
