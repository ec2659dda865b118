/* Unit tests of the http prober's pieces: the section parser (defaults,
 * upstream's checks, errors naming the key), the dump (secrets hidden), the
 * body decoders, Last-Modified dates, and tlsinfo's DN strings (checked
 * against what blackbox_exporter prints for the same certificate). */
#include <gnutls/x509.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "../../src/probers/http/http.h"
#include "omx-test.h"
#include "tlsinfo.h"

static char err[512];

static int load(const char *text, bb_http_cfg **ret, omx_yaml **y) {
    err[0] = '\0';
    int rc = omx_yaml_load_string("blackbox.yml", text, strlen(text), y, err, sizeof(err));
    if (rc < 0)
        return rc;
    void *cfg = NULL;
    rc = bb_http_cfg_parse(*y, omx_yaml_root(*y), &cfg);
    *ret = cfg;
    return rc;
}

static void expect_error(const char *text, const char *want) {
    bb_http_cfg *c = NULL;
    omx_yaml *y = NULL;
    int rc = load(text, &c, &y);
    ASSERT_MSG(rc == OMX_ECONFIG, "%s", text);
    ASSERT_MSG(strstr(err, want) != NULL, "%s", err);
    ASSERT(c == NULL);
    omx_yaml_free(y);
}

static void test_defaults(void) {
    bb_http_cfg *c;
    omx_yaml *y;
    ASSERT_OK(load("{}", &c, &y));
    ASSERT(c->follow_redirects && c->enable_http2 && c->ip.preferred == 6 && c->ip.fallback);
    ASSERT(!c->method && !c->compression && c->body_size_limit == 0);
    bb_http_cfg_free(c);
    omx_yaml_free(y);
}

static void test_fields(void) {
    bb_http_cfg *c;
    omx_yaml *y;
    ASSERT_OK(load("method: POST\n"
                   "valid_status_codes: [200, 302]\n"
                   "headers: {X-A: b, Host: h.example}\n"
                   "no_follow_redirects: true\n"
                   "body_size_limit: 2KiB\n"
                   "compression: identity\n"
                   "fail_if_header_not_matches: [{header: Server, regexp: '^nginx', allow_missing: "
                   "true}]\n"
                   "bearer_token: tok\n"
                   "preferred_ip_protocol: ip4\n",
                   &c, &y));
    ASSERT_STR_EQ(c->method, "POST");
    ASSERT_EQ(c->n_valid_status_codes, 2);
    ASSERT_EQ(c->valid_status_codes[1], 302);
    ASSERT_EQ(c->headers.n, 2);
    ASSERT(!c->follow_redirects);
    ASSERT_EQ(c->body_size_limit, 2048);
    ASSERT(c->compression == NULL); /* identity decodes nothing */
    ASSERT_EQ(c->n_hdr_not_match, 1);
    ASSERT(c->hdr_not_match[0].allow_missing);
    ASSERT(c->has_authorization);
    ASSERT_STR_EQ(c->auth_type, "Bearer");
    ASSERT_EQ(c->ip.preferred, 4);
    omx_buf b;
    omx_buf_init(&b, 1 << 16);
    ASSERT_OK(bb_http_cfg_dump(c, &b, 4));
    ASSERT(strstr(b.data, "tok") == NULL);
    ASSERT(strstr(b.data, "credentials: <secret>") != NULL);
    ASSERT(strstr(b.data, "    follow_redirects: false\n") != NULL);
    omx_buf_free(&b);
    bb_http_cfg_free(c);
    omx_yaml_free(y);
}

static void test_errors(void) {
    expect_error("methd: GET\n", "key \"http.methd\": unknown key");
    expect_error("valid_status_codes: [abc]\n", "valid_status_codes");
    expect_error("fail_if_body_matches_regexp: ['a(?!b)']\n", "fail_if_body_matches_regexp");
    expect_error("body: a\nbody_file: /x\n", "body and body_file");
    expect_error("compression: zstd\n", "compression");
    expect_error("compression: gzip\nheaders: {Accept-Encoding: 'br, identity'}\n", "compression");
    expect_error("body_size_limit: lots\n", "body_size_limit");
    expect_error("authorization: {type: Basic, credentials: x}\n", "basic_auth");
    expect_error("oauth2: {client_secret: x}\n", "client_id");
    expect_error("no_proxy: localhost\n", "proxy_url");
    expect_error("enable_http3: true\n", "enable_http3");
    expect_error("valid_http_versions: [HTTP/3.0]\n", "HTTP/3");
    expect_error("headers: {'X-A': \"a\\nb\"}\n", "line breaks");
    expect_error("fail_if_header_matches: [{header: A}]\n", "regexp must be set");
    expect_error("basic_auth: {password: a, password_file: b}\n", "at most one");
}

static int collect(void *ctx, const char *data, size_t n) { return omx_buf_append(ctx, data, n); }

static void decode(const char *algo, const unsigned char *in, size_t len, const char *want,
                   bool done) {
    bb_http_decoder *d;
    ASSERT_OK(bb_http_decoder_new(algo, &d));
    omx_buf out;
    omx_buf_init(&out, 1 << 20);
    for (size_t i = 0; i < len; i += 3) /* fed in small pieces */
        ASSERT_OK(bb_http_decoder_feed(d, in + i, len - i < 3 ? len - i : 3, collect, &out));
    ASSERT_EQ(bb_http_decoder_done(d), done);
    if (want) /* NULL: a truncated stream, whatever came out of it */
        ASSERT_STR_EQ(out.data ? out.data : "", want);
    omx_buf_free(&out);
    bb_http_decoder_free(d);
}

