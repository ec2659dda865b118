/* bb-bench-tls-target PORT CERT KEY: the https target of bench/blackbox.sh.
 * A thread per connection: TLS handshake (GnuTLS, the given certificate and
 * key), one HTTP request answered with 200 "ok", then close, as a probe does. */
#include <gnutls/gnutls.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

/* The server picks the group, X25519 first, as Go's servers do (GnuTLS
 * would follow the client's order, and its own client lists P-256 first). */
#define GROUPS                                                             \
    "NORMAL:%SERVER_PRECEDENCE:-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1:" \
    "+GROUP-SECP384R1:+GROUP-SECP521R1"

static gnutls_certificate_credentials_t cred;
static gnutls_priority_t prio;

static void *serve(void *arg) {
    int fd = (int)(intptr_t)arg;
    static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                               "Content-Length: 3\r\nConnection: close\r\n\r\nok\n";
    gnutls_session_t s;
    struct timeval tv = {.tv_sec = 5};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (gnutls_init(&s, GNUTLS_SERVER) == 0) {
        gnutls_priority_set(s, prio);
        gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, cred);
        gnutls_transport_set_int(s, fd);
        int rc;
        do
            rc = gnutls_handshake(s);
        while (rc < 0 && !gnutls_error_is_fatal(rc));
        char buf[4096];
        size_t len = 0;
        while (rc == 0 && len < sizeof buf) {
            ssize_t r = gnutls_record_recv(s, buf + len, sizeof buf - len);
            if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED)
                continue;
            if (r <= 0)
                break;
            len += (size_t)r;
            if (memmem(buf, len, "\r\n\r\n", 4)) {
                gnutls_record_send(s, resp, sizeof resp - 1);
                gnutls_bye(s, GNUTLS_SHUT_WR);
                break;
            }
        }
        gnutls_deinit(s);
    }
    close(fd);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 4)
        return 2;
    signal(SIGPIPE, SIG_IGN); /* a client that hangs up must not end the target */
    if (gnutls_certificate_allocate_credentials(&cred) < 0 ||
        gnutls_certificate_set_x509_key_file(cred, argv[2], argv[3], GNUTLS_X509_FMT_PEM) < 0 ||
        gnutls_priority_init(&prio, GROUPS, NULL) < 0) {
        fprintf(stderr, "bb-bench-tls-target: cannot load %s and %s\n", argv[2], argv[3]);
        return 1;
    }
    int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)atoi(argv[1])),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(ls, (struct sockaddr *)&a, sizeof a) < 0 || listen(ls, 1024) < 0) {
        perror("bb-bench-tls-target");
        return 1;
    }
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 256 << 10);
    for (;;) {
        int fd = accept(ls, NULL, NULL);
        if (fd < 0)
            continue;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        pthread_t t;
        if (pthread_create(&t, &attr, serve, (void *)(intptr_t)fd) != 0)
            close(fd);
    }
}
