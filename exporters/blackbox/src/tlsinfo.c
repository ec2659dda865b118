/* probe_ssl_* and probe_tls_* from a GnuTLS session, with the label formats
 * of upstream (Go's crypto/tls and crypto/x509 spellings). */
#include <errno.h>
#include <gnutls/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exporter/writer.h"
#include "tlsinfo.h"

/* Go's time.Time{}.Unix(): what upstream reports for a chain it never verified. */
#define GO_ZERO_TIME_UNIX (-62135596800LL)
/* Longest chain walked from the leaf towards a trust anchor. */
#define CHAIN_MAX 16
/* DN strings beyond this are cut (a hostile peer's certificate is input). */
#define DN_MAX 4096

/* Go's attributeTypeNames, in the order ToRDNSequence appends them. */
static const struct {
    const char *oid, *name;
} dn_fields[] = {
    {"2.5.4.6", "C"},      {"2.5.4.8", "ST"},          {"2.5.4.7", "L"},
    {"2.5.4.9", "STREET"}, {"2.5.4.17", "POSTALCODE"}, {"2.5.4.10", "O"},
    {"2.5.4.11", "OU"},    {"2.5.4.3", "CN"},          {"2.5.4.5", "SERIALNUMBER"},
};
#define N_DN_FIELDS (sizeof(dn_fields) / sizeof(dn_fields[0]))

/* The OID's length without the NUL GnuTLS may count in it. */
static size_t oid_len(const gnutls_datum_t *oid) {
    return strnlen((const char *)oid->data, oid->size);
}

static int field_of(const gnutls_datum_t *oid) {
    size_t n = oid_len(oid);
    for (size_t i = 0; i < N_DN_FIELDS; i++)
        if (strlen(dn_fields[i].oid) == n && memcmp(dn_fields[i].oid, oid->data, n) == 0)
            return (int)i;
    return -1;
}

/* RFC 2253 escaping as Go's RDNSequence.String() does it. */
static int append_escaped(omx_buf *b, const unsigned char *s, size_t n) {
    for (size_t k = 0; k < n; k++) {
        unsigned char c = s[k];
        bool esc = false;
        switch (c) {
        case ',':
        case '+':
        case '"':
        case '\\':
        case '<':
        case '>':
        case ';': esc = true; break;
        case ' ': esc = k == 0 || k == n - 1; break;
        case '#': esc = k == 0; break;
        }
        if (esc && omx_buf_append(b, "\\", 1) < 0)
            return -ENOMEM;
        if (omx_buf_append(b, &c, 1) < 0)
            return -ENOMEM;
    }
    return 0;
}

/* Go's asn1 PrintableString set (no '*', no '&'). */
static bool go_printable(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c >= '\'' && c <= ')') || (c >= '+' && c <= '/') || c == ' ' || c == ':' || c == '=' ||
           c == '?';
}

/* An attribute Go has no name for: OID=#hex of the value re-encoded as Go's
 * asn1.Marshal encodes a string (PrintableString when it can, else UTF8String). */
static int append_unknown(omx_buf *b, const gnutls_x509_ava_st *ava) {
    char hex[3];
    if (omx_buf_append(b, ava->oid.data, oid_len(&ava->oid)) < 0 || omx_buf_append(b, "=#", 2) < 0)
        return -ENOMEM;
    unsigned char tag = 0x13;
    for (unsigned k = 0; k < ava->value.size; k++)
        if (ava->value.data[k] >= 0x80 || !go_printable(ava->value.data[k]))
            tag = 0x0c;
    unsigned char hdr[6];
    size_t hn = 0, len = ava->value.size;
    hdr[hn++] = tag;
    if (len < 0x80) {
        hdr[hn++] = (unsigned char)len;
    } else if (len < 0x100) {
        hdr[hn++] = 0x81;
        hdr[hn++] = (unsigned char)len;
    } else {
        hdr[hn++] = 0x82;
        hdr[hn++] = (unsigned char)(len >> 8);
        hdr[hn++] = (unsigned char)len;
    }
    for (size_t k = 0; k < hn + len; k++) {
        unsigned char c = k < hn ? hdr[k] : ava->value.data[k - hn];
        snprintf(hex, sizeof(hex), "%02x", c);
        if (omx_buf_append(b, hex, 2) < 0)
            return -ENOMEM;
    }
    return 0;
}

