/* Web config parsing: good files load, each bad file fails with a message that
 * names the file, the field and the line (expected substrings are on the bad
 * file's first line: "# expect: a | b | c"). Also basic-auth verification:
 * bcrypt is counted, so the tests say how often it ran rather than time it. */
#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "exporter/error.h"
#include "omx-test.h"
#include "webconfig.h"

static void check_bad(const char *dir, const char *name) {
    char path[1024], line[512], err[1024] = "";
    omx__webconfig *c = NULL;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    ASSERT(f != NULL);
    if (!f)
        return;
    ASSERT(fgets(line, sizeof line, f) != NULL);
    fclose(f);
    ASSERT(strncmp(line, "# expect: ", 10) == 0);
    int rc = omx__webconfig_load(path, &c, err, sizeof err);
    ASSERT(rc == OMX_ECONFIG && c == NULL);
    /* Always names the file. */
    ASSERT(strstr(err, name) != NULL);
    line[strcspn(line, "\n")] = '\0';
    for (char *tok = strtok(line + 10, "|"); tok; tok = strtok(NULL, "|")) {
        while (*tok == ' ')
            tok++;
        size_t n = strlen(tok);
        while (n && tok[n - 1] == ' ')
            tok[--n] = '\0';
        if (!strstr(err, tok))
            fprintf(stderr, "%s: message '%s' lacks '%s'\n", name, err, tok);
        ASSERT(strstr(err, tok) != NULL);
    }
    printf("ok %s: %s\n", name, err);
}

/* Each credential costs one bcrypt, whatever its outcome; repeats cost none.
 * An unknown user costs what a known one with a wrong password does. */
static void test_repeats(omx__webconfig *c) {
    unsigned long r0 = atomic_load(&c->bcrypt_runs);
    for (int i = 0; i < 200; i++)
        ASSERT_EQ(omx__webconfig_verify(c, "bob", "wrong"), -EACCES);
    ASSERT_EQ(atomic_load(&c->bcrypt_runs), r0 + 1);
    for (int i = 0; i < 200; i++)
        ASSERT_EQ(omx__webconfig_verify(c, "nobody", "wrong"), -EACCES);
    ASSERT_EQ(atomic_load(&c->bcrypt_runs), r0 + 2);
    /* A remembered failure does not stand in for the right password. */
    ASSERT_EQ(omx__webconfig_verify(c, "bob", "hunter2"), 0);
    ASSERT_EQ(omx__webconfig_verify(c, "bob", "wrong"), -EACCES);
    /* An unknown user with a known user's password is still refused. */
    ASSERT_EQ(omx__webconfig_verify(c, "nobody", "hunter2"), -EACCES);
    ASSERT_EQ(omx__webconfig_verify(c, "nobody", "hunter2"), -EACCES);
    ASSERT_EQ(atomic_load(&c->bcrypt_runs), r0 + 3);
    ASSERT_EQ(omx__webconfig_verify(c, NULL, "x"), OMX_EINVAL);
    ASSERT_EQ(omx__webconfig_verify(NULL, "bob", "x"), OMX_EINVAL);
}

typedef struct attacker {
    omx__webconfig *c;
    int id;
    atomic_bool *stop;
    long tries, refused_busy;
} attacker;

static void *attack(void *v) {
    attacker *a = v;
    char pw[48];
    while (!atomic_load(a->stop)) {
        snprintf(pw, sizeof pw, "guess-%d-%ld", a->id, a->tries++);
        int rc = omx__webconfig_verify(a->c, "bob", pw);
        ASSERT(rc == -EACCES || rc == OMX_ELIMIT);
        a->refused_busy += rc == OMX_ELIMIT;
    }
    return NULL;
}

/* Four threads with fresh wrong passwords: a cached good credential is
 * accepted every time, and no more than one bcrypt runs at once. */
static void test_parallel(omx__webconfig *c) {
    pthread_t t[4];
    attacker a[4];
    atomic_bool stop = false;

    ASSERT_EQ(omx__webconfig_verify(c, "alice", "secret"), 0); /* now cached */
    for (int i = 0; i < 4; i++) {
        a[i] = (attacker){.c = c, .id = i, .stop = &stop};
        ASSERT_OK(pthread_create(&t[i], NULL, attack, &a[i]));
    }
    unsigned max_busy = 0;
    for (int i = 0; i < 2000; i++) {
        ASSERT_EQ(omx__webconfig_verify(c, "alice", "secret"), 0);
        pthread_mutex_lock(&c->bcrypt_gate.lock);
        if (c->bcrypt_gate.busy > max_busy)
            max_busy = c->bcrypt_gate.busy;
        pthread_mutex_unlock(&c->bcrypt_gate.lock);
        if (i % 100 == 0)
            usleep(1000);
    }
    atomic_store(&stop, true);
    long tries = 0;
    for (int i = 0; i < 4; i++) {
        ASSERT_OK(pthread_join(t[i], NULL));
        tries += a[i].tries;
    }
    printf("2000 cached checks beside 4 attackers (%ld guesses): all accepted, "
           "at most %u bcrypt at once\n",
           tries, max_busy);
    ASSERT(max_busy <= OMX__AUTH_BCRYPT_SLOTS);
    ASSERT(tries > 0);
}

