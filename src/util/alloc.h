/* alloc.h: the library's one allocation hook (see hh_set_allocator).
 * Every allocation in src/ goes through these so tests can make any of them
 * fail.  hh__free accepts NULL.  hh__alloc_array checks n*size overflow. */
#ifndef HH_UTIL_ALLOC_H
#define HH_UTIL_ALLOC_H
#include <stddef.h>

void *hh__malloc(size_t n);
void *hh__calloc(size_t n, size_t size);
void *hh__realloc(void *p, size_t n);
void hh__free(void *p);
/* malloc of n*size with overflow check; NULL on overflow or failure */
void *hh__alloc_array(size_t n, size_t size);
/* realloc of n*size with overflow check */
void *hh__realloc_array(void *p, size_t n, size_t size);
/* Grows *p (element size `size`) so it holds at least `need` elements;
 * *cap is updated.  Returns 0 or HH_ENOMEM (then *p is unchanged). */
int hh__grow(void *pp, size_t *cap, size_t need, size_t size);
/* A copy of the string s through the hook, or NULL. */
char *hh__strdup(const char *s);

#endif
