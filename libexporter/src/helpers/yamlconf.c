/* YAML configuration files on libyaml's document API (see exporter/yamlconf.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "exporter/error.h"
#include "exporter/file.h"
#include "exporter/text.h"
#include "exporter/yamlconf.h"

#define DEFAULT_MAX (1u << 20)
#define KEY_MAX 256

struct omx_yaml {
    char *path;
    yaml_document_t doc;
    char *err; /* the caller's buffer */
    size_t errlen;
};

/* Nodes are libyaml's; the public type only hides them. */
static const yaml_node_t *ynode(const omx_yaml_node *n) {
    return (const yaml_node_t *)(const void *)n;
}

static const omx_yaml_node *onode(const yaml_node_t *n) {
    return (const omx_yaml_node *)(const void *)n;
}

omx_yaml *omx_yaml_free(omx_yaml *y) {
    if (!y)
        return NULL;
    yaml_document_delete(&y->doc);
    free(y->path);
    free(y);
    return NULL;
}

int omx_yaml_load_string(const char *name, const char *text, size_t len, omx_yaml **ret, char *err,
                         size_t errlen) {
    if (err && errlen)
        err[0] = '\0';
    if (!name || (!text && len) || !ret)
        return OMX_EINVAL;
    *ret = NULL;
    omx_yaml *y = calloc(1, sizeof *y);
    if (!y || !(y->path = strdup(name))) {
        free(y);
        if (err && errlen)
            snprintf(err, errlen, "%s: out of memory", name);
        return OMX_ENOMEM;
    }
    y->err = err;
    y->errlen = errlen;
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        free(y->path);
        free(y);
        return OMX_ENOMEM;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)(text ? text : ""), len);
    if (!yaml_parser_load(&parser, &y->doc)) {
        if (err && errlen)
            snprintf(err, errlen, "%s:%zu:%zu: YAML error: %s", name, parser.problem_mark.line + 1,
                     parser.problem_mark.column + 1, parser.problem ? parser.problem : "syntax");
        yaml_parser_delete(&parser);
        free(y->path);
        free(y);
        return OMX_ECONFIG;
    }
    yaml_parser_delete(&parser);
    *ret = y;
    return 0;
}

int omx_yaml_load_file(const char *path, size_t max, omx_yaml **ret, char *err, size_t errlen) {
    if (!path || !ret)
        return OMX_EINVAL;
    char *text;
    size_t len;
    int r = omx_read_file_at(AT_FDCWD, path, max ? max : DEFAULT_MAX, 0, &text, &len);
    if (r < 0) {
        if (err && errlen)
            snprintf(err, errlen, "%s: cannot read: %s", path,
                     r == -EFBIG ? "file too large" : strerror(-r));
        *ret = NULL;
        return r == -ENOMEM ? OMX_ENOMEM : OMX_ECONFIG;
    }
    r = omx_yaml_load_string(path, text, len, ret, err, errlen);
    free(text);
    return r;
}

const char *omx_yaml_path(const omx_yaml *y) { return y ? y->path : NULL; }

const omx_yaml_node *omx_yaml_root(const omx_yaml *y) {
    return y ? onode(yaml_document_get_root_node((yaml_document_t *)&y->doc)) : NULL;
}

int omx_yaml_fail(omx_yaml *y, const omx_yaml_node *n, const char *key, const char *fmt, ...) {
    if (!y || !y->err || !y->errlen)
        return OMX_ECONFIG;
    char msg[512], where[64] = "";
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (n)
        snprintf(where, sizeof where, ":%zu:%zu", ynode(n)->start_mark.line + 1,
                 ynode(n)->start_mark.column + 1);
    if (key)
        snprintf(y->err, y->errlen, "%s%s: key \"%s\": %s", y->path, where, key, msg);
    else
        snprintf(y->err, y->errlen, "%s%s: %s", y->path, where, msg);
    return OMX_ECONFIG;
}

omx_yaml_kind omx_yaml_kind_of(const omx_yaml_node *n) {
    if (!n)
        return OMX_YAML_NONE;
    switch (ynode(n)->type) {
    case YAML_SCALAR_NODE: return OMX_YAML_SCALAR;
    case YAML_SEQUENCE_NODE: return OMX_YAML_SEQUENCE;
    case YAML_MAPPING_NODE: return OMX_YAML_MAPPING;
    default: return OMX_YAML_NONE;
    }
}

const char *omx_yaml_scalar(const omx_yaml_node *n) {
    return n && ynode(n)->type == YAML_SCALAR_NODE ? (const char *)ynode(n)->data.scalar.value
                                                   : NULL;
}

