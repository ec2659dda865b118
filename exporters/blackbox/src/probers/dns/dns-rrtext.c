/* RR text for the validate_*_rrs regexes, as Go's miekg/dns RR.String()
 * writes it: the regexes users wrote for upstream match that text, e.g.
 * "example.com.\t3600\tIN\tA\t1.2.3.4". ldns formats most rdata fields the
 * same way; names, character strings, IPv6 addresses, type bitmaps, digests
 * and types miekg/dns does not know are written here the way it does. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <exporter/text.h>

#include "dns.h"

typedef struct text {
    omx_buf *out;
    int err;
} text;

static void put(text *t, const void *s, size_t n) {
    if (t->err == 0 && n > 0)
        t->err = omx_buf_append(t->out, s, n);
}

static void puts_(text *t, const char *s) { put(t, s, strlen(s)); }

static void putc_(text *t, char c) { put(t, &c, 1); }

static void put_ddd(text *t, uint8_t b) {
    char s[5];
    snprintf(s, sizeof s, "\\%03u", b);
    put(t, s, 4);
}

/* Types miekg/dns has a struct for (TypeToRR); the others it keeps as
 * RFC 3597 unknown records. */
static bool miekg_typed(uint16_t type) {
    static const uint16_t known[] = {
        1,   2,   3,   4,   5,   6,   7,   8,   9,   10,  12,  13,  14,  15,  16,    17,
        18,  19,  20,  21,  23,  24,  25,  26,  27,  28,  29,  30,  31,  32,  33,    35,
        36,  37,  39,  41,  42,  43,  44,  45,  46,  47,  48,  49,  50,  51,  52,    53,
        55,  56,  57,  58,  59,  60,  61,  62,  63,  64,  65,  99,  100, 101, 102,   104,
        105, 106, 107, 108, 109, 128, 249, 250, 255, 256, 257, 258, 260, 261, 32768, 32769,
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (known[i] == type)
            return true;
    return false;
}

/* A domain name from its uncompressed wire form, escaped as miekg/dns' sprintName. */
static void put_dname(text *t, const uint8_t *d, size_t len) {
    size_t i = 0;
    bool any = false;
    while (i < len && d[i] != 0) {
        size_t l = d[i++];
        if (l > len - i)
            l = len - i;
        for (size_t k = 0; k < l; k++) {
            uint8_t b = d[i + k];
            if (strchr(". '@;()\"\\", b) && b != 0) {
                putc_(t, '\\');
                putc_(t, (char)b);
            } else if (b < ' ' || b > '~') {
                put_ddd(t, b);
            } else {
                putc_(t, (char)b);
            }
        }
        putc_(t, '.');
        any = true;
        i += l;
    }
    if (!any)
        putc_(t, '.');
}

/* A character string in double quotes (bare for X25 and GPOS, as
 * miekg/dns writes those), escaped as miekg/dns' sprintTxt. */
static void put_string(text *t, const uint8_t *s, size_t len, bool quote) {
    if (quote)
        putc_(t, '"');
    for (size_t i = 0; i < len; i++) {
        uint8_t b = s[i];
        if (b == '"' || b == '\\') {
            putc_(t, '\\');
            putc_(t, (char)b);
        } else if (b < ' ' || b > '~') {
            put_ddd(t, b);
        } else {
            putc_(t, (char)b);
        }
    }
    if (quote)
        putc_(t, '"');
}

static void put_hex(text *t, const uint8_t *d, size_t len, bool upper) {
    static const char lo[] = "0123456789abcdef", up[] = "0123456789ABCDEF";
    const char *h = upper ? up : lo;
    for (size_t i = 0; i < len; i++) {
        char s[2] = {h[d[i] >> 4], h[d[i] & 15]};
        put(t, s, 2);
    }
}

/* An IPv6 address as Go's net.IP.String() (miekg/dns prefixes ::ffff: to a
 * v4-mapped one, which Go would print dotted). */
static void put_ip6(text *t, const uint8_t *ip) {
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    char s[64];
    if (memcmp(ip, mapped, 12) == 0)
        snprintf(s, sizeof s, "::ffff:%u.%u.%u.%u", ip[12], ip[13], ip[14], ip[15]);
    else
        omx_format_ip6(s, sizeof s, ip);
    puts_(t, s);
}

static void put_type(text *t, uint16_t type) {
    char s[16];
    puts_(t, bb_dns_type_name(type, s, sizeof s));
}

/* An NSEC-style type bitmap: " TYPE" for each bit (the caller wrote the
 * first space already for the field). */
static void put_bitmap(text *t, const uint8_t *d, size_t len) {
    bool first = true;
    size_t i = 0;
    while (i + 2 <= len) {
        unsigned window = d[i], n = d[i + 1];
        i += 2;
        if (n > len - i)
            n = (unsigned)(len - i);
        for (unsigned k = 0; k < n * 8; k++)
            if (d[i + k / 8] & (0x80 >> (k % 8))) {
                if (!first)
                    putc_(t, ' ');
                put_type(t, (uint16_t)(window * 256 + k));
                first = false;
            }
        i += n;
    }
}

/* ldns' text of one field without the blanks it pads some with. */
static void put_ldns_field(text *t, const ldns_rdf *f, bool upper) {
    char *s = ldns_rdf2str(f);
    if (!s) {
        if (t->err == 0)
            t->err = OMX_ENOMEM;
        return;
    }
    size_t a = 0, b = strlen(s);
    while (a < b && isspace((unsigned char)s[a]))
        a++;
    while (b > a && isspace((unsigned char)s[b - 1]))
        b--;
    if (upper)
        for (size_t i = a; i < b; i++)
            s[i] = (char)toupper((unsigned char)s[i]);
    put(t, s + a, b - a);
    free(s);
}

/* SvcParams as miekg/dns writes them: every value in double quotes. */
static void put_svcparams(text *t, const ldns_rdf *f) {
    char *s = ldns_rdf2str(f);
    if (!s) {
        if (t->err == 0)
            t->err = OMX_ENOMEM;
        return;
    }
    bool first = true;
    for (char *p = s; *p;) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        char *e = p;
        bool q = false;
        while (*e && (q || *e != ' ')) {
            if (*e == '"')
                q = !q;
            else if (*e == '\\' && e[1])
                e++;
            e++;
        }
        if (!first)
            putc_(t, ' ');
        first = false;
        char *eq = memchr(p, '=', (size_t)(e - p));
        if (!eq) {
            put(t, p, (size_t)(e - p));
            puts_(t, "=\"\"");
        } else if (eq[1] == '"') {
            put(t, p, (size_t)(e - p));
        } else {
            put(t, p, (size_t)(eq - p) + 1);
            putc_(t, '"');
            put(t, eq + 1, (size_t)(e - eq - 1));
            putc_(t, '"');
        }
        p = e;
    }
    free(s);
}

