/*
 * Names of system calls, for the host's messages about an enclave its
 * seccomp filter stopped (the loader reports the number only).
 */
#ifndef COVE_HOST_SYSCALL_NAME_H
#define COVE_HOST_SYSCALL_NAME_H

#include <stdint.h>

/*
 * The name of system call `nr` on this machine's architecture ("openat"), or
 * "unknown" when libseccomp does not know it.  The string lives in a
 * per-thread buffer, valid until this thread's next call.
 */
const char *cove_host_syscall_name(uint32_t nr);

#endif
