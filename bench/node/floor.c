/* node-floor: replays the system calls of one omx-node scrape (recorded by
 * floor.py from strace) and does nothing with the bytes: the CPU a scrape
 * cannot go below while it reads what omx-node reads.
 *
 * usage: node-floor OPS_FILE ITERATIONS [RESPONSE_BYTES]
 * Prints "floor_ns_per_scrape N" (CPU time of this process, user + system).
 * With RESPONSE_BYTES each scrape is also served as a keep-alive HTTP scrape
 * is at the least: a request received on a loopback TCP connection and
 * RESPONSE_BYTES sent back in one write, to a client in a child process
 * (whose CPU is not counted, as the scraper's is not counted for omx-node).
 *
 * OPS_FILE, one operation a line, fds named by the recorded fd numbers:
 *   keep FD PATH          open before the timed loop (fds omx-node keeps)
 *   open FD FLAGS PATH    openat(AT_FDCWD); FLAGS: r (O_RDONLY) or d (O_DIRECTORY)
 *   read FD N | pread FD N OFF | getdents FD N | fstat FD | close FD
 *   stat PATH | access PATH | statfs PATH | uname | adjtimex
 *   nlsock FD PROTO       socket(AF_NETLINK, SOCK_RAW, PROTO) with a 2 s SO_RCVTIMEO
 *   nlsend FD HEX         send the request bytes
 *   nlrecv FD             recv until NLMSG_DONE or an error message
 *   unixconnect FD PATH   socket(AF_UNIX) + connect (failing is fine)
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/timex.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_OPS 65536
#define MAX_FD 4096

enum kind {
    KEEP,
    OPEN,
    READ,
    PREAD,
    GETDENTS,
    FSTAT,
    CLOSE,
    STAT,
    ACCESS,
    STATFS,
    UNAME,
    ADJTIMEX,
    NLSOCK,
    NLSEND,
    NLRECV,
    UNIXCONNECT
};

struct op {
    enum kind k;
    int fd;
    long n, off;
    int flags;
    char *path;
    unsigned char *req;
    size_t req_len;
};

static struct op ops[MAX_OPS];
static size_t n_ops;
static int live[MAX_FD]; /* recorded fd -> our fd */
static char buf[1 << 20];

static const struct {
    const char *name;
    enum kind k;
} names[] = {
    {"keep", KEEP},         {"open", OPEN},     {"read", READ},     {"pread", PREAD},
    {"getdents", GETDENTS}, {"fstat", FSTAT},   {"close", CLOSE},   {"stat", STAT},
    {"access", ACCESS},     {"statfs", STATFS}, {"uname", UNAME},   {"adjtimex", ADJTIMEX},
    {"nlsock", NLSOCK},     {"nlsend", NLSEND}, {"nlrecv", NLRECV}, {"unixconnect", UNIXCONNECT},
};

static int hexval(int c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void load(const char *file) {
    FILE *f = fopen(file, "r");
    if (!f) {
        perror(file);
        exit(2);
    }
    char line[8192];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        char *save = NULL, *word = strtok_r(line, " ", &save);
        if (!word || n_ops == MAX_OPS)
            continue;
        struct op *o = &ops[n_ops];
        memset(o, 0, sizeof *o);
        size_t i;
        for (i = 0; i < sizeof names / sizeof names[0]; i++)
            if (!strcmp(word, names[i].name))
                break;
        if (i == sizeof names / sizeof names[0]) {
            fprintf(stderr, "node-floor: unknown op %s\n", word);
            exit(2);
        }
        o->k = names[i].k;
        char *a = strtok_r(NULL, " ", &save);
        switch (o->k) {
        case UNAME:
        case ADJTIMEX: break;
        case STAT:
        case ACCESS:
        case STATFS: o->path = strdup(a ? a : ""); break;
        default:
            o->fd = a ? atoi(a) : -1;
            if (o->fd < 0 || o->fd >= MAX_FD) {
                fprintf(stderr, "node-floor: bad fd in line %zu\n", n_ops + 1);
                exit(2);
            }
            char *b = strtok_r(NULL, " ", &save), *c = strtok_r(NULL, "", &save);
            if (o->k == KEEP)
                o->path = strdup(b ? b : "");
            else if (o->k == OPEN) {
                o->flags = b && *b == 'd' ? O_RDONLY | O_DIRECTORY | O_CLOEXEC
                                          : O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY;
                o->path = strdup(c ? c : "");
            } else if (o->k == READ || o->k == GETDENTS || o->k == PREAD) {
                o->n = b ? atol(b) : 0;
                o->off = c ? atol(c) : 0;
                if (o->n < 0 || (size_t)o->n > sizeof buf)
                    o->n = sizeof buf;
            } else if (o->k == NLSOCK) {
                o->n = b ? atol(b) : 0;
            } else if (o->k == NLSEND) {
                size_t len = b ? strlen(b) / 2 : 0;
                o->req = malloc(len ? len : 1);
                for (size_t k = 0; k < len; k++)
                    o->req[k] = (unsigned char)(hexval(b[2 * k]) << 4 | hexval(b[2 * k + 1]));
                o->req_len = len;
            } else if (o->k == UNIXCONNECT) {
                o->path = strdup(b ? b : "");
            }
        }
        n_ops++;
    }
    fclose(f);
}

static void nl_recv(int fd) {
    for (;;) {
        ssize_t n = recv(fd, buf, 32768, 0);
        if (n <= 0)
            return;
        for (struct nlmsghdr *h = (struct nlmsghdr *)(void *)buf; NLMSG_OK(h, (size_t)n);
             h = NLMSG_NEXT(h, n))
            if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR)
                return;
    }
}