static bool upper_digest(uint16_t type) {
    /* DS, SSHFP, CDS, TA, DLV: strings.ToUpper in miekg/dns. */
    return type == 43 || type == 44 || type == 59 || type == 32768 || type == 32769;
}

static void put_field(text *t, uint16_t type, const ldns_rdf *f) {
    const uint8_t *d = ldns_rdf_data(f);
    size_t n = ldns_rdf_size(f);
    switch (ldns_rdf_get_type(f)) {
    case LDNS_RDF_TYPE_DNAME: put_dname(t, d, n); break;
    case LDNS_RDF_TYPE_STR: {
        bool quote = type != LDNS_RR_TYPE_X25 && type != LDNS_RR_TYPE_GPOS;
        put_string(t, n >= 1 ? d + 1 : d, n >= 1 ? (n - 1 < d[0] ? n - 1 : d[0]) : 0, quote);
        break;
    }
    case LDNS_RDF_TYPE_LONG_STR: put_string(t, d, n, true); break;
    case LDNS_RDF_TYPE_ILNP64: /* upper case in L64, lower in NID */
        put_ldns_field(t, f, type == LDNS_RR_TYPE_L64);
        break;
    case LDNS_RDF_TYPE_AAAA:
        if (n == 16)
            put_ip6(t, d);
        else
            put_ldns_field(t, f, false);
        break;
    case LDNS_RDF_TYPE_TYPE:
        if (n == 2)
            put_type(t, (uint16_t)(d[0] << 8 | d[1]));
        else
            put_ldns_field(t, f, false);
        break;
    case LDNS_RDF_TYPE_BITMAP: put_bitmap(t, d, n); break;
    case LDNS_RDF_TYPE_HEX: put_hex(t, d, n, upper_digest(type)); break;
    case LDNS_RDF_TYPE_NSEC3_SALT:
        if (n < 1 || d[0] == 0)
            putc_(t, '-');
        else
            put_hex(t, d + 1, n - 1 < d[0] ? n - 1 : d[0], true);
        break;
    case LDNS_RDF_TYPE_NSEC3_NEXT_OWNER: put_ldns_field(t, f, true); break;
    case LDNS_RDF_TYPE_SVCPARAMS: put_svcparams(t, f); break;
    default: put_ldns_field(t, f, false); break;
    }
}

static void put_header(text *t, const ldns_rr *rr, bool rfc3597) {
    const ldns_rdf *owner = ldns_rr_owner(rr);
    char s[32];
    if (owner)
        put_dname(t, ldns_rdf_data(owner), ldns_rdf_size(owner));
    else
        putc_(t, '.');
    snprintf(s, sizeof s, "\t%u\t", ldns_rr_ttl(rr));
    puts_(t, s);
    uint16_t klass = (uint16_t)ldns_rr_get_class(rr), type = (uint16_t)ldns_rr_get_type(rr);
    if (rfc3597) {
        snprintf(s, sizeof s, "CLASS%u\tTYPE%u\t", klass, type);
        puts_(t, s);
        return;
    }
    puts_(t, bb_dns_class_name(klass, s, sizeof s));
    putc_(t, '\t');
    puts_(t, bb_dns_type_name(type, s, sizeof s));
    putc_(t, '\t');
}

