/* The state file: round trip, escapes, malformed records, atomic replace. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exporter/app.h"
#include "inputs/state.h"
#include "omx-test.h"

int main(void) {
    char dir[] = "/tmp/lt-state-XXXXXX";
    ASSERT(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/state", dir);
    lt_state st = {0};
    ASSERT_OK(lt_state_load(path, &st)); /* none yet: empty */
    ASSERT_EQ(st.n, 0);
    ASSERT_OK(lt_state_add(&st, "/var/log/a.log", 2049, 77, 1234));
    ASSERT_OK(lt_state_add(&st, "/tmp/odd %name\nwith lf", 1, 2, 0));
    ASSERT_OK(lt_state_set_cursor(&st, "s=abc;i=1f"));
    ASSERT_OK(lt_state_save(path, &st));
    char tmp[300];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    ASSERT(access(tmp, F_OK) != 0); /* renamed over */
    lt_state back = {0};
    ASSERT_OK(lt_state_load(path, &back));
    ASSERT_EQ(back.n, 2);
    const lt_state_file *a = lt_state_find(&back, "/var/log/a.log");
    ASSERT(a && a->dev == 2049 && a->ino == 77 && a->offset == 1234);
    const lt_state_file *b = lt_state_find(&back, "/tmp/odd %name\nwith lf");
    ASSERT(b && b->offset == 0);
    ASSERT_STR_EQ(back.cursor, "s=abc;i=1f");
    ASSERT(lt_state_find(&back, "/nope") == NULL);
    /* malformed records are skipped, good ones kept */
    FILE *f = fopen(path, "w");
    ASSERT(f);
    fprintf(f, "omx-logtail-state 1\nfile x y z /p\nfile 1 2 -5 /neg\nfile 1 2 3 /bad%%zz\n"
               "bogus\nfile 1 2 3 /ok\n");
    fclose(f);
    ASSERT_OK(lt_state_load(path, &back));
    ASSERT_EQ(back.n, 1);
    ASSERT(lt_state_find(&back, "/ok"));
    ASSERT(back.cursor == NULL);
    /* not a state file at all: nothing taken from it */
    f = fopen(path, "w");
    fprintf(f, "something else\nfile 1 2 3 /ok\n");
    fclose(f);
    ASSERT_OK(lt_state_load(path, &back));
    ASSERT_EQ(back.n, 0);
    /* a directory that cannot take the file */
    char bad[300];
    snprintf(bad, sizeof bad, "%s/missing/state", dir);
    ASSERT(lt_state_save(bad, &st) < 0);
    lt_state_clear(&st);
    lt_state_clear(&back);
    unlink(path);
    rmdir(dir);
    TEST_DONE();
}