typedef struct same_pw {
    omx__webconfig *c;
    const char *pass;
    int rc;
} same_pw;

static void *verify_same(void *v) {
    same_pw *a = v;
    a->rc = omx__webconfig_verify(a->c, "bob", a->pass);
    return NULL;
}

static unsigned gate_waiting(omx__webconfig *c) {
    pthread_mutex_lock(&c->bcrypt_gate.lock);
    unsigned n = c->bcrypt_gate.waiting;
    pthread_mutex_unlock(&c->bcrypt_gate.lock);
    return n;
}

static void wait_queue(omx__webconfig *c, unsigned n) {
    for (int i = 0; i < 5000 && gate_waiting(c) < n; i++)
        usleep(1000);
    ASSERT_EQ(gate_waiting(c), n);
}

/* With the bcrypt slot taken: checks queue, a full queue refuses at once,
 * remembered pairs pass untouched, and queued checks of the same pair share
 * one bcrypt. Every queued check must be served within OMX__AUTH_BCRYPT_WAIT_MS. */
static void test_gate(omx__webconfig *c) {
    pthread_t t[OMX__AUTH_BCRYPT_QUEUE];
    same_pw a[OMX__AUTH_BCRYPT_QUEUE];

    ASSERT_EQ(omx__webconfig_verify(c, "alice", "secret"), 0); /* remembered */
    unsigned long r0 = atomic_load(&c->bcrypt_runs);
    ASSERT_OK(omx__authgate_enter(&c->bcrypt_gate));
    char fresh[OMX__AUTH_BCRYPT_QUEUE][32];
    for (int i = 0; i < OMX__AUTH_BCRYPT_QUEUE; i++) {
        snprintf(fresh[i], sizeof fresh[i], "fresh guess %d", i);
        a[i] = (same_pw){.c = c, .pass = i < 3 ? "same guess" : fresh[i]};
        ASSERT_OK(pthread_create(&t[i], NULL, verify_same, &a[i]));
    }
    wait_queue(c, OMX__AUTH_BCRYPT_QUEUE);
    ASSERT_EQ(omx__webconfig_verify(c, "bob", "one more guess"), OMX_ELIMIT);
    ASSERT_EQ(omx__webconfig_verify(c, "alice", "secret"), 0);
    omx__authgate_leave(&c->bcrypt_gate);
    for (int i = 0; i < OMX__AUTH_BCRYPT_QUEUE; i++) {
        ASSERT_OK(pthread_join(t[i], NULL));
        ASSERT_EQ(a[i].rc, -EACCES);
    }
    /* One bcrypt for the three "same guess", one for each fresh guess. */
    ASSERT_EQ(atomic_load(&c->bcrypt_runs) - r0, 1 + (OMX__AUTH_BCRYPT_QUEUE - 3));
    /* The refused guess was not remembered as a failure. */
    ASSERT_EQ(omx__webconfig_verify(c, "bob", "one more guess"), -EACCES);
}

/* Many distinct failures: the failed table stops at its bound. */
static void test_bound(omx__webconfig *c) {
    char pw[32];
    for (int i = 0; i < 2 * OMX__AUTHCACHE_BAD; i++) {
        snprintf(pw, sizeof pw, "distinct-%d", i);
        ASSERT_EQ(omx__webconfig_verify(c, "bob", pw), -EACCES);
    }
    ASSERT_EQ(omx__authcache_count(c->auth_cache, false), OMX__AUTHCACHE_BAD);
    ASSERT(omx__authcache_count(c->auth_cache, true) <= OMX__AUTHCACHE_GOOD);
    /* The verified credentials survived the flood. */
    unsigned long r0 = atomic_load(&c->bcrypt_runs);
    ASSERT_EQ(omx__webconfig_verify(c, "alice", "secret"), 0);
    ASSERT_EQ(omx__webconfig_verify(c, "bob", "hunter2"), 0);
    ASSERT_EQ(atomic_load(&c->bcrypt_runs), r0);
}

