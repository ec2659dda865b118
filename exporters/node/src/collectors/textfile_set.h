/* textfile collector: the families read from the *.prom files of one scrape,
 * held compactly (one label arena, 24 bytes a sample) until they are emitted. */
#ifndef NODE_TEXTFILE_SET_H
#define NODE_TEXTFILE_SET_H

#include <stddef.h>
#include <stdint.h>

#include <openmetrics/openmetrics.h>

/* The label pairs of a scrape's samples, back to back: grown by doubling
 * (realloc), reset to a mark when a file is dropped. */
typedef struct tf_arena {
    char *data;
    size_t len, cap;
} tf_arena;

/* Room for n more bytes at data + len (len is not moved), or NULL when out of
 * memory. Earlier pointers into data are invalid after a call; offsets stay. */
char *tf_arena_room(tf_arena *a, size_t n);
/* Frees the bytes; a is left empty and reusable. */
void tf_arena_free(tf_arena *a);

/* What a sample line adds to its family's name (0.0.4 has no other suffix). */
enum { TF_SFX_NONE, TF_SFX_BUCKET, TF_SFX_SUM, TF_SFX_COUNT };

typedef struct tf_sample {
    double value;
    size_t off;     /* label pairs in the arena: name \0 value \0 ... (unescaped) */
    uint16_t n;     /* number of pairs */
    uint8_t suffix; /* TF_SFX_* */
    uint32_t file;  /* which of the scrape's files it was read from */
} tf_sample;

typedef struct tf_family {
    char *name;
    size_t name_len;
    char *help;  /* NULL: no HELP line was read */
    char *files; /* the files it was read from, ", "-separated (default HELP) */
    omp_type type;
    tf_sample *s;
    size_t n, cap;
} tf_family;

/* Families in the order first read, found by name through a hash index. */
typedef struct tf_set {
    tf_family *f;
    size_t n, cap;
    size_t *index; /* slots of family index + 1; 0 is empty */
    size_t mask;   /* index size - 1 (a power of two) */
} tf_set;

/* The family called name (len bytes), created (untyped, no samples) when absent
 * and create is set. NULL when absent or out of memory. The pointer is valid
 * until the next family is created. */
tf_family *tf_set_family(tf_set *t, const char *name, size_t len, bool create);
/* Frees every family and the index; t is left empty and reusable. */
void tf_set_free(tf_set *t);
/* Appends a sample to f; returns it (zeroed) or NULL when out of memory. */
tf_sample *tf_family_add(tf_family *f);
/* Moves every sample of src to the end of dst; src keeps none. Returns 0 or OMX_ENOMEM. */
int tf_family_move(tf_family *dst, tf_family *src);

/* The value of label name in s (labels in arena a), or NULL. */
const char *tf_label(const tf_arena *a, const tf_sample *s, const char *name);

#endif
