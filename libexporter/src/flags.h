/* Command-line flags in the Go exporters' spelling: --name=value, --name value,
 * boolean --name / --no-name / --name=true|false, repeatable string flags. */
#ifndef OMX_FLAGS_H
#define OMX_FLAGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef enum omx__flag_kind {
    OMX__FLAG_BOOL,
    OMX__FLAG_STRING,
    OMX__FLAG_STRINGS,
    OMX__FLAG_INT,
    OMX__FLAG_DOUBLE,
    OMX__FLAG_DURATION, /* double seconds, written as Go writes durations: 5s, 1m30s, 250ms */
} omx__flag_kind;

typedef struct omx__flag {
    char *name; /* owned, without "--" */
    char *help; /* owned */
    char *def;  /* owned rendering of the default, for --help */
    omx__flag_kind kind;
    void *
        value; /* borrowed: bool*, const char**, const char *const**, long*, double* (also durations) */
    bool seen;
    bool hidden;       /* accepted, left out of --help (deprecated spellings) */
    const char **list; /* OMX__FLAG_STRINGS: owned NULL-terminated array of borrowed strings */
    size_t n_list;
} omx__flag;

typedef struct omx__flags {
    omx__flag *v;
    size_t n, cap;
} omx__flags;

/* Declares a flag; value holds the default. Returns 0, OMX_EINVAL (bad or
 * duplicate name) or OMX_ENOMEM. */
int omx__flags_add(omx__flags *fs, omx__flag_kind kind, const char *name, void *value,
                   const char *help);
/* Parses argv[1..argc-1]. On error returns OMX_EINVAL and writes one line
 * naming the flag into err. String values point into argv. */
int omx__flags_parse(omx__flags *fs, int argc, char **argv, char *err, size_t errlen);
/* The flag named name or NULL. */
omx__flag *omx__flags_find(omx__flags *fs, const char *name);
/* Writes the flag list with defaults and help. */
void omx__flags_usage(const omx__flags *fs, FILE *out);
/* Parses a Go duration ("1h2m3.5s", "250ms", "0"; a bare number is seconds)
 * into seconds. Returns 0 or OMX_EINVAL (also for a negative one). */
int omx__parse_duration(const char *s, double *seconds);
/* Frees everything the set owns (not the values pointed to). */
void omx__flags_free(omx__flags *fs);

#endif