static void test_decoders(void) {
    const char *text = "hello hello hello hello";
    unsigned char z[256];
    for (int gz = 0; gz < 2; gz++) {
        z_stream s = {0};
        ASSERT_EQ(deflateInit2(&s, 9, Z_DEFLATED, gz ? 31 : -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
        s.next_in = (Bytef *)(uintptr_t)text;
        s.avail_in = (uInt)strlen(text);
        s.next_out = z;
        s.avail_out = sizeof(z);
        ASSERT_EQ(deflate(&s, Z_FINISH), Z_STREAM_END);
        size_t n = sizeof(z) - s.avail_out;
        deflateEnd(&s);
        decode(gz ? "gzip" : "deflate", z, n, text, true);
        decode(gz ? "gzip" : "deflate", z, n - 4, NULL, false); /* truncated: never done */
    }
    static const unsigned char br[] = {27,  22,  0,   248, 141, 148, 110, 222, 68,  85,
                                       134, 150, 108, 32,  111, 33,  79,  28,  224, 56};
    decode("br", br, sizeof(br), text, true);
    bb_http_decoder *d;
    ASSERT_EQ(bb_http_decoder_new("zstd", &d), OMX_EINVAL);
    ASSERT_OK(bb_http_decoder_new("gzip", &d));
    omx_buf out;
    omx_buf_init(&out, 1024);
    ASSERT_EQ(bb_http_decoder_feed(d, "not gzip at all", 15, collect, &out), OMX_EVALUE);
    omx_buf_free(&out);
    bb_http_decoder_free(d);
    ASSERT(bb_http_decoder_free(NULL) == NULL);
}

static void test_time(void) {
    int64_t t;
    ASSERT_OK(bb_http_parse_time("Wed, 21 Oct 2015 07:28:00 GMT", &t));
    ASSERT_EQ(t, 1445412480);
    ASSERT_OK(bb_http_parse_time("Wednesday, 21-Oct-15 07:28:00 GMT", &t));
    ASSERT_EQ(t, 1445412480);
    ASSERT_OK(bb_http_parse_time("Wed Oct 21 07:28:00 2015", &t));
    ASSERT_EQ(t, 1445412480);
    ASSERT_EQ(bb_http_parse_time("yesterday", &t), OMX_EINVAL);
    ASSERT_EQ(bb_http_parse_time("Wed, 21 Oct 2015 07:28:00 CET", &t), OMX_EINVAL);
}

/* openssl req -subj "/C=DE/ST=Berlin/O=omx, Inc/OU=dev/OU=ops/CN=localhost/emailAddress=a@b.c" */
static const char cert_pem[] = "-----BEGIN CERTIFICATE-----\n"
                               "MIICazCCAhKgAwIBAgIUFaPPCzWrcFV5kQmlXkElBwGbB/kwCgYIKoZIzj0EAwIw\n"
                               "dzELMAkGA1UEBhMCREUxDzANBgNVBAgMBkJlcmxpbjERMA8GA1UECgwIb214LCBJ\n"
                               "bmMxDDAKBgNVBAsMA2RldjEMMAoGA1UECwwDb3BzMRIwEAYDVQQDDAlsb2NhbGhv\n"
                               "c3QxFDASBgkqhkiG9w0BCQEWBWFAYi5jMB4XDTI2MTIwMzE1MTIwOVoXDTI3MDEw\n"
                               "MjE1MTIwOVowdzELMAkGA1UEBhMCREUxDzANBgNVBAgMBkJlcmxpbjERMA8GA1UE\n"
                               "CgwIb214LCBJbmMxDDAKBgNVBAsMA2RldjEMMAoGA1UECwwDb3BzMRIwEAYDVQQD\n"
                               "DAlsb2NhbGhvc3QxFDASBgkqhkiG9w0BCQEWBWFAYi5jMFkwEwYHKoZIzj0CAQYI\n"
                               "KoZIzj0DAQcDQgAEtq5zx4IxrhcnqdDLnpc47NN+pPYZ24r78d7PjgAsc9PXTx02\n"
                               "QYWlOP5+V1XdFVUs0WX8Oturlb640WBlPffxhqN8MHowHQYDVR0OBBYEFOaSMpOm\n"
                               "nX1dDTg2n1OwGUK5L0+2MB8GA1UdIwQYMBaAFOaSMpOmnX1dDTg2n1OwGUK5L0+2\n"
                               "MA8GA1UdEwEB/wQFMAMBAf8wJwYDVR0RBCAwHoIJbG9jYWxob3N0ggthbHQuZXhh\n"
                               "bXBsZYcEfwAAATAKBggqhkjOPQQDAgNHADBEAiBTDBlfYSEp98vBjaSj0tjNEP1W\n"
                               "W/bg3GxHLTjANWQvQgIgVoqzqk4aj40cDrRXlrZOMo+H0BlVdbRAm8pyfRiQUow=\n"
                               "-----END CERTIFICATE-----\n";

static void test_dn(void) {
    gnutls_x509_crt_t crt;
    ASSERT_OK(gnutls_x509_crt_init(&crt));
    gnutls_datum_t d = {(unsigned char *)cert_pem, (unsigned)strlen(cert_pem)};
    ASSERT_OK(gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM));
    gnutls_x509_dn_t dn;
    ASSERT_OK(gnutls_x509_crt_get_subject(crt, &dn));
    char *s = bb_tls_dn_string(dn);
    /* blackbox_exporter 0.23's subject label for this certificate */
    ASSERT_STR_EQ(s, "CN=localhost,OU=dev+OU=ops,O=omx\\, Inc,ST=Berlin,C=DE,"
                     "1.2.840.113549.1.9.1=#0c056140622e63");
    free(s);
    gnutls_x509_crt_deinit(crt);
}

int main(void) {
    test_defaults();
    test_fields();
    test_errors();
    test_decoders();
    test_time();
    test_dn();
    TEST_DONE();
}