int main(int argc, char **argv) {
    char path[1024], err[1024];
    omx__webconfig *c = NULL;
    if (argc < 2) {
        fprintf(stderr, "usage: %s DATA_DIR\n", argv[0]);
        return 2;
    }
    const char *dir = argv[1];

    snprintf(path, sizeof path, "%s/good-full.yml", dir);
    int rc = omx__webconfig_load(path, &c, err, sizeof err);
    if (rc)
        fprintf(stderr, "good-full.yml: %s\n", err);
    ASSERT(rc == 0 && c);
    if (c) {
        ASSERT(c->tls);
        ASSERT(c->client_auth == OMX__REQUIRE_AND_VERIFY_CLIENT_CERT);
        ASSERT(c->cert_pem && strstr(c->cert_pem, "BEGIN CERTIFICATE"));
        ASSERT(c->ca_pem != NULL);
        ASSERT(strstr(c->priorities, "+VERS-TLS1.2:+VERS-TLS1.3") != NULL);
        ASSERT(strstr(c->priorities, "-VERS-TLS1.1") == NULL);
        ASSERT(strstr(c->priorities, "+ECDHE-ECDSA:+AES-128-GCM") != NULL);
        ASSERT(strstr(c->priorities, "+GROUP-X25519") != NULL);
        ASSERT(c->headers && !strcmp(c->headers[0], "X-Frame-Options") &&
               !strcmp(c->headers[1], "deny") && !c->headers[2]);
        ASSERT(c->n_users == 1 && omx__webconfig_has_auth(c));
        ASSERT(omx__webconfig_check(c, "alice", "secret"));
        ASSERT(!omx__webconfig_check(c, "alice", "Secret"));
        ASSERT(!omx__webconfig_check(c, "mallory", "secret"));
        ASSERT(!omx__webconfig_check(c, "alice", ""));
        ASSERT(!omx__webconfig_check(c, NULL, "secret"));
        /* Cached: a second right answer must not pay bcrypt again. */
        unsigned long runs = atomic_load(&c->bcrypt_runs);
        for (int i = 0; i < 1000; i++)
            ASSERT(omx__webconfig_check(c, "alice", "secret"));
        ASSERT_EQ(atomic_load(&c->bcrypt_runs), runs);
    }
    c = omx__webconfig_free(c);
    ASSERT(c == NULL);

    snprintf(path, sizeof path, "%s/good-auth-only.yml", dir);
    rc = omx__webconfig_load(path, &c, err, sizeof err);
    if (rc)
        fprintf(stderr, "good-auth-only.yml: %s\n", err);
    ASSERT(rc == 0 && c && !c->tls && c->n_users == 2);
    ASSERT(omx__webconfig_check(c, "bob", "hunter2")); /* $2y$ */
    ASSERT(!omx__webconfig_check(c, "bob", "secret"));
    ASSERT(omx__webconfig_check(c, "alice", "secret")); /* $2b$ */
    test_repeats(c);
    test_parallel(c);
    test_gate(c);
    test_bound(c);
    /* A reload builds a new config: nothing remembered carries over. */
    omx__webconfig *fresh = NULL;
    ASSERT_OK(omx__webconfig_load(path, &fresh, err, sizeof err));
    ASSERT_EQ(omx__authcache_count(fresh->auth_cache, false), 0);
    ASSERT_EQ(omx__authcache_count(fresh->auth_cache, true), 0);
    ASSERT_EQ(omx__webconfig_verify(fresh, "bob", "wrong"), -EACCES);
    ASSERT_EQ(atomic_load(&fresh->bcrypt_runs), 1);
    fresh = omx__webconfig_free(fresh);
    c = omx__webconfig_free(c);

    snprintf(path, sizeof path, "%s/good-empty.yml", dir);
    rc = omx__webconfig_load(path, &c, err, sizeof err);
    ASSERT(rc == 0 && c && !c->tls && !omx__webconfig_has_auth(c));
    ASSERT(!omx__webconfig_check(c, "a", "b"));
    c = omx__webconfig_free(c);

    rc = omx__webconfig_load("/nonexistent/web.yml", &c, err, sizeof err);
    ASSERT(rc == OMX_ECONFIG && !c && strstr(err, "/nonexistent/web.yml") &&
           strstr(err, "No such file"));

    DIR *d = opendir(dir);
    ASSERT(d != NULL);
    int n_bad = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        if (!strncmp(e->d_name, "bad-", 4)) {
            check_bad(dir, e->d_name);
            n_bad++;
        }
    if (d)
        closedir(d);
    ASSERT(n_bad >= 15);
    ASSERT(omx__webconfig_free(NULL) == NULL);
    TEST_DONE();
}