/* Types miekg/dns has a format for and ldns 1.8 does not (their rdata comes
 * as one unknown field): the fields cut from the raw bytes, typed so that
 * put_field writes them as miekg/dns does. Returns the number of fields (0
 * when the bytes do not fit the type, which then goes out as "\# len hex";
 * -1 when out of memory). The caller frees fields[0..n). */
#define MAX_CUT 64
static int cut_unknown(uint16_t type, const uint8_t *d, size_t len, ldns_rdf **fields) {
    int n = 0;
    size_t off = 0;
#define FIELD(rdf_type, size)                                                \
    do {                                                                     \
        if (n == MAX_CUT || (size) > len - off)                              \
            goto bad;                                                        \
        if (!(fields[n] = ldns_rdf_new_frm_data(rdf_type, (size), d + off))) \
            goto nomem;                                                      \
        n++;                                                                 \
        off += (size);                                                       \
    } while (0)
    switch (type) {
    case 56:  /* NINFO */
    case 258: /* AVC */
    case 261: /* RESINFO: character strings, as TXT */
    case 100: /* UINFO: one */
        while (off < len)
            FIELD(LDNS_RDF_TYPE_STR, (size_t)d[off] + 1);
        if (type == 100 && n != 1)
            goto bad;
        break;
    case 101: /* UID */
    case 102: /* GID */ FIELD(LDNS_RDF_TYPE_INT32, 4); break;
    case 128: /* NXNAME */
    case 255: /* ANY: no rdata */ break;
    case 32768: /* TA: as DS */
        FIELD(LDNS_RDF_TYPE_INT16, 2);
        FIELD(LDNS_RDF_TYPE_INT8, 1);
        FIELD(LDNS_RDF_TYPE_INT8, 1);
        FIELD(LDNS_RDF_TYPE_HEX, len - off);
        break;
    case 57: /* RKEY: as DNSKEY */
        FIELD(LDNS_RDF_TYPE_INT16, 2);
        FIELD(LDNS_RDF_TYPE_INT8, 1);
        FIELD(LDNS_RDF_TYPE_INT8, 1);
        FIELD(LDNS_RDF_TYPE_B64, len - off);
        break;
    default: goto bad;
    }
    if (off != len)
        goto bad;
    return n;
#undef FIELD
bad:
    while (n > 0)
        ldns_rdf_deep_free(fields[--n]);
    return 0;
nomem:
    while (n > 0)
        ldns_rdf_deep_free(fields[--n]);
    return -1;
}

int bb_dns_rr_text(const ldns_rr *rr, omx_buf *out) {
    text t = {out, 0};
    uint16_t type = (uint16_t)ldns_rr_get_type(rr);
    size_t nf = ldns_rr_rd_count(rr);
    if (!miekg_typed(type)) {
        /* miekg/dns: "\# <len> <hex>" with the raw rdata. */
        size_t len = 0;
        for (size_t i = 0; i < nf; i++)
            len += ldns_rdf_size(ldns_rr_rdf(rr, i));
        put_header(&t, rr, true);
        char s[24];
        snprintf(s, sizeof s, "\\# %zu ", len);
        puts_(&t, s);
        for (size_t i = 0; i < nf; i++) {
            const ldns_rdf *f = ldns_rr_rdf(rr, i);
            put_hex(&t, ldns_rdf_data(f), ldns_rdf_size(f), false);
        }
        return t.err;
    }
    if (type == LDNS_RR_TYPE_NULL) {
        /* No presentation format: miekg/dns comments the line out and appends the raw bytes. */
        putc_(&t, ';');
        put_header(&t, rr, false);
        for (size_t i = 0; i < nf; i++) {
            const ldns_rdf *f = ldns_rr_rdf(rr, i);
            const uint8_t *d = ldns_rdf_data(f);
            size_t n = ldns_rdf_size(f);
            put(&t, d, n);
        }
        return t.err;
    }
    if (nf <= 1 && (nf == 0 || ldns_rdf_get_type(ldns_rr_rdf(rr, 0)) == LDNS_RDF_TYPE_UNKNOWN) &&
        (type == 56 || type == 57 || type == 100 || type == 101 || type == 102 || type == 128 ||
         type == 255 || type == 258 || type == 261 || type == 32768)) {
        ldns_rdf *fields[MAX_CUT];
        const ldns_rdf *raw = nf ? ldns_rr_rdf(rr, 0) : NULL;
        int n = cut_unknown(type, raw ? ldns_rdf_data(raw) : NULL, raw ? ldns_rdf_size(raw) : 0,
                            fields);
        if (n < 0)
            return OMX_ENOMEM;
        if (n > 0 || !raw) {
            put_header(&t, rr, false);
            for (int i = 0; i < n; i++) {
                if (i > 0)
                    putc_(&t, ' ');
                put_field(&t, type, fields[i]);
                ldns_rdf_deep_free(fields[i]);
            }
            return t.err;
        }
    }
    put_header(&t, rr, false);
    for (size_t i = 0; i < nf; i++) {
        if (i > 0)
            putc_(&t, ' ');
        put_field(&t, type, ldns_rr_rdf(rr, i));
    }
    return t.err;
}
