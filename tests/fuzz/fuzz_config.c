// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: skapd.conf parser. Any input either parses to a valid
 * configuration or yields at least one message; nothing else may happen.
 */

#include <skap/config.h>

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct skap_daemon_config cfg;
	struct skap_config_diag diag;
	int ret;

	ret = skap_config_parse("fuzz", (const char *)data, size, &cfg, &diag);
	if (ret == 0)
		skap_config_free(&cfg);
	else if (ret == -22 && diag.n == 0)
		abort(); /* refused without saying why */
	skap_config_diag_free(&diag);
	return 0;
}
