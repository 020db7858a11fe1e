/*
 * The trusted side of the minimal test enclave (minimal.edl): code, a
 * read-only table, relocated data and a bss counter, so that the image has
 * the segments a real enclave has.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "minimal_t.h"

static const char greeting[] = "minimal enclave";
static const char *const messages[] = {greeting, "fill"}; /* relocated at load time */
static uint64_t calls;                                     /* bss */

int ecall_minimal_add(int a, int b)
{
	calls++;
	return (int)((unsigned)a + (unsigned)b);
}

void ecall_minimal_fill(uint8_t *buf, size_t len, uint8_t value)
{
	calls++;
	if (buf)
		memset(buf, value, len);
	if (calls == 1)
		(void)ocall_minimal_log(messages[1]);
}