static void run(int timed) {
    for (size_t i = 0; i < n_ops; i++) {
        struct op *o = &ops[i];
        int fd = o->k >= STAT && o->k <= ADJTIMEX ? -1 : live[o->fd];
        switch (o->k) {
        case KEEP:
            if (!timed)
                live[o->fd] = open(o->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
            break;
        case OPEN: live[o->fd] = open(o->path, o->flags); break;
        case READ:
            if (read(fd, buf, (size_t)o->n) < 0) {
            }
            break;
        case PREAD:
            if (pread(fd, buf, (size_t)o->n, o->off) < 0) {
            }
            break;
        case GETDENTS: syscall(SYS_getdents64, fd, buf, (size_t)o->n); break;
        case FSTAT: {
            struct stat st;
            fstat(fd, &st);
            break;
        }
        case CLOSE:
            if (fd >= 0)
                close(fd);
            live[o->fd] = -1;
            break;
        case STAT: {
            struct stat st;
            stat(o->path, &st);
            break;
        }
        case ACCESS: access(o->path, F_OK); break;
        case STATFS: {
            struct statfs st;
            statfs(o->path, &st);
            break;
        }
        case UNAME: {
            struct utsname u;
            uname(&u);
            break;
        }
        case ADJTIMEX: {
            struct timex t = {0};
            adjtimex(&t);
            break;
        }
        case NLSOCK: {
            live[o->fd] = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, (int)o->n);
            struct timeval tv = {.tv_sec = 2};
            setsockopt(live[o->fd], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
            break;
        }
        case NLSEND: {
            struct sockaddr_nl k = {.nl_family = AF_NETLINK};
            if (sendto(fd, o->req, o->req_len, 0, (struct sockaddr *)&k, sizeof k) < 0) {
            }
            break;
        }
        case NLRECV: nl_recv(fd); break;
        case UNIXCONNECT: {
            live[o->fd] = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
            struct sockaddr_un a = {.sun_family = AF_UNIX};
            snprintf(a.sun_path, sizeof a.sun_path, "%s", o->path);
            if (connect(live[o->fd], (struct sockaddr *)&a, sizeof a) < 0) {
            }
            break;
        }
        }
    }
}

static long long cpu_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* The least HTTP keep-alive serving costs: one request in, the body out. */
static const char request[] = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                              "User-Agent: floor\r\nAccept: text/plain\r\n\r\n";

static void client(int fd, long n, size_t bytes) {
    char *rbuf = malloc(65536);
    if (!rbuf)
        _exit(1);
    for (long i = 0; i < n + 1; i++) {
        if (write(fd, request, sizeof request - 1) != (ssize_t)(sizeof request - 1))
            _exit(1);
        for (size_t got = 0; got < bytes;) {
            ssize_t r = read(fd, rbuf, 65536);
            if (r <= 0)
                _exit(1);
            got += (size_t)r;
        }
    }
    _exit(0);
}

/* A connected loopback TCP pair: *srv here, the other end in a client child. */
static pid_t serve_setup(int *srv, long n, size_t bytes) {
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof a) < 0 || listen(l, 1) < 0 ||
        getsockname(l, (struct sockaddr *)&a, &alen) < 0) {
        perror("node-floor: listen");
        exit(1);
    }
    pid_t pid = fork();
    if (pid == 0) {
        int c = socket(AF_INET, SOCK_STREAM, 0);
        if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof a) < 0)
            _exit(1);
        client(c, n, bytes);
    }
    *srv = accept(l, NULL, NULL);
    close(l);
    int one = 1;
    setsockopt(*srv, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return pid;
}

static void serve(int fd, const char *body, size_t bytes) {
    char req[1024];
    size_t got = 0;
    while (got < sizeof request - 1) {
        ssize_t r = read(fd, req, sizeof req);
        if (r <= 0) {
            fprintf(stderr, "node-floor: client gone\n");
            exit(1);
        }
        got += (size_t)r;
    }
    for (size_t off = 0; off < bytes;) {
        ssize_t w = write(fd, body + off, bytes - off);
        if (w <= 0) {
            perror("node-floor: write");
            exit(1);
        }
        off += (size_t)w;
    }
}

int main(int argc, char **argv) {
    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: node-floor OPS_FILE ITERATIONS [RESPONSE_BYTES]\n");
        return 2;
    }
    for (int i = 0; i < MAX_FD; i++)
        live[i] = -1;
    load(argv[1]);
    long n = atol(argv[2]);
    if (n < 1)
        n = 1;
    size_t bytes = argc == 4 ? (size_t)atol(argv[3]) : 0;
    int srv = -1;
    pid_t child = -1;
    char *body = NULL;
    if (bytes) {
        body = calloc(1, bytes);
        if (!body)
            return 1;
        child = serve_setup(&srv, n, bytes);
    }
    run(0); /* opens the kept fds; warms the caches as omx-node's earlier scrapes did */
    if (bytes)
        serve(srv, body, bytes);
    long long t0 = cpu_ns();
    for (long i = 0; i < n; i++) {
        run(1);
        if (bytes)
            serve(srv, body, bytes);
    }
    long long t1 = cpu_ns();
    printf("floor_ns_per_scrape %lld\n", (t1 - t0) / n);
    if (bytes) {
        int st;
        close(srv);
        waitpid(child, &st, 0);
        free(body);
    }
    return 0;
}
