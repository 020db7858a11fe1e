/*
 * The runtime channel: the memory a host process and its enclave process (the
 * cove loader) share, and how each side wakes the other.  Both sides include
 * this header; nothing here is trusted by the enclave side - every offset and
 * every message it reads is checked (cove_edge_frame_check, the expected
 * message type, the channel's own state), as an SGX enclave checks what
 * crosses EENTER/EEXIT (shared/research/enclave-sdk.md A2).
 *
 * One memfd (created by the host, MFD_CLOEXEC, passed to the loader as fd 3,
 * closed by the loader after mmap) holds:
 *
 *   [0, 4096)          control block (cove_chan_control)
 *   [chan_off, ...)    one cove_chan per enclave thread (TCS) and switchless worker
 *   [sl_off, ...)      switchless ecall slots (cove_chan_slot)
 *   [osl_off, ...)     switchless ocall slots
 *   [heap_off, ...)    the host's marshalling heap: ecall buffers and frames
 *   [region_off, ...)  per channel, the enclave's marshalling stack: ocall buffers and frames
 *
 * A channel carries one call stack, exactly like a TCS: the host posts ECALL,
 * the enclave answers ECALL_RET or posts OCALL; while an ocall runs the host may
 * post a nested ECALL on the same channel (ecall -> ocall -> ecall), and so on.
 * Each direction is a single-producer single-consumer mailbox (cove_chan_box):
 * the producer writes the message, then increments `seq` (seq_cst) and issues a
 * FUTEX_WAKE when the consumer said it sleeps; the consumer spins on `seq`
 * (the HotCalls/switchless idea, A4 "How fast a cross-process call can be"),
 * then sets `sleeping`, re-reads `seq` and FUTEX_WAITs.  The futex is shared
 * (no FUTEX_PRIVATE_FLAG: the word lives in memory of two processes).
 */
#ifndef COVE_HOST_CHANNEL_H
#define COVE_HOST_CHANNEL_H

#include <linux/futex.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define COVE_CHAN_MAGIC 0x4e414843u /* "CHAN" */
#define COVE_CHAN_VERSION 1u
#define COVE_CHAN_CONTROL_SIZE 4096u
#define COVE_CHAN_FD 3 /* the loader's descriptor for the shared memory */

/* Control-block states. */
enum {
	COVE_CHAN_STARTING = 0,
	COVE_CHAN_READY = 1,   /* loader verified the image and serves calls */
	COVE_CHAN_REFUSED = 2, /* loader refused to start: `reason` says why */
};

/* Message types. */
enum {
	COVE_MSG_ECALL = 1,     /* host -> enclave: run the frame at frame_off */
	COVE_MSG_ECALL_RET = 2, /* enclave -> host: the ecall returned with `status` */
	COVE_MSG_OCALL = 3,     /* enclave -> host */
	COVE_MSG_OCALL_RET = 4, /* host -> enclave */
	COVE_MSG_STOP = 5,      /* host -> enclave: thread exits */
};

typedef struct cove_chan_box {
	_Atomic uint32_t seq;
	_Atomic uint32_t sleeping;
	uint32_t type;
	uint32_t status;
	uint64_t frame_off;
	uint8_t pad[40];
} cove_chan_box;
_Static_assert(sizeof(cove_chan_box) == 64, "one cache line per direction");

typedef struct cove_chan {
	cove_chan_box to_enclave;
	cove_chan_box to_host;
} cove_chan;

/* Switchless slot states. */
enum {
	COVE_SLOT_FREE = 0,
	COVE_SLOT_POSTED = 1, /* caller published id/frame; a worker may take it */
	COVE_SLOT_TAKEN = 2,  /* a worker took it; the call continues on the worker's channel */
	COVE_SLOT_DONE = 3,   /* (ocall slots) the host worker finished; status is valid */
	COVE_SLOT_CLAIMED = 4, /* the caller owns it and is writing id/frame */
};

typedef struct cove_chan_slot {
	_Atomic uint32_t state;
	uint32_t id;
	uint32_t worker; /* ecall slots: the channel index of the worker that took it */
	uint32_t status;
	uint64_t frame_off;
	uint8_t pad[40];
} cove_chan_slot;
_Static_assert(sizeof(cove_chan_slot) == 64, "one cache line per slot");

