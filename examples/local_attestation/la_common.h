/*
 * examples/local_attestation/la_common.h - what alice and bob agree on: the
 * REPORTDATA layout of the sample, challenge (32 bytes) || label (32 bytes).
 */
#ifndef LA_COMMON_H
#define LA_COMMON_H

#define LA_CHALLENGE_SIZE 32
#define LA_LABEL "alice->bob"
#define LA_LABEL_SIZE 32 /* LA_LABEL zero-padded */

#endif