bool omx_yaml_is_empty(const omx_yaml_node *n) {
    if (!n)
        return true;
    const char *s = omx_yaml_scalar(n);
    if (!s)
        return false;
    if (!*s)
        return true;
    /* a quoted "null" is a string */
    return ynode(n)->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
           (!strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL"));
}

size_t omx_yaml_len(const omx_yaml_node *n) {
    const yaml_node_t *y = ynode(n);
    if (n && y->type == YAML_SEQUENCE_NODE)
        return (size_t)(y->data.sequence.items.top - y->data.sequence.items.start);
    if (n && y->type == YAML_MAPPING_NODE)
        return (size_t)(y->data.mapping.pairs.top - y->data.mapping.pairs.start);
    return 0;
}

const omx_yaml_node *omx_yaml_item(const omx_yaml *y, const omx_yaml_node *seq, size_t i) {
    if (!y || omx_yaml_kind_of(seq) != OMX_YAML_SEQUENCE || i >= omx_yaml_len(seq))
        return NULL;
    return onode(yaml_document_get_node((yaml_document_t *)&y->doc,
                                        ynode(seq)->data.sequence.items.start[i]));
}

int omx_yaml_pair(const omx_yaml *y, const omx_yaml_node *map, size_t i, const omx_yaml_node **key,
                  const omx_yaml_node **value) {
    if (!y || omx_yaml_kind_of(map) != OMX_YAML_MAPPING || i >= omx_yaml_len(map))
        return OMX_ENOENT;
    const yaml_node_pair_t *p = &ynode(map)->data.mapping.pairs.start[i];
    *key = onode(yaml_document_get_node((yaml_document_t *)&y->doc, p->key));
    *value = onode(yaml_document_get_node((yaml_document_t *)&y->doc, p->value));
    return 0;
}

int omx_yaml_map(omx_yaml *y, const omx_yaml_node *map, const char *prefix,
                 const omx_yaml_field *fields, size_t n, void *ctx) {
    if (!y || (n && !fields))
        return OMX_EINVAL;
    if (omx_yaml_is_empty(map))
        return 0;
    if (omx_yaml_kind_of(map) != OMX_YAML_MAPPING)
        return omx_yaml_fail(y, map, prefix ? prefix : "(top level)", "expected a mapping");
    size_t pairs = omx_yaml_len(map);
    for (size_t i = 0; i < pairs; i++) {
        const omx_yaml_node *k, *v;
        omx_yaml_pair(y, map, i, &k, &v);
        const char *name = omx_yaml_scalar(k);
        if (!name)
            return omx_yaml_fail(y, k, prefix ? prefix : "(top level)", "keys must be strings");
        char key[KEY_MAX];
        snprintf(key, sizeof key, "%s%s%s", prefix ? prefix : "", prefix ? "." : "", name);
        size_t f = 0;
        while (f < n && strcmp(fields[f].name, name))
            f++;
        if (f == n)
            return omx_yaml_fail(y, k, key, "unknown key");
        for (size_t j = 0; j < i; j++) {
            const omx_yaml_node *pk, *pv;
            omx_yaml_pair(y, map, j, &pk, &pv);
            const char *prev = omx_yaml_scalar(pk);
            if (prev && !strcmp(prev, name))
                return omx_yaml_fail(y, k, key, "key given twice");
        }
        int r = fields[f].parse ? fields[f].parse(y, v, key, ctx) : 0;
        if (r < 0)
            return r;
    }
    return 0;
}

int omx_yaml_get_string(omx_yaml *y, const omx_yaml_node *n, const char *key, const char **ret) {
    const char *s = omx_yaml_scalar(n);
    if (!s)
        return omx_yaml_fail(y, n, key, "expected a string");
    *ret = s;
    return 0;
}

int omx_yaml_get_bool(omx_yaml *y, const omx_yaml_node *n, const char *key, bool *ret) {
    const char *s = omx_yaml_scalar(n);
    if (s && (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "yes")))
        *ret = true;
    else if (s && (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "no")))
        *ret = false;
    else
        return omx_yaml_fail(y, n, key, "expected true or false");
    return 0;
}

int omx_yaml_get_int(omx_yaml *y, const omx_yaml_node *n, const char *key, int64_t *ret) {
    const char *s = omx_yaml_scalar(n);
    int r = s ? omx_parse_i64(s, ret) : -EINVAL;
    if (r == -ERANGE)
        return omx_yaml_fail(y, n, key, "integer '%s' out of range", s);
    if (r < 0)
        return omx_yaml_fail(y, n, key, "expected an integer");
    return 0;
}

int omx_yaml_get_duration(omx_yaml *y, const omx_yaml_node *n, const char *key, int64_t *ret_ns) {
    const char *s = omx_yaml_scalar(n);
    int r = s ? omx_parse_duration(s, ret_ns) : -EINVAL;
    if (r == -ERANGE)
        return omx_yaml_fail(y, n, key, "duration '%s' out of range", s);
    if (r < 0)
        return s ? omx_yaml_fail(y, n, key, "invalid duration '%s' (want e.g. 5s, 1m30s, 100ms)", s)
                 : omx_yaml_fail(y, n, key, "expected a duration");
    return 0;
}

int omx_yaml_get_strings(omx_yaml *y, const omx_yaml_node *n, const char *key, char ***ret) {
    bool empty = omx_yaml_is_empty(n);
    if (!empty && omx_yaml_kind_of(n) != OMX_YAML_SEQUENCE)
        return omx_yaml_fail(y, n, key, "expected a list");
    size_t len = empty ? 0 : omx_yaml_len(n);
    char **v = calloc(len + 1, sizeof *v);
    if (!v)
        return OMX_ENOMEM;
    for (size_t i = 0; i < len; i++) {
        const omx_yaml_node *item = omx_yaml_item(y, n, i);
        const char *s = omx_yaml_scalar(item);
        if (!s) {
            omx_strv_free(v);
            return omx_yaml_fail(y, item, key, "expected a list of strings");
        }
        if (!(v[i] = strdup(s))) {
            omx_strv_free(v);
            return OMX_ENOMEM;
        }
    }
    *ret = v;
    return 0;
}
