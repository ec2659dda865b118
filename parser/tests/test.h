/* Tiny assertion macros for the parser's unit tests. */
#ifndef OMP_TEST_H
#define OMP_TEST_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int test_failures;
#define ASSERT(c) do { if (!(c)) { fprintf(stderr, "%s:%d: assertion failed: %s\n", \
	__FILE__, __LINE__, #c); test_failures++; } } while (0)
#define ASSERT_EQ(a, b) do { long long _a = (long long)(a), _b = (long long)(b); if (_a != _b) { \
	fprintf(stderr, "%s:%d: %s == %lld, expected %lld\n", __FILE__, __LINE__, #a, _a, _b); \
	test_failures++; } } while (0)
#define ASSERT_STR(a, b) do { const char *_a = (a), *_b = (b); if (!_a || strcmp(_a, _b)) { \
	fprintf(stderr, "%s:%d: %s == \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #a, \
		_a ? _a : "(null)", _b); test_failures++; } } while (0)
#define TEST_DONE() do { if (test_failures) { fprintf(stderr, "%d failure(s)\n", test_failures); \
	return 1; } printf("ok\n"); return 0; } while (0)
#endif
