/* omx-test.h itself: passing assertions are counted; a failing one prints
 * file:line, the expression and both values, then aborts. Each failure runs in
 * a child process whose stderr is captured. */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "omx-test.h"

/* Runs fn in a child; returns its stderr (static buffer) after checking it was
 * killed by SIGABRT. */
static const char *fails(void (*fn)(void)) {
    static char out[1024];
    int fds[2];
    ASSERT_OK(pipe(fds));
    pid_t pid = fork();
    ASSERT(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], 2);
        close(fds[0]);
        signal(SIGABRT, SIG_DFL);
        fn();
        _exit(0); /* the assertion did not fire */
    }
    close(fds[1]);
    size_t n = 0;
    ssize_t r;
    while (n < sizeof out - 1 && (r = read(fds[0], out + n, sizeof out - 1 - n)) > 0)
        n += (size_t)r;
    out[n] = '\0';
    close(fds[0]);
    int st;
    ASSERT_EQ(waitpid(pid, &st, 0), pid);
    ASSERT_MSG(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT, "child status %d, stderr: %s", st, out);
    return out;
}

static void fail_eq(void) {
    int two = 2;
    ASSERT_EQ(two + 1, 4);
}
static void fail_str(void) { ASSERT_STR_EQ("abc", NULL); }
static void fail_dbl(void) { ASSERT_DBL_EQ(0.0, -0.0); }
static void fail_msg(void) { ASSERT_MSG(1 == 0, "case %d", 7); }
static void fail_ok(void) { ASSERT_OK(-22); }

int main(void) {
    ASSERT(1);
    ASSERT_EQ(-1, -1);
    ASSERT_NE(1, 2);
    ASSERT_OK(0);
    ASSERT_STR_EQ("x", "x");
    ASSERT_STR_EQ(NULL, NULL);
    ASSERT_DBL_EQ(NAN, NAN);
    ASSERT_EQ(atomic_load(&omx_test_checks), 7);

    const char *o = fails(fail_eq);
    ASSERT_MSG(strstr(o, "test-omx-test.c:") && strstr(o, "ASSERT(two + 1 == 4) failed: 3 vs 4"),
               "%s", o);
    o = fails(fail_str);
    ASSERT_MSG(strstr(o, "got  \"abc\"") && strstr(o, "want NULL"), "%s", o);
    o = fails(fail_dbl);
    ASSERT_MSG(strstr(o, "0 vs -0"), "%s", o);
    o = fails(fail_msg);
    ASSERT_MSG(strstr(o, "ASSERT(1 == 0) failed: case 7\n"), "%s", o);
    o = fails(fail_ok);
    ASSERT_MSG(strstr(o, "-22 vs 0"), "%s", o);
    TEST_DONE();
}