typedef struct cove_chan_control {
	uint32_t magic;
	uint32_t version;
	_Atomic uint32_t state;
	_Atomic uint32_t violation; /* seccomp: forbidden syscall number + 1; 0 = none */
	uint32_t nchannels;         /* ntcs + nworkers; workers are the last channels */
	uint32_t ntcs;
	uint32_t nworkers;
	uint32_t nslots;            /* switchless ecall slots (and as many ocall slots) */
	uint64_t area_size;
	uint64_t chan_off;
	uint64_t sl_off;
	uint64_t osl_off;
	uint64_t heap_off;
	uint64_t heap_size;
	uint64_t region_off;
	uint64_t region_size;       /* per channel */
	uint32_t spin;              /* spins before a futex sleep */
	_Atomic uint32_t ocall_workers; /* host threads serving switchless ocalls (0 = none) */
	_Atomic uint32_t stop;      /* host asks switchless workers to exit */
	_Atomic uint32_t sl_pending; /* futex: bumped when a switchless ecall is posted to sleeping workers */
	_Atomic uint32_t osl_pending; /* futex: same for switchless ocalls */
	_Atomic uint32_t sl_sleepers; /* switchless ecall workers asleep on sl_pending */
	_Atomic uint32_t osl_sleepers;
	uint32_t secret_memory;     /* written by the loader before READY */
	/* Written by the loader before READY: what it measured and runs. */
	uint8_t mr_enclave[32];
	uint8_t mr_signer[32];
	uint16_t isv_prod_id;
	uint16_t isv_svn;
	uint32_t refuse_err;        /* the loader's cove_err when it refused */
	uint64_t attr_flags;
	char reason[1024];          /* loader's refusal, NUL-terminated */
} cove_chan_control;
_Static_assert(sizeof(cove_chan_control) <= COVE_CHAN_CONTROL_SIZE, "control block fits its page");

static inline long cove_futex_wait(_Atomic uint32_t *addr, uint32_t expect, const struct timespec *rel)
{
	return syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAIT, expect, rel, NULL, 0);
}

static inline long cove_futex_wake(_Atomic uint32_t *addr, int n)
{
	return syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAKE, n, NULL, NULL, 0);
}

static inline void cove_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

/* Producer side of a box: publish a message. */
static inline void cove_chan_post(cove_chan_box *b, uint32_t type, uint32_t status, uint64_t frame_off)
{
	b->type = type;
	b->status = status;
	b->frame_off = frame_off;
	atomic_fetch_add_explicit(&b->seq, 1, memory_order_seq_cst);
	if (atomic_load_explicit(&b->sleeping, memory_order_seq_cst))
		cove_futex_wake(&b->seq, 1);
}

/*
 * Consumer side: wait until `seq` differs from *seen (spin `spin` times, then
 * sleep); *seen is updated.  Returns false when `give_up` (may be NULL) says
 * so after a wake-up or a `tick_ms` timeout (the host's check that the
 * enclave is still alive).
 */
static inline bool cove_chan_wait(cove_chan_box *b, uint32_t *seen, uint32_t spin, bool (*give_up)(void *),
				  void *arg, long tick_ms)
{
	for (uint32_t i = 0; i < spin; i++) {
		uint32_t s = atomic_load_explicit(&b->seq, memory_order_acquire);
		if (s != *seen) {
			*seen = s;
			return true;
		}
		cove_cpu_relax();
	}
	for (;;) {
		struct timespec ts = {tick_ms / 1000, (tick_ms % 1000) * 1000000L};
		uint32_t s;

		atomic_store_explicit(&b->sleeping, 1, memory_order_seq_cst);
		s = atomic_load_explicit(&b->seq, memory_order_seq_cst);
		if (s == *seen)
			cove_futex_wait(&b->seq, s, tick_ms > 0 ? &ts : NULL);
		atomic_store_explicit(&b->sleeping, 0, memory_order_relaxed);
		s = atomic_load_explicit(&b->seq, memory_order_acquire);
		if (s != *seen) {
			*seen = s;
			return true;
		}
		if (give_up && give_up(arg))
			return false;
	}
}

#endif
