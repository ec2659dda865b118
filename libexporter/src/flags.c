/* Command-line flag parsing (see flags.h). */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exporter/error.h"
#include "flags.h"

static bool name_valid(const char *n) {
    if (!n || !*n || n[0] == '-')
        return false;
    for (; *n; n++)
        if (!((*n >= 'a' && *n <= 'z') || (*n >= 'A' && *n <= 'Z') || (*n >= '0' && *n <= '9') ||
              *n == '.' || *n == '-' || *n == '_'))
            return false;
    return true;
}

omx__flag *omx__flags_find(omx__flags *fs, const char *name) {
    for (size_t i = 0; i < fs->n; i++)
        if (strcmp(fs->v[i].name, name) == 0)
            return &fs->v[i];
    return NULL;
}

static char *render_default(omx__flag_kind kind, const void *value) {
    char buf[64];
    switch (kind) {
    case OMX__FLAG_BOOL: return strdup(*(const bool *)value ? "true" : "false");
    case OMX__FLAG_STRING: {
        const char *s = *(const char *const *)value;
        return strdup(s ? s : "");
    }
    case OMX__FLAG_STRINGS: {
        const char *const *l = *(const char *const *const *)value;
        size_t len = 1;
        for (size_t i = 0; l && l[i]; i++)
            len += strlen(l[i]) + 2;
        char *out = calloc(1, len);
        for (size_t i = 0; out && l && l[i]; i++) {
            if (i)
                strcat(out, ", ");
            strcat(out, l[i]);
        }
        return out;
    }
    case OMX__FLAG_INT: snprintf(buf, sizeof buf, "%ld", *(const long *)value); return strdup(buf);
    case OMX__FLAG_DOUBLE:
        snprintf(buf, sizeof buf, "%g", *(const double *)value);
        return strdup(buf);
    case OMX__FLAG_DURATION: {
        double d = *(const double *)value;
        if (d >= 60 && d < 1e15 && d == (double)(long long)d && (long long)d % 60 == 0)
            snprintf(buf, sizeof buf, "%gm", d / 60);
        else if (d > 0 && d < 1)
            snprintf(buf, sizeof buf, "%gms", d * 1000);
        else
            snprintf(buf, sizeof buf, "%gs", d);
        return strdup(buf);
    }
    }
    return NULL;
}

int omx__flags_add(omx__flags *fs, omx__flag_kind kind, const char *name, void *value,
                   const char *help) {
    if (!fs || !value || !name_valid(name) || strncmp(name, "no-", 3) == 0 ||
        omx__flags_find(fs, name))
        return OMX_EINVAL;
    if (fs->n == fs->cap) {
        size_t cap = fs->cap ? fs->cap * 2 : 16;
        omx__flag *v = realloc(fs->v, cap * sizeof *v);
        if (!v)
            return OMX_ENOMEM;
        fs->v = v;
        fs->cap = cap;
    }
    omx__flag *f = &fs->v[fs->n];
    memset(f, 0, sizeof *f);
    f->kind = kind;
    f->value = value;
    f->name = strdup(name);
    f->help = strdup(help ? help : "");
    f->def = render_default(kind, value);
    if (!f->name || !f->help || !f->def) {
        free(f->name);
        free(f->help);
        free(f->def);
        return OMX_ENOMEM;
    }
    fs->n++;
    return 0;
}

static int parse_bool(const char *s, bool *out) {
    if (!strcmp(s, "true") || !strcmp(s, "1") || !strcmp(s, "yes")) {
        *out = true;
        return 0;
    }
    if (!strcmp(s, "false") || !strcmp(s, "0") || !strcmp(s, "no")) {
        *out = false;
        return 0;
    }
    return OMX_EINVAL;
}

int omx__parse_duration(const char *s, double *seconds) {
    static const struct {
        const char *unit;
        double scale;
    } units[] = {
        {"ns", 1e-9}, {"us", 1e-6}, {"\xc2\xb5s", 1e-6}, {"ms", 1e-3},
        {"s", 1},     {"m", 60},    {"h", 3600},
    };
    double total = 0;
    char *end;

    if (!s || !*s || *s == '-' || *s == '+')
        return OMX_EINVAL;
    errno = 0;
    double v = strtod(s, &end);
    if (end != s && !*end && !errno && isfinite(v) && v >= 0) {
        *seconds = v; /* a bare number: seconds */
        return 0;
    }
    while (*s) {
        if (!((*s >= '0' && *s <= '9') || *s == '.'))
            return OMX_EINVAL; /* no sign, exponent or hex inside */
        errno = 0;
        v = strtod(s, &end);
        if (end == s || errno || !isfinite(v))
            return OMX_EINVAL;
        size_t best = 0;
        double scale = 0;
        for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
            size_t n = strlen(units[i].unit);
            if (n > best && !strncmp(end, units[i].unit, n)) {
                best = n;
                scale = units[i].scale;
            }
        }
        if (!best)
            return OMX_EINVAL;
        total += v * scale;
        s = end + best;
    }
    *seconds = total;
    return 0;
}

