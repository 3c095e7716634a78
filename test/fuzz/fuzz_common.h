/*
 * fuzz_common.h
 *	  Shared by the libFuzzer targets of test/fuzz: an assertion that aborts
 *	  (so that libFuzzer records the input as a crash), and helpers that give
 *	  a formatter exactly its documented buffer, so that AddressSanitizer
 *	  catches a byte written past it.
 */
#ifndef CHIBO_FUZZ_COMMON_H
#define CHIBO_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_ASSERT(cond) \
	do { \
		if (!(cond)) \
		{ \
			fprintf(stderr, "%s:%d: property violated: %s\n", \
					__FILE__, __LINE__, #cond); \
			abort(); \
		} \
	} while (0)

/*
 * A heap copy of the input: the parsers take (pointer, length) and must not
 * read past length; a malloc'd block of exactly that size lets ASan see it.
 */
static inline char *
fuzz_copy(const uint8_t *data, size_t size)
{
	char	   *p = malloc(size ? size : 1);

	FUZZ_ASSERT(p != NULL);
	if (size)
		memcpy(p, data, size);
	return p;
}

/*
 * Checks what a formatter returned: n characters, NUL-terminated, fitting
 * its buffer of bufsize bytes.
 */
static inline void
fuzz_check_formatted(const char *buf, size_t n, size_t bufsize)
{
	FUZZ_ASSERT(n < bufsize);
	FUZZ_ASSERT(strlen(buf) == n);
}

#endif							/* CHIBO_FUZZ_COMMON_H */
