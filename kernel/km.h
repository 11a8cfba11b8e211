/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The xfrm key manager: acquires and expires of skap's own objects.
 */
#ifndef _SKAP_KM_H
#define _SKAP_KM_H

void skap_km_init(void);
void skap_km_exit(void);

#endif /* _SKAP_KM_H */
