/* blackbox.yml: `modules:` (each a prober, a timeout and prober sections) and
 * `passive:`. As upstream, every module carries the http, tcp, icmp and dns
 * sections with their defaults, and any other section given is parsed too. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

#define BB_CONFIG_MAX_BYTES (1u << 20)
#define BB_MODULE_YAML_MAX (1u << 20)

#define N_PROBERS BB_MAX_PROBERS
#define probers(i) (bb_probers[i].prober)

typedef struct bb_mod {
    bb_module pub; /* first: a bb_module* is a bb_mod* */
    void *sec[N_PROBERS];
    bool has[N_PROBERS];
    char *yaml;
    size_t yaml_len;
    const omx_yaml_node *key; /* the name's node, for the duplicate check */
} bb_mod;

struct bb_config {
    atomic_int refs;
    omx_yaml *y; /* kept: sections borrow its strings */
    bb_mod *mods;
    size_t n_mods;
    wire_config *passive;
    char err[1024]; /* the document's error buffer */
};

bb_config *bb_config_ref(bb_config *c) {
    if (c)
        atomic_fetch_add(&c->refs, 1);
    return c;
}

bb_config *bb_config_unref(bb_config *c) {
    if (!c || atomic_fetch_sub(&c->refs, 1) != 1)
        return NULL;
    for (size_t i = 0; i < c->n_mods; i++) {
        bb_mod *m = &c->mods[i];
        for (size_t j = 0; j < bb_n_probers; j++)
            if (m->has[j])
                probers(j)->free(m->sec[j]);
        free(m->pub.name);
        free(m->yaml);
    }
    free(c->mods);
    wire_config_free(c->passive);
    omx_yaml_free(c->y);
    free(c);
    return NULL;
}

size_t bb_config_n_modules(const bb_config *c) { return c ? c->n_mods : 0; }

const bb_module *bb_config_module_at(const bb_config *c, size_t i) {
    return c && i < c->n_mods ? &c->mods[i].pub : NULL;
}

const wire_config *bb_config_passive(const bb_config *c) { return c ? c->passive : NULL; }

