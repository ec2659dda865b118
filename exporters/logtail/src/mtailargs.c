/* mtail's spellings of the command line; see mtailargs.h. */
#include "mtailargs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exporter/app.h"

/* The value of --name in args (either "--name=v" or "--name v"), or NULL. */
static const char *value_of(char **args, int n, const char *name) {
    size_t nl = strlen(name);
    const char *v = NULL;
    for (int i = 1; i < n; i++) {
        const char *a = args[i];
        if (strncmp(a, "--", 2) != 0 || strncmp(a + 2, name, nl) != 0)
            continue;
        if (a[2 + nl] == '=')
            v = a + 3 + nl;
        else if (a[2 + nl] == '\0' && i + 1 < n)
            v = args[i + 1];
    }
    return v;
}

static bool given(char **args, int n, const char *name) {
    size_t nl = strlen(name);
    for (int i = 1; i < n; i++)
        if (strncmp(args[i], "--", 2) == 0 && strncmp(args[i] + 2, name, nl) == 0 &&
            (args[i][2 + nl] == '=' || args[i][2 + nl] == '\0'))
            return true;
    return false;
}

char **lt_mtail_args(int argc, char **argv, int *ret_argc, char ***ret_owned) {
    char **out = calloc((size_t)argc + 2, sizeof *out);
    char **owned = calloc((size_t)argc + 2, sizeof *owned);
    if (!out || !owned) {
        free(out);
        free(owned);
        return NULL;
    }
    size_t n_owned = 0;
    int n = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (i > 0 && a[0] == '-' &&
            ((a[1] >= 'a' && a[1] <= 'z') || (a[1] >= 'A' && a[1] <= 'Z')) &&
            strcmp(a, "-h") != 0) {
            size_t l = strlen(a);
            char *c = malloc(l + 2);
            if (!c)
                goto fail;
            c[0] = '-';
            memcpy(c + 1, a, l + 1);
            owned[n_owned++] = c;
            out[n++] = c;
        } else {
            out[n++] = argv[i];
        }
    }
    if ((given(out, n, "port") || given(out, n, "address")) &&
        !given(out, n, "web.listen-address")) {
        const char *port = value_of(out, n, "port");
        const char *addr = value_of(out, n, "address");
        if (!port || !*port)
            port = "3903";
        if (!addr)
            addr = "";
        bool v6 = strchr(addr, ':') && addr[0] != '[';
        size_t l = strlen(addr) + strlen(port) + 40;
        char *c = malloc(l);
        if (!c)
            goto fail;
        snprintf(c, l, "--web.listen-address=%s%s%s:%s", v6 ? "[" : "", addr, v6 ? "]" : "", port);
        owned[n_owned++] = c;
        out[n++] = c;
    }
    out[n] = NULL;
    *ret_argc = n;
    *ret_owned = owned;
    return out;
fail:
    omx_strv_free(owned);
    free(out);
    return NULL;
}