typedef struct dn_ava {
    int field; /* index in dn_fields, -1 for others */
    gnutls_x509_ava_st ava;
} dn_ava;

char *bb_tls_dn_string(gnutls_x509_dn_t dn) {
    dn_ava avas[64];
    size_t n = 0;
    for (int irdn = 0; n < 64; irdn++) {
        int iava = 0;
        for (; n < 64; iava++) {
            gnutls_x509_ava_st a;
            if (gnutls_x509_dn_get_rdn_ava(dn, irdn, iava, &a) < 0)
                break;
            avas[n].field = field_of(&a.oid);
            avas[n].ava = a;
            n++;
        }
        if (iava == 0)
            break;
    }
    /* Go: unknown attributes first (so they print last), then the named
     * fields in ToRDNSequence order, one RDN per field holding all its values
     * (CN and SERIALNUMBER keep only the last); the string runs backwards. */
    omx_buf b;
    omx_buf_init(&b, DN_MAX);
    bool first = true;
    int rc = 0;
    for (int f = (int)N_DN_FIELDS - 1; f >= 0 && rc == 0; f--) {
        bool single = f == 7 || f == 8;
        size_t last = SIZE_MAX;
        for (size_t i = 0; i < n; i++)
            if (avas[i].field == f)
                last = i;
        if (last == SIZE_MAX)
            continue;
        bool in_rdn = false;
        for (size_t i = 0; i < n && rc == 0; i++) {
            if (avas[i].field != f || (single && i != last))
                continue;
            const char *sep = in_rdn ? "+" : first ? "" : ",";
            if (omx_buf_append(&b, sep, strlen(sep)) < 0 ||
                omx_buf_append(&b, dn_fields[f].name, strlen(dn_fields[f].name)) < 0 ||
                omx_buf_append(&b, "=", 1) < 0)
                rc = -ENOMEM;
            else
                rc = append_escaped(&b, avas[i].ava.value.data, avas[i].ava.value.size);
            in_rdn = true;
            first = false;
        }
    }
    for (size_t j = n; j-- > 0 && rc == 0;) {
        if (avas[j].field >= 0)
            continue;
        if (!first && omx_buf_append(&b, ",", 1) < 0)
            rc = -ENOMEM;
        else
            rc = append_unknown(&b, &avas[j].ava);
        first = false;
    }
    if (rc < 0 && b.len == 0) {
        omx_buf_free(&b);
        return NULL;
    }
    if (!b.data)
        return strdup("");
    return b.data; /* a cut string past DN_MAX is still a valid label value */
}

static const char *version_name(gnutls_protocol_t v) {
    switch (v) {
    case GNUTLS_TLS1_0: return "TLS 1.0";
    case GNUTLS_TLS1_1: return "TLS 1.1";
    case GNUTLS_TLS1_2: return "TLS 1.2";
    case GNUTLS_TLS1_3: return "TLS 1.3";
    default: return "unknown";
    }
}

static void hex_of(const unsigned char *d, size_t n, char *out, size_t outlen) {
    size_t o = 0;
    for (size_t i = 0; i < n && o + 3 <= outlen; i++)
        o += (size_t)snprintf(out + o, outlen - o, "%02x", d[i]);
    out[o] = '\0';
}

static char *san_of(gnutls_x509_crt_t crt) {
    omx_buf b;
    omx_buf_init(&b, DN_MAX);
    for (unsigned i = 0;; i++) {
        char name[512];
        size_t len = sizeof(name);
        unsigned type = 0;
        int r = gnutls_x509_crt_get_subject_alt_name2(crt, i, name, &len, &type, NULL);
        if (r == GNUTLS_E_SHORT_MEMORY_BUFFER)
            continue; /* a name too long for a label is skipped */
        if (r < 0)
            break;
        if (type != GNUTLS_SAN_DNSNAME)
            continue;
        if ((b.len && omx_buf_append(&b, ",", 1) < 0) || omx_buf_append(&b, name, len) < 0)
            break;
    }
    return b.data ? b.data : strdup("");
}

