/* Test servers and run-time certificates (testsrv.h). */
#include "testsrv.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/x509.h>

#include "omx-test.h"

static void *srv_main(void *arg) {
    testsrv *s = arg;
    int fd = accept(s->lfd, NULL, NULL);
    if (fd >= 0) {
        s->fn(fd, s->ctx);
        close(fd);
    }
    return NULL;
}

void testsrv_start(testsrv *s, const char *addr, testsrv_fn *fn, void *ctx) {
    struct sockaddr_storage ss = {0};
    socklen_t sl;
    bool v6 = strchr(addr, ':') != NULL;
    if (v6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        a->sin6_family = AF_INET6;
        ASSERT(inet_pton(AF_INET6, addr, &a->sin6_addr) == 1);
        sl = sizeof *a;
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        a->sin_family = AF_INET;
        ASSERT(inet_pton(AF_INET, addr, &a->sin_addr) == 1);
        sl = sizeof *a;
    }
    s->lfd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT(s->lfd >= 0);
    ASSERT_OK(bind(s->lfd, (struct sockaddr *)&ss, sl));
    ASSERT_OK(listen(s->lfd, 4));
    ASSERT_OK(getsockname(s->lfd, (struct sockaddr *)&ss, &sl));
    s->port =
        ntohs(v6 ? ((struct sockaddr_in6 *)&ss)->sin6_port : ((struct sockaddr_in *)&ss)->sin_port);
    s->fn = fn;
    s->ctx = ctx;
    ASSERT_OK(pthread_create(&s->thread, NULL, srv_main, s));
}

void testsrv_stop(testsrv *s) {
    shutdown(s->lfd, SHUT_RDWR); /* wakes an accept no probe reached */
    pthread_join(s->thread, NULL);
    close(s->lfd);
}

static void write_file(const char *path, const gnutls_datum_t *d) {
    FILE *f = fopen(path, "w");
    ASSERT(f);
    ASSERT_EQ(fwrite(d->data, 1, d->size, f), d->size);
    ASSERT_OK(fclose(f));
}

void testcert_make(const char *cert_path, const char *key_path, bool expired) {
    gnutls_x509_privkey_t key;
    gnutls_x509_crt_t crt;
    ASSERT_OK(gnutls_x509_privkey_init(&key));
    ASSERT_OK(gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
                                           GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0));
    ASSERT_OK(gnutls_x509_crt_init(&crt));
    ASSERT_OK(gnutls_x509_crt_set_version(crt, 3));
    unsigned char serial[] = {0x01, 0x02, 0x03};
    ASSERT_OK(gnutls_x509_crt_set_serial(crt, serial, sizeof serial));
    time_t now = time(NULL);
    ASSERT_OK(gnutls_x509_crt_set_activation_time(crt, now - 2 * 86400));
    ASSERT_OK(gnutls_x509_crt_set_expiration_time(crt, expired ? now - 86400 : now + 86400));
    ASSERT_OK(gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, "localhost", 9));
    ASSERT_OK(gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, "localhost", 9,
                                                   GNUTLS_FSAN_APPEND));
    unsigned char ip4[] = {127, 0, 0, 1};
    ASSERT_OK(gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, ip4, 4,
                                                   GNUTLS_FSAN_APPEND));
    ASSERT_OK(gnutls_x509_crt_set_basic_constraints(crt, 1, -1));
    ASSERT_OK(gnutls_x509_crt_set_key(crt, key));
    ASSERT_OK(gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0));
    gnutls_datum_t d;
    ASSERT_OK(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &d));
    write_file(cert_path, &d);
    gnutls_free(d.data);
    ASSERT_OK(gnutls_x509_privkey_export2(key, GNUTLS_X509_FMT_PEM, &d));
    write_file(key_path, &d);
    gnutls_free(d.data);
    gnutls_x509_crt_deinit(crt);
    gnutls_x509_privkey_deinit(key);
}

gnutls_certificate_credentials_t testcert_server_cred(const char *cert_path, const char *key_path) {
    gnutls_certificate_credentials_t c;
    ASSERT_OK(gnutls_certificate_allocate_credentials(&c));
    ASSERT_OK(gnutls_certificate_set_x509_key_file(c, cert_path, key_path, GNUTLS_X509_FMT_PEM));
    return c;
}

bool testcert_accept(int fd, gnutls_certificate_credentials_t cred, bool require_client,
                     gnutls_session_t *ret) {
    gnutls_session_t s;
    ASSERT_OK(gnutls_init(&s, GNUTLS_SERVER));
    ASSERT_OK(gnutls_set_default_priority(s));
    ASSERT_OK(gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, cred));
    if (require_client) {
        gnutls_certificate_server_set_request(s, GNUTLS_CERT_REQUIRE);
        gnutls_session_set_verify_cert(s, NULL, 0);
    }
    gnutls_transport_set_int(s, fd);
    int e;
    do
        e = gnutls_handshake(s);
    while (e < 0 && !gnutls_error_is_fatal(e));
    if (e < 0) {
        gnutls_deinit(s);
        return false;
    }
    *ret = s;
    return true;
}

bool testsrv_read_line(int fd, char *buf, size_t size) {
    size_t n = 0;
    while (n + 1 < size) {
        char c;
        if (read(fd, &c, 1) != 1)
            return false;
        if (c == '\n')
            break;
        buf[n++] = c;
    }
    buf[n] = 0;
    return true;
}

void testsrv_write(int fd, const char *s) {
    size_t len = strlen(s);
    ssize_t n = send(fd, s, len, MSG_NOSIGNAL);
    (void)n;
}
