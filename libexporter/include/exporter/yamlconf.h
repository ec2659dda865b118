/* omx libexporter: reading YAML configuration files (web config, blackbox.yml,
 * log programs) on libyaml: a document loaded whole, mappings walked against a
 * table of known keys (unknown keys rejected by name), typed getters, and one
 * error shape: FILE:LINE:COL: key "a.b": what is wrong. */
#ifndef EXPORTER_YAMLCONF_H
#define EXPORTER_YAMLCONF_H

/* Exported from libexporter even though it is built with -fvisibility=hidden. */
#pragma GCC visibility push(default)

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct omx_yaml omx_yaml;           /* a loaded document */
typedef struct omx_yaml_node omx_yaml_node; /* a node of it, borrowed from the document */

typedef enum omx_yaml_kind {
    OMX_YAML_NONE = 0, /* no node (absent value) */
    OMX_YAML_SCALAR,
    OMX_YAML_SEQUENCE,
    OMX_YAML_MAPPING,
} omx_yaml_kind;

/* Loads the first document of file path (at most max bytes, 0 = 1 MiB; read
 * with omx_read_file_at). Returns 0 and *ret (free with omx_yaml_free), or
 * OMX_ECONFIG / OMX_ENOMEM with one line in err. err (errlen bytes) stays
 * borrowed by the document: later omx_yaml_fail calls write there too. */
int omx_yaml_load_file(const char *path, size_t max, omx_yaml **ret, char *err, size_t errlen);
/* Same from len bytes of text; name stands for the file in messages. */
int omx_yaml_load_string(const char *name, const char *text, size_t len, omx_yaml **ret, char *err,
                         size_t errlen);
/* Frees y (its nodes go with it); accepts NULL; returns NULL. */
omx_yaml *omx_yaml_free(omx_yaml *y);

/* The file name given at load; borrowed. */
const char *omx_yaml_path(const omx_yaml *y);
/* The root node, NULL for an empty document. */
const omx_yaml_node *omx_yaml_root(const omx_yaml *y);

/* Writes "FILE:LINE:COL: key \"KEY\": MESSAGE" (without LINE:COL when n is
 * NULL, without the key part when key is NULL) into the load's err buffer and
 * returns OMX_ECONFIG. */
int omx_yaml_fail(omx_yaml *y, const omx_yaml_node *n, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

omx_yaml_kind omx_yaml_kind_of(const omx_yaml_node *n);
/* True for no node, "", "~" and a plain null: a key given without a value. */
bool omx_yaml_is_empty(const omx_yaml_node *n);
/* The text of a scalar node, NULL for other kinds; borrowed. */
const char *omx_yaml_scalar(const omx_yaml_node *n);
/* Items of a sequence or pairs of a mapping (0 for other kinds). */
size_t omx_yaml_len(const omx_yaml_node *n);
/* Item i of a sequence, NULL past the end. */
const omx_yaml_node *omx_yaml_item(const omx_yaml *y, const omx_yaml_node *seq, size_t i);
/* Pair i of a mapping: 0 with *key and *value, OMX_ENOENT past the end. */
int omx_yaml_pair(const omx_yaml *y, const omx_yaml_node *map, size_t i, const omx_yaml_node **key,
                  const omx_yaml_node **value);

/* One known key of a mapping: parse gets the value node, the full dotted key
 * ("prefix.name") for messages and the caller's ctx; returns 0 or an omx_err
 * (usually from omx_yaml_fail). */
typedef int omx_yaml_field_fn(omx_yaml *y, const omx_yaml_node *value, const char *key, void *ctx);
typedef struct omx_yaml_field {
    const char *name;
    omx_yaml_field_fn *parse;
} omx_yaml_field;

/* Walks mapping map against n known fields: each key found calls its parse
 * function in file order; an unknown key, a key given twice or a non-string
 * key fails naming it. An empty value (see omx_yaml_is_empty) is an empty
 * mapping. prefix (NULL at top level) names the mapping in keys and messages.
 * Returns 0 or the first error. */
int omx_yaml_map(omx_yaml *y, const omx_yaml_node *map, const char *prefix,
                 const omx_yaml_field *fields, size_t n, void *ctx);

/* Typed getters: 0 and *ret, or OMX_ECONFIG after omx_yaml_fail naming key. */
int omx_yaml_get_string(omx_yaml *y, const omx_yaml_node *n, const char *key, const char **ret);
/* true/false (also True/False/yes/no, as Go's YAML v2 accepted). */
int omx_yaml_get_bool(omx_yaml *y, const omx_yaml_node *n, const char *key, bool *ret);
int omx_yaml_get_int(omx_yaml *y, const omx_yaml_node *n, const char *key, int64_t *ret);
/* A Go/Prometheus duration ("5s", "1m30s", "100ms", "1d") in nanoseconds. */
int omx_yaml_get_duration(omx_yaml *y, const omx_yaml_node *n, const char *key, int64_t *ret_ns);
/* A sequence of strings into a malloc'ed NULL-terminated array of malloc'ed
 * strings (free with omx_strv_free); an empty value gives an empty array. */
int omx_yaml_get_strings(omx_yaml *y, const omx_yaml_node *n, const char *key, char ***ret);

#ifdef __cplusplus
}
#endif
#pragma GCC visibility pop
#endif
