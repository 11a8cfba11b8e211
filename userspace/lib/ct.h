/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Constant-time test hook, private to libskap's KEM and X25519 code.
 *
 * The constant-time test (tests/unit/mlkem_consttime.sh) builds the KEM
 * sources with SKAP_CT_VALGRIND and runs them under valgrind with every
 * secret input marked undefined: any branch or memory index that depends on
 * one is then reported. Values that are public by design though computed
 * from secrets (rho, an encapsulation key) are declared so with CT_PUBLIC,
 * and only at the places that publish them. In normal builds it is nothing.
 */
#ifndef SKAP_LIB_CT_H
#define SKAP_LIB_CT_H

#ifdef SKAP_CT_VALGRIND
#include <valgrind/memcheck.h>
#define CT_PUBLIC(p, n) ((void)VALGRIND_MAKE_MEM_DEFINED(p, n))
#else
#define CT_PUBLIC(p, n) ((void)(p), (void)(n))
#endif

#endif /* SKAP_LIB_CT_H */
