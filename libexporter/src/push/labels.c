/* Remote-write 1.0 labels packed once per request: a series repeats most of
 * its label pairs from other series (the metric name in its family, a zone,
 * a device, the external labels), so each distinct pair is packed by
 * protobuf-c the first time, framed as an element of TimeSeries.labels, and
 * its bytes reused. Bounded: past the caps, pairs are not kept and the
 * caller packs the series itself. */
#include <stdlib.h>
#include <string.h>

#include "exporter/error.h"
#include "push-internal.h"
#include "remote.pb-c.h"

#define MAX_PAIRS (1u << 16)
#define MAX_BYTES (4u << 20)

struct omx__push_label_ent {
    uint64_t hash;
    const char *pair; /* name, NUL, value, NUL */
    size_t pair_len;
    const uint8_t *packed;
    size_t packed_len;
};

/* h combined with s[0..n), eight bytes at a time. */
static uint64_t mix(uint64_t h, const char *s, size_t n) {
    const uint64_t k = 0x9e3779b97f4a7c15ull;
    for (; n >= 8; s += 8, n -= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * k;
        h ^= h >> 29;
    }
    uint64_t w = 0; /* the last 0-7 bytes: two overlapping words, or three bytes */
    if (n >= 4) {
        uint32_t a, b;
        memcpy(&a, s, 4);
        memcpy(&b, s + n - 4, 4);
        w = (uint64_t)a << 32 | b;
    } else if (n) {
        w = (uint64_t)(unsigned char)s[0] << 16 | (uint64_t)(unsigned char)s[n / 2] << 8 |
            (unsigned char)s[n - 1];
    }
    h = (h ^ w ^ ((uint64_t)n << 56)) * k;
    return h ^ (h >> 32);
}

static size_t put_varint(uint8_t *o, uint64_t v) {
    size_t n = 0;
    for (; v >= 0x80; v >>= 7)
        o[n++] = (uint8_t)(v | 0x80);
    o[n++] = (uint8_t)v;
    return n;
}

void omx__push_labels_init(omx__push_labels *c) {
    memset(c, 0, sizeof *c);
    const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field_by_name(
        &prometheus__time_series__descriptor, "labels");
    c->key_len = put_varint(c->key, ((uint64_t)f->id << 3) | PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED);
}

void omx__push_labels_free(omx__push_labels *c) {
    free(c->tab);
    omx__push_arena_free(&c->arena);
    memset(c, 0, sizeof *c);
}

static int grow(omx__push_labels *c) {
    size_t n = c->mask ? (c->mask + 1) * 2 : 1024;
    struct omx__push_label_ent *t = calloc(n, sizeof *t);
    if (!t)
        return OMX_ENOMEM;
    for (size_t i = 0; c->tab && i <= c->mask; i++) {
        if (!c->tab[i].pair)
            continue;
        size_t k = c->tab[i].hash & (n - 1);
        while (t[k].pair)
            k = (k + 1) & (n - 1);
        t[k] = c->tab[i];
    }
    free(c->tab);
    c->tab = t;
    c->mask = n - 1;
    return 0;
}

/* Remembers what the series had at pos and returns it (0). */
static int found(omx__push_labels *c, size_t pos, const char *pair, size_t nl,
                 const uint8_t *packed, size_t len, const uint8_t **ret_bytes, size_t *ret_len) {
    if (pos < OMX__PUSH_LABEL_LAST)
        c->last[pos] = (omx__push_label_last){pair, nl, packed, len};
    *ret_bytes = packed;
    *ret_len = len;
    return 0;
}

int omx__push_label(omx__push_labels *c, size_t pos, const char *name, const char *value,
                    const uint8_t **ret_bytes, size_t *ret_len) {
    if (pos < OMX__PUSH_LABEL_LAST && c->last[pos].pair) {
        const omx__push_label_last *l = &c->last[pos];
        if (!strcmp(l->pair, name) && !strcmp(l->pair + l->name_len + 1, value)) {
            *ret_bytes = l->packed;
            *ret_len = l->packed_len;
            return 0;
        }
    }
    size_t nl = strlen(name), vl = strlen(value), pl = nl + 1 + vl + 1;
    uint64_t h = mix(mix(0x243f6a8885a308d3ull, name, nl), value, vl);
    if (c->tab) {
        for (size_t k = h & c->mask; c->tab[k].pair; k = (k + 1) & c->mask) {
            const struct omx__push_label_ent *e = &c->tab[k];
            if (e->hash == h && e->pair_len == pl && !memcmp(e->pair, name, nl + 1) &&
                !memcmp(e->pair + nl + 1, value, vl))
                return found(c, pos, e->pair, nl, e->packed, e->packed_len, ret_bytes, ret_len);
        }
    }
    Prometheus__Label lab = PROMETHEUS__LABEL__INIT;
    lab.name = (char *)name;
    lab.value = (char *)value;
    size_t n = prometheus__label__get_packed_size(&lab);
    uint8_t len[10];
    size_t ll = put_varint(len, n), total = c->key_len + ll + n;
    if (c->n >= MAX_PAIRS || c->arena.used + pl + total > MAX_BYTES)
        return OMX_ELIMIT;
    if ((!c->tab || (c->n + 1) * 2 > c->mask + 1) && grow(c) < 0)
        return OMX_ENOMEM;
    char *pair = omx__push_alloc(&c->arena, pl + total);
    if (!pair)
        return OMX_ENOMEM;
    memcpy(pair, name, nl + 1);
    memcpy(pair + nl + 1, value, vl + 1);
    uint8_t *o = (uint8_t *)pair + pl;
    memcpy(o, c->key, c->key_len);
    memcpy(o + c->key_len, len, ll);
    prometheus__label__pack(&lab, o + c->key_len + ll);
    size_t k = h & c->mask;
    while (c->tab[k].pair)
        k = (k + 1) & c->mask;
    c->tab[k] = (struct omx__push_label_ent){h, pair, pl, o, total};
    c->n++;
    return found(c, pos, pair, nl, o, total, ret_bytes, ret_len);
}
