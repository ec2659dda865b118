/* omx_app_parse: shared flags, exporter flags, --help/--version, errors, the
 * web config loaded at parse time. */
#include <stdio.h>
#include <unistd.h>

#include "app-internal.h"
#include "exporter/app.h"
#include "omx-test.h"

static omx_app *new_app(void) {
    omx_app *app = omx_app_new(&(omx_app_info){.name = "test-app",
                                               .version = "1.2.3",
                                               .default_listen = ":9999",
                                               .description = "A test."});
    ASSERT(app != NULL);
    return app;
}

/* Runs omx_app_parse with stdout/stderr captured into out. */
static int parse(omx_app *app, int argc, char **argv, char *out, size_t outlen) {
    fflush(stdout);
    fflush(stderr);
    int saved_out = dup(1), saved_err = dup(2);
    FILE *tmp = tmpfile();
    dup2(fileno(tmp), 1);
    dup2(fileno(tmp), 2);
    int rc = omx_app_parse(app, argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(saved_out, 1);
    dup2(saved_err, 2);
    close(saved_out);
    close(saved_err);
    rewind(tmp);
    size_t n = fread(out, 1, outlen - 1, tmp);
    out[n] = '\0';
    fclose(tmp);
    return rc;
}

#define ARGV(...) ((char *[]){"test-app", __VA_ARGS__, NULL})
#define ARGC(...) ((int)(sizeof((char *[]){"test-app", __VA_ARGS__}) / sizeof(char *)))
#define PARSE(app, out, ...) parse(app, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), out, sizeof out)

int main(int argc, char **argv) {
    static char out[16384];
    omx_app *app;
    bool flag = false;
    const char *dir = "/default";
    long n = 3;

    app = new_app();
    ASSERT(omx_app_flag_bool(app, "collector.x", &flag, "X.") == 0);
    ASSERT(omx_app_flag_string(app, "x.dir", &dir, "Dir.") == 0);
    ASSERT(omx_app_flag_int(app, "x.n", &n, "N.") == 0);
    ASSERT(omx_app_flag_bool(app, "collector.x", &flag, "dup") == OMX_EINVAL);
    ASSERT(omx_app_flag_string(app, "web.listen-address", &dir, "clash") == OMX_EINVAL);
    ASSERT(PARSE(app, out, "--collector.x", "--x.dir=/d", "--x.n", "9",
                 "--web.listen-address=127.0.0.1:1", "--web.listen-address=[::1]:2",
                 "--web.max-requests=5", "--web.telemetry-path=/m", "--log.level=debug") == 0);
    ASSERT(flag && !strcmp(dir, "/d") && n == 9);
    ASSERT_STR_EQ(app->listen[0], "127.0.0.1:1");
    ASSERT_STR_EQ(app->listen[1], "[::1]:2");
    ASSERT(app->listen[2] == NULL);
    ASSERT(app->max_requests == 5);
    ASSERT_STR_EQ(app->telemetry_path, "/m");
    /* Flags cannot be declared after parsing. */
    ASSERT(omx_app_flag_bool(app, "late", &flag, "late") == OMX_EINVAL);
    ASSERT(omx_app_registry(app) != NULL);
    ASSERT(omx_app_free(app) == NULL);

    /* Defaults. */
    app = new_app();
    ASSERT(parse(app, 1, (char *[]){"test-app", NULL}, out, sizeof out) == 0);
    ASSERT_STR_EQ(app->listen[0], ":9999");
    ASSERT(app->max_requests == 40);
    ASSERT_STR_EQ(app->telemetry_path, "/metrics");
    omx_app_free(app);

    /* Which flags were given, whatever their value. */
    static const struct {
        char *arg;
        bool x_given, dir_given;
    } given[] = {
        {"--collector.x", true, false},         {"--no-collector.x", true, false},
        {"--collector.x=false", true, false},   {"--x.dir=/d", false, true},
        {"--web.max-requests=5", false, false},
    };
    for (size_t i = 0; i < sizeof given / sizeof *given; i++) {
        app = new_app();
        ASSERT(omx_app_flag_bool(app, "collector.x", &flag, "X.") == 0);
        ASSERT(omx_app_flag_string(app, "x.dir", &dir, "Dir.") == 0);
        ASSERT(PARSE(app, out, given[i].arg) == 0);
        ASSERT(omx_app_flag_given(app, "collector.x") == given[i].x_given);
        ASSERT(omx_app_flag_given(app, "x.dir") == given[i].dir_given);
        ASSERT(omx_app_flag_given(app, "web.max-requests") == !strncmp(given[i].arg, "--web.", 6));
        ASSERT(!omx_app_flag_given(app, "no-such-flag") && !omx_app_flag_given(app, NULL));
        omx_app_free(app);
    }
    ASSERT(!omx_app_flag_given(NULL, "collector.x"));

    app = new_app();
    ASSERT(PARSE(app, out, "--help") == 1);
    ASSERT(strstr(out, "usage: test-app") && strstr(out, "A test.") &&
           strstr(out, "--web.listen-address") && strstr(out, "(default: :9999)") &&
           strstr(out, "--web.max-requests=INT") && strstr(out, "(default: 40)"));
    omx_app_free(app);

    app = new_app();
    ASSERT(PARSE(app, out, "--version") == 1);
    ASSERT_STR_EQ(out, "test-app, version 1.2.3\n");
    omx_app_free(app);

    /* with build facts: prometheus/common's layout, unknown facts spelled out */
    static const omx_build_facts facts = {.revision = "abc123",
                                          .branch = "main",
                                          .build_date = "20260102-03:04:05",
                                          .compiler = "gcc12.2.0"};
    app = omx_app_new(&(omx_app_info){
        .name = "test-app", .version = "1.2.3", .default_listen = ":9999", .build = &facts});
    ASSERT(app != NULL);
    ASSERT(PARSE(app, out, "--version") == 1);
    char arch[65], want[512];
    snprintf(want, sizeof want,
             "test-app, version 1.2.3 (branch: main, revision: abc123)\n"
             "  build user:       unknown\n"
             "  build date:       20260102-03:04:05\n"
             "  compiler:         gcc12.2.0\n"
             "  platform:         linux/%s\n",
             omx_goarch(arch, sizeof arch));
    ASSERT_STR_EQ(out, want);
    omx_app_free(app);

    static const struct {
        const char *arg, *want;
    } bad[] = {
        {"--bogus", "test-app: error: unknown flag --bogus"},
        {"--log.level=verbose", "--log.level"},
        {"--log.format=xml", "--log.format"},
        {"--web.max-requests=-1", "--web.max-requests"},
        {"--web.max-requests=ten", "--web.max-requests"},
        {"--web.telemetry-path=metrics", "--web.telemetry-path"},
        {"--web.telemetry-path=/", "--web.telemetry-path"},
        {"--web.telemetry-path=/-/healthy", "--web.telemetry-path"},
        {"--web.config.file=/nonexistent/web.yml", "/nonexistent/web.yml"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        app = new_app();
        int rc = parse(app, 2, (char *[]){"test-app", (char *)bad[i].arg, NULL}, out, sizeof out);
        ASSERT(rc < 0);
        if (!strstr(out, bad[i].want))
            fprintf(stderr, "%s: output '%s' lacks '%s'\n", bad[i].arg, out, bad[i].want);
        ASSERT(strstr(out, bad[i].want) != NULL);
        omx_app_free(app);
    }

    /* A good web config is loaded at parse time. */
    if (argc > 1) {
        char arg[1024];
        snprintf(arg, sizeof arg, "--web.config.file=%s/good-auth-only.yml", argv[1]);
        app = new_app();
        ASSERT(parse(app, 2, (char *[]){"test-app", arg, NULL}, out, sizeof out) == 0);
        ASSERT(app->webcfg && app->webcfg->n_users == 2);
        omx_app_free(app);
    }

    /* Handlers. */
    app = new_app();
    ASSERT(omx_app_handle(app, "/probe", (omx_handler_fn)1, NULL) == 0);
    ASSERT(omx_app_handle(app, "/probe", (omx_handler_fn)1, NULL) == OMX_EEXIST);
    ASSERT(omx_app_handle(app, "probe", (omx_handler_fn)1, NULL) == OMX_EINVAL);
    ASSERT(omx_app_handle(app, "/x", NULL, NULL) == OMX_EINVAL);
    ASSERT(omx_app_on_reload(app, NULL, NULL) == 0);
    omx_app_free(app);
    ASSERT(omx_app_free(NULL) == NULL);
    ASSERT(omx_app_new(NULL) == NULL);
    TEST_DONE();
}
