/*
 * What coved's routes share: the store, the token signing keys, the verifiers
 * and the policies in force.  Opened once at start-up (state.c).
 */
#ifndef COVED_STATE_H
#define COVED_STATE_H

#include "coved.h"

cove_err coved_state_open(coved *srv, cove_error *e);
void coved_state_close(coved *srv);

#endif