static char *crt_dn(gnutls_x509_crt_t crt, bool subject) {
    gnutls_x509_dn_t dn;
    int r = subject ? gnutls_x509_crt_get_subject(crt, &dn) : gnutls_x509_crt_get_issuer(crt, &dn);
    if (r < 0)
        return strdup("");
    return bb_tls_dn_string(dn);
}

static int64_t min_expiry(int64_t acc, gnutls_x509_crt_t c) {
    time_t t = gnutls_x509_crt_get_expiration_time(c);
    if (t == (time_t)-1)
        return acc;
    return acc == INT64_MIN || (int64_t)t < acc ? (int64_t)t : acc;
}

/* Earliest expiry along the chain Go would have verified: from the leaf through
 * the certificates the peer sent, to an anchor of the session's trust list. */
static int64_t verified_chain_expiry(gnutls_session_t s, gnutls_x509_trust_list_t tl,
                                     gnutls_x509_crt_t *crts, unsigned n) {
    int64_t acc = min_expiry(INT64_MIN, crts[0]);
    gnutls_certificate_credentials_t cred = NULL;
    if (!tl && gnutls_credentials_get(s, GNUTLS_CRD_CERTIFICATE, (void **)&cred) == 0 && cred)
        gnutls_certificate_get_trust_list(cred, &tl);
    gnutls_x509_crt_t cur = crts[0];
    bool used[CHAIN_MAX] = {true};
    for (int depth = 0; depth < CHAIN_MAX; depth++) {
        if (gnutls_x509_crt_check_issuer(cur, cur))
            break; /* self-signed: the anchor itself */
        gnutls_x509_crt_t next = NULL;
        for (unsigned i = 1; i < n && i < CHAIN_MAX && !next; i++)
            if (!used[i] && gnutls_x509_crt_check_issuer(cur, crts[i])) {
                used[i] = true;
                next = crts[i];
            }
        if (next) {
            acc = min_expiry(acc, next);
            cur = next;
            continue;
        }
        gnutls_x509_crt_t anchor = NULL;
        if (tl && gnutls_x509_trust_list_get_issuer(tl, cur, &anchor, GNUTLS_TL_GET_COPY) == 0 &&
            anchor) {
            acc = min_expiry(acc, anchor);
            gnutls_x509_crt_deinit(anchor);
        }
        break;
    }
    return acc == INT64_MIN ? GO_ZERO_TIME_UNIX : acc;
}

void bb_tls_facts_clear(bb_tls_facts *f) {
    if (!f)
        return;
    free(f->subject);
    free(f->issuer);
    free(f->san);
    memset(f, 0, sizeof(*f));
}

int bb_tls_facts_take(gnutls_session_t s, bool verified, bb_tls_facts *ret) {
    return bb_tls_facts_take_trust(s, verified, NULL, ret);
}