static int set_value(omx__flag *f, const char *arg) {
    char *end;
    switch (f->kind) {
    case OMX__FLAG_BOOL: return parse_bool(arg, f->value);
    case OMX__FLAG_STRING: *(const char **)f->value = arg; return 0;
    case OMX__FLAG_STRINGS: {
        /* The first occurrence replaces the default list. */
        const char **l = realloc(f->list, (f->n_list + 2) * sizeof *l);
        if (!l)
            return OMX_ENOMEM;
        l[f->n_list++] = arg;
        l[f->n_list] = NULL;
        f->list = l;
        *(const char *const **)f->value = l;
        return 0;
    }
    case OMX__FLAG_INT: {
        errno = 0;
        long v = strtol(arg, &end, 0);
        if (errno || end == arg || *end)
            return OMX_EINVAL;
        *(long *)f->value = v;
        return 0;
    }
    case OMX__FLAG_DOUBLE: {
        errno = 0;
        double v = strtod(arg, &end);
        if (errno || end == arg || *end || isnan(v))
            return OMX_EINVAL;
        *(double *)f->value = v;
        return 0;
    }
    case OMX__FLAG_DURATION: return omx__parse_duration(arg, f->value);
    }
    return OMX_EINVAL;
}

static const char *kind_name(omx__flag_kind k) {
    switch (k) {
    case OMX__FLAG_BOOL: return "a boolean (true|false)";
    case OMX__FLAG_INT: return "an integer";
    case OMX__FLAG_DOUBLE: return "a number";
    case OMX__FLAG_DURATION: return "a duration (e.g. 5s, 1m30s, 250ms)";
    default: return "a string";
    }
}

int omx__flags_parse(omx__flags *fs, int argc, char **argv, char *err, size_t errlen) {
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        char name[128];
        const char *val = NULL;
        bool negated = false;

        if (strcmp(a, "-h") == 0)
            a = "--help";
        if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
            snprintf(err, errlen, "unexpected argument '%s' (flags start with --)", argv[i]);
            return OMX_EINVAL;
        }
        a += 2;
        const char *eq = strchr(a, '=');
        size_t nlen = eq ? (size_t)(eq - a) : strlen(a);
        if (nlen >= sizeof name) {
            snprintf(err, errlen, "unknown flag --%.*s...", 32, a);
            return OMX_EINVAL;
        }
        memcpy(name, a, nlen);
        name[nlen] = '\0';
        if (eq)
            val = eq + 1;

        omx__flag *f = omx__flags_find(fs, name);
        if (!f && strncmp(name, "no-", 3) == 0) {
            f = omx__flags_find(fs, name + 3);
            if (f && f->kind == OMX__FLAG_BOOL && !val)
                negated = true;
            else
                f = NULL;
        }
        if (!f) {
            snprintf(err, errlen, "unknown flag --%s", name);
            return OMX_EINVAL;
        }
        if (f->kind == OMX__FLAG_BOOL) {
            if (!val) {
                *(bool *)f->value = !negated;
                f->seen = true;
                continue;
            }
        } else if (!val) {
            if (i + 1 >= argc) {
                snprintf(err, errlen, "flag --%s needs a value", f->name);
                return OMX_EINVAL;
            }
            val = argv[++i];
        }
        if (f->seen && f->kind != OMX__FLAG_STRINGS) {
            snprintf(err, errlen, "flag --%s given more than once", f->name);
            return OMX_EINVAL;
        }
        int rc = set_value(f, val);
        if (rc == OMX_ENOMEM) {
            snprintf(err, errlen, "out of memory parsing --%s", f->name);
            return rc;
        }
        if (rc < 0) {
            snprintf(err, errlen, "invalid value '%s' for flag --%s: want %s", val, f->name,
                     kind_name(f->kind));
            return OMX_EINVAL;
        }
        f->seen = true;
    }
    return 0;
}

void omx__flags_usage(const omx__flags *fs, FILE *out) {
    fprintf(out, "Flags:\n");
    for (size_t i = 0; i < fs->n; i++) {
        const omx__flag *f = &fs->v[i];
        if (f->hidden)
            continue;
        if (f->kind == OMX__FLAG_BOOL)
            fprintf(out, "  --[no-]%s", f->name);
        else
            fprintf(out, "  --%s=%s", f->name,
                    f->kind == OMX__FLAG_INT        ? "INT"
                    : f->kind == OMX__FLAG_DOUBLE   ? "NUM"
                    : f->kind == OMX__FLAG_DURATION ? "DURATION"
                                                    : "VALUE");
        fprintf(out, "\n      %s", f->help);
        if (f->kind == OMX__FLAG_STRINGS)
            fprintf(out, " (repeatable)");
        if (f->def[0])
            fprintf(out, " (default: %s)", f->def);
        fputc('\n', out);
    }
}

void omx__flags_free(omx__flags *fs) {
    if (!fs)
        return;
    for (size_t i = 0; i < fs->n; i++) {
        free(fs->v[i].name);
        free(fs->v[i].help);
        free(fs->v[i].def);
        free(fs->v[i].list);
    }
    free(fs->v);
    fs->v = NULL;
    fs->n = fs->cap = 0;
}
