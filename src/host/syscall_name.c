/*
 * System call names for host-side messages (syscall_name.h), from
 * libseccomp's tables (seccomp_syscall_resolve_num_arch(3)).
 */
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>

#include "syscall_name.h"

const char *cove_host_syscall_name(uint32_t nr)
{
	static _Thread_local char buf[64];
	if (nr > INT32_MAX)
		return "unknown";
	/* libseccomp returns a copy the caller frees. */
	char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, (int)nr);
	snprintf(buf, sizeof(buf), "%s", name ? name : "unknown");
	free(name);
	return buf;
}