int bb_tls_facts_take_trust(gnutls_session_t s, bool verified, gnutls_x509_trust_list_t tl,
                            bb_tls_facts *ret) {
    memset(ret, 0, sizeof(*ret));
    if (!s || gnutls_certificate_type_get(s) != GNUTLS_CRT_X509)
        return -ENOENT;
    unsigned n = 0;
    const gnutls_datum_t *raw = gnutls_certificate_get_peers(s, &n);
    if (!raw || n == 0)
        return -ENOENT;
    if (n > CHAIN_MAX)
        n = CHAIN_MAX;
    gnutls_x509_crt_t crts[CHAIN_MAX];
    unsigned ok = 0;
    for (unsigned i = 0; i < n; i++) {
        if (gnutls_x509_crt_init(&crts[ok]) < 0)
            break;
        if (gnutls_x509_crt_import(crts[ok], &raw[i], GNUTLS_X509_FMT_DER) < 0) {
            gnutls_x509_crt_deinit(crts[ok]);
            if (i == 0)
                break;
            continue;
        }
        ok++;
    }
    if (ok == 0)
        return -ENOENT;

    int64_t e = INT64_MIN;
    for (unsigned i = 0; i < ok; i++)
        e = min_expiry(e, crts[i]);
    ret->earliest_expiry = e == INT64_MIN ? GO_ZERO_TIME_UNIX : e;
    ret->chain_expiry = verified ? verified_chain_expiry(s, tl, crts, ok) : GO_ZERO_TIME_UNIX;

    unsigned char digest[32];
    if (gnutls_hash_fast(GNUTLS_DIG_SHA256, raw[0].data, raw[0].size, digest) == 0)
        hex_of(digest, sizeof(digest), ret->fingerprint, sizeof(ret->fingerprint));
    unsigned char serial[64];
    size_t slen = sizeof(serial);
    if (gnutls_x509_crt_get_serial(crts[0], serial, &slen) == 0) {
        size_t skip = 0;
        while (skip < slen && serial[skip] == 0)
            skip++; /* big.Int.Bytes() has no leading zeros */
        hex_of(serial + skip, slen - skip, ret->serial, sizeof(ret->serial));
    }
    ret->subject = crt_dn(crts[0], true);
    ret->issuer = crt_dn(crts[0], false);
    ret->san = san_of(crts[0]);
    for (unsigned i = 0; i < ok; i++)
        gnutls_x509_crt_deinit(crts[i]);

    ret->version = version_name(gnutls_protocol_get_version(s));
    const char *cs = gnutls_ciphersuite_get(s);
    if (cs)
        snprintf(ret->cipher, sizeof(ret->cipher), "%s", cs);
    else
        snprintf(ret->cipher, sizeof(ret->cipher), "0x0000");
    if (!ret->subject || !ret->issuer || !ret->san) {
        bb_tls_facts_clear(ret);
        return -ENOMEM;
    }
    return 0;
}

int bb_tls_facts_report(bb_probe *p, const bb_tls_facts *f, unsigned what) {
    int rc = 0;
    if ((what & BB_TLS_EARLIEST_EXPIRY) && rc == 0)
        rc = bb_result_gauge(p, "probe_ssl_earliest_cert_expiry",
                             "Returns last SSL chain expiry in unixtime",
                             (double)f->earliest_expiry);
    if ((what & BB_TLS_CHAIN_EXPIRY) && rc == 0)
        rc = bb_result_gauge(p, "probe_ssl_last_chain_expiry_timestamp_seconds",
                             "Returns last SSL chain expiry in timestamp", (double)f->chain_expiry);
    if ((what & BB_TLS_CHAIN_INFO) && rc == 0) {
        static const char *const names[] = {"fingerprint_sha256", "subject", "issuer",
                                            "subjectalternative", "serialnumber"};
        const char *values[] = {f->fingerprint, f->subject, f->issuer, f->san, f->serial};
        rc = bb_result_gauge_l(p, "probe_ssl_last_chain_info",
                               "Contains SSL leaf certificate information", 5, names, values, 1);
    }
    if ((what & BB_TLS_VERSION) && rc == 0) {
        static const char *const names[] = {"version"};
        const char *values[] = {f->version};
        rc = bb_result_gauge_l(p, "probe_tls_version_info",
                               "Returns the TLS version used or NaN when unknown", 1, names, values,
                               1);
    }
    if ((what & BB_TLS_CIPHER) && rc == 0) {
        static const char *const names[] = {"cipher"};
        const char *values[] = {f->cipher};
        rc = bb_result_gauge_l(p, "probe_tls_cipher_info",
                               "Returns the TLS cipher negotiated during handshake", 1, names,
                               values, 1);
    }
    return rc;
}

int bb_tls_report_some(bb_probe *p, gnutls_session_t session, unsigned what, bool verified) {
    bb_tls_facts f;
    int rc = bb_tls_facts_take(session, verified, &f);
    if (rc < 0)
        return rc;
    rc = bb_tls_facts_report(p, &f, what);
    bb_tls_facts_clear(&f);
    return rc;
}

int bb_tls_report(bb_probe *p, gnutls_session_t session) {
    unsigned status = 1;
    bool verified = gnutls_certificate_verify_peers2(session, &status) == 0 && status == 0;
    int rc = bb_tls_report_some(p, session, BB_TLS_HTTP, verified);
    return rc == -ENOENT ? 0 : rc;
}
