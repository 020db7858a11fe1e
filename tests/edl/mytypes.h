/*
 * The foreign types of Open Enclave's oeedger8r tests (foreign.edl includes
 * "mytypes.h", which is not part of the EDL corpus): a two-int struct, a
 * pointer to it ([isptr]) and an array of ten of them ([isary]).
 */
#ifndef COVE_TEST_MYTYPES_H
#define COVE_TEST_MYTYPES_H
typedef struct my_type1 {
	int x;
	int y;
} my_type1;
typedef my_type1 *my_type2;
typedef my_type1 my_type3[10];
#endif
