/* mtail's command line, accepted as omx-logtail's: Go's flag package takes
 * -flag as well as --flag, and mtail binds to --address/--port where the
 * exporters take --web.listen-address. */
#ifndef LT_MTAILARGS_H
#define LT_MTAILARGS_H

/* Returns a malloc'ed argv copy (strings borrowed from argv or owned by
 * *ret_owned, a malloc'ed NULL-terminated array to free with omx_strv_free):
 * every "-name..." with a letter after the one dash (but "-h") becomes
 * "--name...", and when --port or --address is given without
 * --web.listen-address, "--web.listen-address=<address>:<port>" (default
 * port 3903; an IPv6 address in brackets) is added. *ret_argc gets the new
 * count. Returns NULL on allocation failure. */
char **lt_mtail_args(int argc, char **argv, int *ret_argc, char ***ret_owned);

#endif