const bb_module *bb_config_module(const bb_config *c, const char *name) {
    if (!c || !name)
        return NULL;
    size_t lo = 0, hi = c->n_mods;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(name, c->mods[mid].pub.name);
        if (!cmp)
            return &c->mods[mid].pub;
        if (cmp < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

const char *bb_module_yaml(const bb_module *m, size_t *ret_len) {
    const bb_mod *mm = (const bb_mod *)m;
    if (ret_len)
        *ret_len = mm ? mm->yaml_len : 0;
    return mm && mm->yaml ? mm->yaml : "";
}

void bb_format_go_duration(char *buf, size_t size, int64_t ns) {
    char frac[16] = "";
    if (ns == 0) {
        snprintf(buf, size, "0s");
        return;
    }
    if (ns < 1000000000) { /* below a second Go picks ns, µs or ms with a fraction */
        const char *unit = "ns";
        int64_t div = 1;
        if (ns >= 1000000)
            unit = "ms", div = 1000000;
        else if (ns >= 1000)
            unit = "µs", div = 1000;
        int64_t whole = ns / div, rest = ns % div;
        if (rest) {
            int w = div == 1000000 ? 6 : 3;
            snprintf(frac, sizeof frac, ".%0*lld", w, (long long)rest);
            for (size_t l = strlen(frac); l > 1 && frac[l - 1] == '0'; l--)
                frac[l - 1] = 0;
        }
        snprintf(buf, size, "%lld%s%s", (long long)whole, frac, unit);
        return;
    }
    int64_t h = ns / 3600000000000LL, m = ns / 60000000000LL % 60, s = ns / 1000000000 % 60,
            rest = ns % 1000000000;
    if (rest) {
        snprintf(frac, sizeof frac, ".%09lld", (long long)rest);
        for (size_t l = strlen(frac); l > 1 && frac[l - 1] == '0'; l--)
            frac[l - 1] = 0;
    }
    if (h)
        snprintf(buf, size, "%lldh%lldm%lld%ss", (long long)h, (long long)m, (long long)s, frac);
    else if (m)
        snprintf(buf, size, "%lldm%lld%ss", (long long)m, (long long)s, frac);
    else
        snprintf(buf, size, "%lld%ss", (long long)s, frac);
}

/* ---- parsing ------------------------------------------------------------- */

static _Thread_local char section_key[320];

const char *bb_section_key(void) { return section_key; }

typedef struct mod_ctx {
    bb_mod *m;
    const omx_yaml_node *prober_node;
    const omx_yaml_node *sec_node[N_PROBERS]; /* NULL when absent or empty */
    bool given[N_PROBERS];
} mod_ctx;

/* The plugin a module's prober or the passive: section runs in, opened now
 * so that a missing one fails the load like any config error. */
static int load_plugin(omx_yaml *y, const omx_yaml_node *v, const char *key, bb_plugin_id id) {
    char why[900];
    if (bb_plugin_load(id, why, sizeof why) < 0)
        return omx_yaml_fail(y, v, key, "%s", why);
    return 0;
}

static int field_prober(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    mod_ctx *mc = ctx;
    const char *s;
    int rc = omx_yaml_get_string(y, v, key, &s);
    if (rc < 0)
        return rc;
    mc->prober_node = v;
    for (size_t i = 0; i < bb_n_probers; i++)
        if (!strcmp(s, probers(i)->name)) {
            mc->m->pub.prober = probers(i);
            return load_plugin(y, v, key, bb_probers[i].plugin);
        }
    if (!strcmp(s, "unix"))
        return omx_yaml_fail(y, v, key, "the unix prober is not supported by omx-blackbox");
    return omx_yaml_fail(y, v, key, "unknown prober '%s' (want http, tcp, icmp, dns, grpc or udp)",
                         s);
}

static int field_timeout(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    mod_ctx *mc = ctx;
    return omx_yaml_get_duration(y, v, key, &mc->m->pub.timeout_ns);
}

static int field_section(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    mod_ctx *mc = ctx;
    const char *dot = strrchr(key, '.');
    const char *name = dot ? dot + 1 : key;
    for (size_t i = 0; i < bb_n_probers; i++)
        if (!strcmp(name, probers(i)->name)) {
            if (!omx_yaml_is_empty(v) && omx_yaml_kind_of(v) != OMX_YAML_MAPPING)
                return omx_yaml_fail(y, v, key, "expected a mapping");
            mc->sec_node[i] = omx_yaml_is_empty(v) ? NULL : v;
            mc->given[i] = true;
            return 0;
        }
    return omx_yaml_fail(y, v, key, "the %s prober is not supported by omx-blackbox", name);
}

static int dump_module(bb_mod *m, omx_buf *out, int indent) {
    char tmo[48];
    int rc = bb_dump_kv(out, indent, "prober", m->pub.prober->name);
    if (!rc && m->pub.timeout_ns) {
        bb_format_go_duration(tmo, sizeof tmo, m->pub.timeout_ns);
        rc = bb_dump_kv(out, indent, "timeout", tmo);
    }
    for (size_t i = 0; i < bb_n_probers && !rc; i++) {
        if (!m->has[i])
            continue;
        size_t mark = out->len;
        rc = bb_dump_key(out, indent, probers(i)->name);
        size_t body = out->len;
        if (!rc)
            rc = probers(i)->dump(m->sec[i], out, indent + 2);
        if (!rc && out->len == body) { /* an empty section is left out */
            out->len = mark;
            out->data[mark] = 0;
        }
    }
    return rc;
}

static int parse_module(omx_yaml *y, const omx_yaml_node *v, const char *name, bb_mod *m) {
    omx_yaml_field fields[N_PROBERS + 3] = {
        {"prober", field_prober}, {"timeout", field_timeout}, {"unix", field_section}};
    size_t n_fields = 3;
    for (size_t i = 0; i < bb_n_probers && i < N_PROBERS; i++)
        fields[n_fields++] = (omx_yaml_field){probers(i)->name, field_section};
    char prefix[300];
    mod_ctx mc = {.m = m};
    int rc;

    if (!(m->pub.name = strdup(name)))
        return OMX_ENOMEM;
    snprintf(prefix, sizeof prefix, "modules.%s", name);
    if (omx_yaml_kind_of(v) != OMX_YAML_MAPPING)
        return omx_yaml_fail(y, v, prefix, "a module must be a mapping");
    rc = omx_yaml_map(y, v, prefix, fields, n_fields, &mc);
    if (rc < 0)
        return rc;
    if (!m->pub.prober)
        return omx_yaml_fail(y, v, prefix, "missing prober (http, tcp, icmp, dns, grpc or udp)");
    for (size_t i = 0; i < bb_n_probers; i++) {
        bool want = mc.given[i] || bb_probers[i].with_defaults || m->pub.prober == probers(i);
        if (!want)
            continue;
        snprintf(section_key, sizeof section_key, "%s.%s", prefix, probers(i)->name);
        rc = probers(i)->parse(y, mc.sec_node[i], &m->sec[i]);
        section_key[0] = 0;
        if (rc < 0)
            return rc;
        m->has[i] = true;
        if (m->pub.prober == probers(i))
            m->pub.cfg = m->sec[i];
    }
    omx_buf b;
    omx_buf_init(&b, BB_MODULE_YAML_MAX);
    rc = dump_module(m, &b, 0);
    if (rc < 0) {
        omx_buf_free(&b);
        return omx_yaml_fail(y, v, prefix, "cannot write the module's YAML: %s", omx_strerror(rc));
    }
    m->yaml = b.data ? b.data : strdup("");
    m->yaml_len = b.len;
    return m->yaml ? 0 : OMX_ENOMEM;
}

static int cmp_mod(const void *a, const void *b) {
    return strcmp(((const bb_mod *)a)->pub.name, ((const bb_mod *)b)->pub.name);
}

static int field_modules(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    bb_config *c = ctx;
    if (omx_yaml_is_empty(v))
        return 0;
    if (omx_yaml_kind_of(v) != OMX_YAML_MAPPING)
        return omx_yaml_fail(y, v, key, "expected a mapping of module names to modules");
    size_t n = omx_yaml_len(v);
    if (!(c->mods = calloc(n ? n : 1, sizeof *c->mods)))
        return OMX_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const omx_yaml_node *k, *mv;
        omx_yaml_pair(y, v, i, &k, &mv);
        const char *name = omx_yaml_scalar(k);
        if (!name || !*name)
            return omx_yaml_fail(y, k, key, "a module name must be a non-empty string");
        c->n_mods++; /* counted first: a half-parsed module is freed with the rest */
        c->mods[c->n_mods - 1].key = k;
        int rc = parse_module(y, mv, name, &c->mods[c->n_mods - 1]);
        if (rc < 0)
            return rc;
    }
    qsort(c->mods, c->n_mods, sizeof *c->mods, cmp_mod); /* then duplicates are neighbours */
    for (size_t i = 1; i < c->n_mods; i++)
        if (!strcmp(c->mods[i - 1].pub.name, c->mods[i].pub.name))
            return omx_yaml_fail(y, c->mods[i].key, key, "module '%s' is defined twice",
                                 c->mods[i].pub.name);
    return 0;
}

static int field_passive(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    bb_config *c = ctx;
    int rc = wire_config_parse(y, v, &c->passive);
    return rc < 0 ? rc : load_plugin(y, v, key, BB_PLUGIN_WIRE);
}

static int parse(bb_config *c, char *err, size_t errlen) {
    static const omx_yaml_field fields[] = {{"modules", field_modules}, {"passive", field_passive}};
    int rc = omx_yaml_map(c->y, omx_yaml_root(c->y), NULL, fields, 2, c);
    if (rc < 0)
        snprintf(err, errlen, "%s", c->err);
    return rc;
}

static int finish(bb_config *c, int rc, bb_config **ret, char *err, size_t errlen) {
    if (rc == 0)
        rc = parse(c, err, errlen);
    else
        snprintf(err, errlen, "%s", c->err);
    if (rc < 0) {
        bb_config_unref(c);
        return rc;
    }
    *ret = c;
    return 0;
}

int bb_config_load(const char *path, bb_config **ret, char *err, size_t errlen) {
    *ret = NULL;
    bb_config *c = calloc(1, sizeof *c);
    if (!c)
        return OMX_ENOMEM;
    atomic_init(&c->refs, 1);
    int rc = omx_yaml_load_file(path, BB_CONFIG_MAX_BYTES, &c->y, c->err, sizeof c->err);
    return finish(c, rc, ret, err, errlen);
}

int bb_config_load_string(const char *name, const char *text, size_t len, bb_config **ret,
                          char *err, size_t errlen) {
    *ret = NULL;
    bb_config *c = calloc(1, sizeof *c);
    if (!c)
        return OMX_ENOMEM;
    atomic_init(&c->refs, 1);
    int rc = omx_yaml_load_string(name, text, len, &c->y, c->err, sizeof c->err);
    return finish(c, rc, ret, err, errlen);
}

int bb_config_dump(const bb_config *c, omx_buf *out) {
    int rc = omx_buf_append(out, "modules:\n", 9);
    for (size_t i = 0; c && i < c->n_mods && !rc; i++) {
        const bb_mod *m = &c->mods[i];
        rc = bb_dump_key(out, 2, m->pub.name);
        /* the module's YAML re-indented by 4 */
        for (const char *p = m->yaml; !rc && *p;) {
            const char *nl = strchr(p, '\n');
            size_t len = nl ? (size_t)(nl - p) + 1 : strlen(p);
            rc = omx_buf_append(out, "    ", 4);
            if (!rc)
                rc = omx_buf_append(out, p, len);
            p += len;
        }
    }
    if (!rc && c && c->passive) {
        rc = omx_buf_append(out, "passive:\n", 9);
        if (!rc)
            rc = wire_config_dump(c->passive, out, 2);
    }
    return rc;
}
