// SPDX-License-Identifier: MIT
/*
 * Unit tests of the daemon configuration's ptp section as the PTP part uses it: every member
 * parsed (domain, priorities, slave_only, transport, on_lock_change, timestamping), the refusals
 * with their JSON path, and the dump -> parse round trip keeping on_lock_change and timestamping.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aes67/error.h"
#include "config.h"

static int parse(struct aes67d_config *c, const char *json, char *err, size_t err_bytes)
{
	aes67d_config_init(c);
	return aes67d_config_parse(c, json, strlen(json), err, err_bytes);
}

static void test_ptp_section(void **state)
{
	struct aes67d_config c;
	char err[AES67D_ERR_BYTES] = "";

	(void)state;
	assert_int_equal(parse(&c,
			       "{\"ptp\":{\"domain\":127,\"priority1\":10,\"priority2\":250,"
			       "\"slave_only\":true,\"transport\":\"l2\","
			       "\"on_lock_change\":\"/usr/local/bin/ptp-hook\"}}",
			       err, sizeof(err)),
			 0);
	assert_int_equal(c.ptp.domain, 127);
	assert_int_equal(c.ptp.priority1, 10);
	assert_int_equal(c.ptp.priority2, 250);
	assert_true(c.ptp.slave_only);
	assert_int_equal(c.ptp.transport, AES67D_PTP_L2);
	assert_string_equal(c.ptp.on_lock_change, "/usr/local/bin/ptp-hook");
	/* Defaults. */
	assert_int_equal(parse(&c, "{\"ptp\":{}}", err, sizeof(err)), 0);
	assert_int_equal(c.ptp.domain, 0);
	assert_int_equal(c.ptp.priority1, 128);
	assert_int_equal(c.ptp.transport, AES67D_PTP_UDP4);
	assert_string_equal(c.ptp.on_lock_change, "");
}

static void test_ptp_refusals(void **state)
{
	struct aes67d_config c;
	char err[AES67D_ERR_BYTES] = "";

	(void)state;
	assert_int_equal(parse(&c, "{\"ptp\":{\"domain\":128}}", err, sizeof(err)), -AES67_ERANGE);
	assert_non_null(strstr(err, "ptp.domain"));
	assert_int_equal(parse(&c, "{\"ptp\":{\"on_lock_change\":\"hook.sh\"}}", err, sizeof(err)),
			 -AES67_ERANGE);
	assert_string_equal(err, "ptp.on_lock_change: \"hook.sh\" is not an absolute path");
	assert_int_equal(parse(&c, "{\"ptp\":{\"on_lock_change\":5}}", err, sizeof(err)),
			 -AES67_EMALFORMED);
	assert_non_null(strstr(err, "ptp.on_lock_change"));
	assert_int_equal(parse(&c, "{\"ptp\":{\"transport\":\"udp6\"}}", err, sizeof(err)),
			 -AES67_ERANGE);
	assert_non_null(strstr(err, "ptp.transport"));
}

static void test_ptp_round_trip(void **state)
{
	struct aes67d_config a, b;
	char err[AES67D_ERR_BYTES] = "";
	char *text;

	(void)state;
	assert_int_equal(parse(&a,
			       "{\"ptp\":{\"domain\":5,\"transport\":\"l2\","
			       "\"on_lock_change\":\"/bin/true\"}}",
			       err, sizeof(err)),
			 0);
	text = aes67d_config_dump(&a);
	assert_non_null(text);
	assert_non_null(strstr(text, "\"on_lock_change\": \"/bin/true\""));
	assert_int_equal(parse(&b, text, err, sizeof(err)), 0);
	free(text);
	assert_memory_equal(&a.ptp, &b.ptp, sizeof(a.ptp));
	/* Without a hook the key is not written. */
	assert_int_equal(parse(&a, "{}", err, sizeof(err)), 0);
	text = aes67d_config_dump(&a);
	assert_non_null(text);
	assert_null(strstr(text, "on_lock_change"));
	free(text);
}

static void test_ptp_timestamping(void **state)
{
	struct aes67d_config a, b;
	char err[AES67D_ERR_BYTES] = "";
	char *text;

	(void)state;
	assert_int_equal(parse(&a, "{\"ptp\":{}}", err, sizeof(err)), 0);
	assert_int_equal(a.ptp.timestamping, AES67D_PTP_TSCFG_AUTO);
	assert_int_equal(parse(&a, "{\"ptp\":{\"timestamping\":\"auto\"}}", err, sizeof(err)), 0);
	assert_int_equal(a.ptp.timestamping, AES67D_PTP_TSCFG_AUTO);
	assert_int_equal(parse(&a, "{\"ptp\":{\"timestamping\":\"software\"}}", err, sizeof(err)),
			 0);
	assert_int_equal(a.ptp.timestamping, AES67D_PTP_TSCFG_SOFTWARE);
	assert_int_equal(parse(&a, "{\"ptp\":{\"timestamping\":\"hardware\"}}", err, sizeof(err)),
			 0);
	assert_int_equal(a.ptp.timestamping, AES67D_PTP_TSCFG_HARDWARE);
	/* Round trip; "auto" (the default) is not written. */
	text = aes67d_config_dump(&a);
	assert_non_null(text);
	assert_non_null(strstr(text, "\"timestamping\": \"hardware\""));
	assert_int_equal(parse(&b, text, err, sizeof(err)), 0);
	free(text);
	assert_memory_equal(&a.ptp, &b.ptp, sizeof(a.ptp));
	assert_int_equal(parse(&a, "{\"ptp\":{\"timestamping\":\"software\"}}", err, sizeof(err)),
			 0);
	text = aes67d_config_dump(&a);
	assert_non_null(text);
	assert_non_null(strstr(text, "\"timestamping\": \"software\""));
	free(text);
	assert_int_equal(parse(&a, "{}", err, sizeof(err)), 0);
	text = aes67d_config_dump(&a);
	assert_non_null(text);
	assert_null(strstr(text, "timestamping"));
	free(text);
	/* Refusals. */
	assert_int_equal(parse(&a, "{\"ptp\":{\"timestamping\":\"hw\"}}", err, sizeof(err)),
			 -AES67_ERANGE);
	assert_string_equal(
		err, "ptp.timestamping: \"hw\" is not \"auto\", \"software\" or \"hardware\"");
	assert_int_equal(parse(&a, "{\"ptp\":{\"timestamping\":true}}", err, sizeof(err)),
			 -AES67_EMALFORMED);
	assert_non_null(strstr(err, "ptp.timestamping"));
	assert_int_equal(parse(&a, "{\"ptp\":{\"timestamping\":\"\"}}", err, sizeof(err)),
			 -AES67_ERANGE);
	assert_non_null(strstr(err, "ptp.timestamping"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ptp_section),
		cmocka_unit_test(test_ptp_refusals),
		cmocka_unit_test(test_ptp_round_trip),
		cmocka_unit_test(test_ptp_timestamping),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
