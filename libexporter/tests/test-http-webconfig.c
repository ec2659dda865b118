/* Web config parsing: good files load, each bad file fails with a message that
 * names the file, the field and the line (expected substrings are on the bad
 * file's first line: "# expect: a | b | c"). Also basic-auth verification. */
#include <dirent.h>
#include <time.h>

#include "exporter/error.h"
#include "omx-test.h"
#include "webconfig.h"

static void check_bad(const char *dir, const char *name)
{
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

static double elapsed(struct timespec a)
{
    struct timespec b;
    clock_gettime(CLOCK_MONOTONIC, &b);
    return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
}

int main(int argc, char **argv)
{
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
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (int i = 0; i < 1000; i++)
            ASSERT(omx__webconfig_check(c, "alice", "secret"));
        double cached = elapsed(t0);
        printf("1000 cached checks: %.3f ms\n", cached * 1e3);
        ASSERT(cached < 0.5);
        /* Wrong passwords are never cached. */
        ASSERT(!omx__webconfig_check(c, "alice", "secreT"));
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
    /* Unknown users take about as long as known ones (a dummy bcrypt). */
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < 5; i++)
        ASSERT(!omx__webconfig_check(c, "bob", "wrong"));
    double known = elapsed(t0);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < 5; i++)
        ASSERT(!omx__webconfig_check(c, "nobody", "wrong"));
    double unknown = elapsed(t0);
    printf("5 wrong checks: known user %.2f ms, unknown user %.2f ms\n", known * 1e3,
           unknown * 1e3);
    ASSERT(unknown > known * 0.3);
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
