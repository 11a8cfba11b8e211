// SPDX-License-Identifier: GPL-2.0
/*
 * skapd.conf parser: a good file gives exactly what it says, and every kind
 * of mistake gives a FILE:LINE message and no configuration at all.
 */

#include <skap/config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"

#define HEAD "[skapd]\nplatform = https://platform.example:8443\n"

#define LINK_B                                                                                     \
	"[link branch-b]\n"                                                                        \
	"peer = dev-b\n"                                                                           \
	"peer-address = 203.0.113.1\n"                                                             \
	"local-address = 198.51.100.1\n"                                                           \
	"local = 192.0.2.0/25\n"                                                                   \
	"remote = 192.0.2.128/25\n"

/* Parses TEXT; on failure the messages are joined in *ERRORS (caller frees). */
static int parse(const char *text, struct skap_daemon_config *cfg, char **errors, size_t *n_err)
{
	struct skap_config_diag diag;
	size_t total = 1;
	int ret;

	ret = skap_config_parse("test.conf", text, strlen(text), cfg, &diag);
	for (size_t i = 0; i < diag.n; i++)
		total += strlen(diag.msgs[i]) + 1;
	*errors = calloc(1, total);
	for (size_t i = 0; i < diag.n; i++) {
		strcat(*errors, diag.msgs[i]);
		strcat(*errors, "\n");
	}
	if (n_err)
		*n_err = diag.n;
	skap_config_diag_free(&diag);
	return ret;
}

/* A bad file: -EINVAL, a message containing WANT, and CFG untouched. */
static int refused_with(const char *text, const char *want)
{
	struct skap_daemon_config cfg;
	char *errors;
	int ret, ok;

	memset(&cfg, 0xa5, sizeof(cfg));
	ret = parse(text, &cfg, &errors, NULL);
	ok = ret == -EINVAL && strstr(errors, want) != NULL;
	for (size_t i = 0; ok && i < sizeof(cfg); i++)
		ok = ((unsigned char *)&cfg)[i] == 0xa5;
	if (!ok)
		fprintf(stderr, "# want '%s', got %d:\n%s", want, ret, errors);
	free(errors);
	return ok;
}

TEST(full_file_parses_to_what_it_says)
{
	const char *text = "# gateway A\n"
			   "[skapd]\n"
			   "platform = https://platform.example:8443\n"
			   "ca = /etc/skap/platform-ca.pem\n"
			   "state-dir = /var/lib/skap-a\n"
			   "control = /run/skap-a/ctl.sock\n"
			   "listen = [2001:db8:1::1]:7600\n"
			   "log-level = debug\n"
			   "\n" LINK_B "local = 192.0.2.64/26, 192.0.2.0/28\n"
			   "mode = tunnel\n"
			   "start = immediate\n"
			   "lifetime = 10m\n"
			   "rekey-after = 8m\n"
			   "lifetime-bytes = 4G\n"
			   "[link host-c]\n"
			   "peer = dev-c\n"
			   "peer-address = [2001:db8:2::1]:9000\n"
			   "local-address = 2001:db8:1::1\n"
			   "mode = transport\n";
	struct skap_daemon_config cfg;
	const struct skap_link_config *b, *c;
	char *errors, buf[64];

	ASSERT_EQ(0, parse(text, &cfg, &errors, NULL)) TH_LOG("%s", errors);
	free(errors);
	EXPECT_STREQ("https://platform.example:8443", cfg.platform_url);
	EXPECT_STREQ("/etc/skap/platform-ca.pem", cfg.ca_file);
	EXPECT_STREQ("/var/lib/skap-a", cfg.state_dir);
	EXPECT_STREQ("/run/skap-a/ctl.sock", cfg.control_path);
	EXPECT_EQ(SKAP_LOG_DEBUG, cfg.log_level);
	ASSERT_EQ(0, skap_endpoint_format(&cfg.listen, buf, sizeof(buf)));
	EXPECT_STREQ("[2001:db8:1::1]:7600", buf);
	ASSERT_EQ(2, cfg.n_links);

	b = skap_config_link(&cfg, "branch-b");
	ASSERT_NE(NULL, b);
	EXPECT_STREQ("dev-b", b->peer_id);
	EXPECT_EQ(SKAP_DEFAULT_PORT, b->peer.port);
	EXPECT_EQ(0, b->local.port);
	ASSERT_EQ(3, b->n_local_sel);
	ASSERT_EQ(0, skap_prefix_format(&b->local_sel[2], buf, sizeof(buf)));
	EXPECT_STREQ("192.0.2.0/28", buf);
	ASSERT_EQ(1, b->n_remote_sel);
	EXPECT_EQ(SKAP_LINK_TUNNEL, b->mode);
	EXPECT_EQ(SKAP_START_IMMEDIATE, b->start);
	EXPECT_EQ(600, b->lifetime_s);
	EXPECT_EQ(480, b->rekey_after_s);
	EXPECT_EQ(4ULL << 30, b->lifetime_bytes);
	/* Unset soft byte limit: 90% of the hard one. */
	EXPECT_EQ((4ULL << 30) - (4ULL << 30) / 10, b->rekey_after_bytes);
	EXPECT_EQ(10, b->line);

	c = skap_config_link(&cfg, "host-c");
	ASSERT_NE(NULL, c);
	EXPECT_EQ(SKAP_LINK_TRANSPORT, c->mode);
	EXPECT_EQ(SKAP_START_ON_DEMAND, c->start);
	EXPECT_EQ(9000, c->peer.port);
	/* Transport mode: the selectors default to the two endpoints. */
	ASSERT_EQ(1, c->n_local_sel);
	ASSERT_EQ(0, skap_prefix_format(&c->local_sel[0], buf, sizeof(buf)));
	EXPECT_STREQ("2001:db8:1::1/128", buf);
	ASSERT_EQ(0, skap_prefix_format(&c->remote_sel[0], buf, sizeof(buf)));
	EXPECT_STREQ("2001:db8:2::1/128", buf);
	EXPECT_EQ(3600, c->lifetime_s);
	EXPECT_EQ(3240, c->rekey_after_s);
	EXPECT_EQ(0, c->lifetime_bytes);
	EXPECT_EQ(NULL, skap_config_link(&cfg, "nope"));
	skap_config_free(&cfg);
}

TEST(defaults_and_crlf)
{
	struct skap_daemon_config cfg;
	char *errors, buf[64];
	const char *text = "[skapd]\r\nplatform = https://p.example\r\n";

	ASSERT_EQ(0, parse(text, &cfg, &errors, NULL)) TH_LOG("%s", errors);
	free(errors);
	EXPECT_STREQ(SKAP_DEFAULT_STATE_DIR, cfg.state_dir);
	EXPECT_STREQ(SKAP_DEFAULT_CONTROL, cfg.control_path);
	EXPECT_EQ(SKAP_LOG_INFO, cfg.log_level);
	ASSERT_EQ(0, skap_endpoint_format(&cfg.listen, buf, sizeof(buf)));
	EXPECT_STREQ("[::]:7520", buf);
	EXPECT_EQ(0, cfg.n_links);
	skap_config_free(&cfg);
}

TEST(every_error_is_reported_with_its_line)
{
	struct skap_daemon_config cfg;
	char *errors;
	size_t n;
	const char *text = "[skapd]\n"
			   "platform = http://insecure.example\n" /* 2 */
			   "colour = blue\n"			  /* 3 */
			   "[link a]\n"				  /* 4 */
			   "peer = dev a\n"			  /* 5 */
			   "peer-address = 203.0.113.1:0\n"	  /* 6 */
			   "local-address = 198.51.100.1\n"
			   "local = 192.0.2.1/24\n" /* 8 */
			   "remote = 192.0.2.128/25\n";

	ASSERT_EQ(-EINVAL, parse(text, &cfg, &errors, &n));
	/* One message per mistake: a refused value is not also "missing". */
	EXPECT_EQ(5, n) TH_LOG("%s", errors);
	EXPECT_NE(NULL, strstr(errors, "test.conf:2: platform 'http://insecure.example' is not an https:// URL"));
	EXPECT_NE(NULL, strstr(errors, "test.conf:3: unknown key 'colour' in [skapd]"));
	EXPECT_NE(NULL, strstr(errors, "test.conf:5: peer 'dev a' is not a device id"));
	EXPECT_NE(NULL, strstr(errors, "test.conf:6: peer-address '203.0.113.1:0' has a port that is not 1-65535"));
	EXPECT_NE(NULL, strstr(errors, "test.conf:8: local '192.0.2.1/24' has bits set beyond"));
	free(errors);
}

TEST(prefix_with_host_bits_is_refused)
{
	EXPECT_TRUE(refused_with(HEAD LINK_B "local = 192.0.2.1/24\n",
				 "test.conf:9: local '192.0.2.1/24' has bits set beyond its prefix length"));
}

TEST(bad_prefixes_and_addresses)
{
	EXPECT_TRUE(refused_with(HEAD LINK_B "remote = 192.0.2.0/33\n", "not 0-32"));
	EXPECT_TRUE(refused_with(HEAD LINK_B "remote = 2001:db8::/129\n", "not 0-128"));
	EXPECT_TRUE(refused_with(HEAD LINK_B "remote = 192.0.2.0/\n", "not 0-32"));
	EXPECT_TRUE(refused_with(HEAD LINK_B "remote = 192.0.2.0/2x\n", "not 0-32"));
	EXPECT_TRUE(refused_with(HEAD LINK_B "remote = gateway.example/24\n",
				 "is not an IPv4 or IPv6 address"));
	EXPECT_TRUE(refused_with(HEAD LINK_B "remote = 192.0.2.128/25,,192.0.2.0/28\n",
				 "'remote' has an empty item"));
	EXPECT_TRUE(refused_with(HEAD "[link x]\npeer = d\npeer-address = [2001:db8::1\n",
				 "has '[' without ']'"));
	EXPECT_TRUE(refused_with(HEAD "[link x]\npeer = d\npeer-address = [2001:db8::1]x\n",
				 "text after ']'"));
	EXPECT_TRUE(refused_with(HEAD "[link x]\npeer = d\npeer-address = 203.0.113.1:70000\n",
				 "not 1-65535"));
	EXPECT_TRUE(refused_with(HEAD "[link x]\npeer = d\nlocal-address = 198.51.100.1:7520\n",
				 "local-address '198.51.100.1:7520' takes no port"));
}

TEST(too_many_selectors)
{
	char text[4096];
	int n = snprintf(text, sizeof(text), "%s%s", HEAD, LINK_B);

	for (int i = 0; i < SKAP_CONFIG_MAX_SELECTORS; i++)
		n += snprintf(text + n, sizeof(text) - (size_t)n, "remote = 10.%d.0.0/16\n", i);
	EXPECT_TRUE(refused_with(text, "'remote' has more than 16 prefixes"));
}

TEST(missing_pieces)
{
	EXPECT_TRUE(refused_with("", "test.conf: no [skapd] section"));
	EXPECT_TRUE(refused_with("[skapd]\nlog-level = info\n", "test.conf:1: [skapd] has no 'platform'"));
	EXPECT_TRUE(refused_with(HEAD "[link x]\n", "test.conf:3: link 'x' has no 'peer'"));
	EXPECT_TRUE(refused_with(HEAD "[link x]\n", "link 'x' has no 'peer-address'"));
	EXPECT_TRUE(refused_with(HEAD "[link x]\n", "link 'x' has no 'local-address'"));
	EXPECT_TRUE(refused_with(HEAD "[link x]\n", "link 'x' has no 'local'"));
	EXPECT_TRUE(refused_with(HEAD "[link x]\n", "link 'x' has no 'remote'"));
	EXPECT_TRUE(refused_with(HEAD "[link x]\npeer =\n", "'peer' has no value"));
	EXPECT_TRUE(refused_with(HEAD "= value\n", "missing key before '='"));
	EXPECT_TRUE(refused_with(HEAD "just words\n", "test.conf:3: expected 'key = value'"));
}

TEST(sections)
{
	EXPECT_TRUE(refused_with("platform = https://p\n" HEAD,
				 "test.conf:1: 'platform' is outside a valid [skapd] or [link NAME] section"));
	EXPECT_TRUE(refused_with(HEAD "[skapd]\n", "test.conf:3: [skapd] appears twice (first on line 1)"));
	EXPECT_TRUE(refused_with(HEAD "[links x]\n", "unknown section [links x]"));
	EXPECT_TRUE(refused_with(HEAD "[link x\n", "malformed section header"));
	EXPECT_TRUE(refused_with(HEAD "[link x] trailing\n", "malformed section header"));
	EXPECT_TRUE(refused_with(HEAD "[link bad/name]\n", "link name 'bad/name' is not"));
	EXPECT_TRUE(refused_with(HEAD LINK_B LINK_B,
				 "test.conf:9: link 'branch-b' is defined twice (first on line 3)"));
}

TEST(duplicate_keys)
{
	EXPECT_TRUE(refused_with(HEAD "platform = https://q\n",
				 "test.conf:3: 'platform' is set twice (first on line 2)"));
	EXPECT_TRUE(refused_with(HEAD LINK_B "peer = dev-c\n", "'peer' is set twice (first on line 4)"));
	EXPECT_TRUE(refused_with(HEAD LINK_B "mode = tunnel\nmode = transport\n", "'mode' is set twice"));
}

TEST(bad_values)
{
	EXPECT_TRUE(refused_with(HEAD "log-level = loud\n", "log-level 'loud' is not one of"));
	EXPECT_TRUE(refused_with(HEAD "ca = relative.pem\n", "ca 'relative.pem' is not an absolute path"));
	EXPECT_TRUE(refused_with(HEAD "state-dir = var/lib\n", "is not an absolute path"));
	EXPECT_TRUE(refused_with(HEAD "listen = 0.0.0.0:x\n", "listen '0.0.0.0:x' has a port"));
	EXPECT_TRUE(refused_with(HEAD LINK_B "mode = bridge\n", "mode 'bridge' is not tunnel or transport"));
	EXPECT_TRUE(refused_with(HEAD LINK_B "start = later\n", "start 'later' is not on-demand or immediate"));
	EXPECT_TRUE(refused_with(HEAD LINK_B "lifetime = 1w\n", "lifetime '1w' is not a duration"));
	EXPECT_TRUE(refused_with(HEAD LINK_B "lifetime = 0\n", "lifetime '0' is not a duration"));
	EXPECT_TRUE(refused_with(HEAD LINK_B "lifetime = 99999999999999999999\n", "is not a duration"));
	EXPECT_TRUE(refused_with(HEAD LINK_B "lifetime = 18446744073709551615d\n", "is not a duration"));
	EXPECT_TRUE(refused_with(HEAD LINK_B "lifetime = 10ss\n", "is not a duration"));
	EXPECT_TRUE(refused_with(HEAD LINK_B "lifetime-bytes = 1P\n", "is not a byte count"));
	EXPECT_TRUE(refused_with(HEAD LINK_B "lifetime-bytes = -1\n", "is not a byte count"));
	EXPECT_TRUE(refused_with(HEAD "platform2 = x\n", "unknown key 'platform2'"));
	EXPECT_TRUE(refused_with(HEAD LINK_B "color = red\n", "unknown key 'color' in [link branch-b]"));
}

TEST(control_socket_path)
{
	char long_path[SKAP_CONTROL_PATH_MAX + 16] = "control = /";
	struct skap_daemon_config cfg;
	char *text, *errors;

	EXPECT_TRUE(refused_with(HEAD "control = run/skapd.sock\n",
				 "test.conf:3: control 'run/skapd.sock' is not an absolute path"));
	EXPECT_TRUE(
		refused_with(HEAD "control = /run/skap/\n", "is not an absolute path to a socket"));
	EXPECT_TRUE(refused_with(HEAD "control = /a\ncontrol = /b\n",
				 "test.conf:4: 'control' is set twice (first on line 3)"));
	/* sun_path holds 107 characters and a NUL: one more is refused, not cut. */
	memset(long_path + 11, 'x', SKAP_CONTROL_PATH_MAX);
	ASSERT_LE(0, asprintf(&text, HEAD "%s\n", long_path));
	EXPECT_TRUE(refused_with(text, "test.conf:3: control path is longer than 107 characters"));
	free(text);
	long_path[11 + SKAP_CONTROL_PATH_MAX - 1] = 0;
	ASSERT_LE(0, asprintf(&text, HEAD "%s\n", long_path));
	ASSERT_EQ(0, parse(text, &cfg, &errors, NULL)) TH_LOG("%s", errors);
	EXPECT_EQ(SKAP_CONTROL_PATH_MAX, strlen(cfg.control_path));
	skap_config_free(&cfg);
	free(errors);
	free(text);
}

TEST(lifetime_rules)
{
	EXPECT_TRUE(refused_with(HEAD LINK_B "lifetime = 1\n", "lifetime must be at least 2 s"));
	EXPECT_TRUE(refused_with(HEAD LINK_B "lifetime = 60\nrekey-after = 60\n",
				 "rekey-after (60 s) must be shorter than lifetime (60 s)"));
	EXPECT_TRUE(refused_with(HEAD LINK_B "rekey-after = 2h\n", "must be shorter than lifetime"));
	EXPECT_TRUE(refused_with(HEAD LINK_B "rekey-after-bytes = 1M\n",
				 "rekey-after-bytes needs lifetime-bytes"));
	EXPECT_TRUE(refused_with(HEAD LINK_B "lifetime-bytes = 1M\nrekey-after-bytes = 2M\n",
				 "rekey-after-bytes must be smaller than lifetime-bytes"));
}

TEST(families_must_agree)
{
	EXPECT_TRUE(refused_with(HEAD LINK_B "remote = 2001:db8:b::/64\n", "mix IPv4 and IPv6"));
	EXPECT_TRUE(refused_with(HEAD "[link x]\npeer = d\npeer-address = 2001:db8::1\n"
				      "local-address = 198.51.100.1\nmode = transport\n",
				 "not both IPv4 or both IPv6"));
}

TEST(overlapping_links_are_refused)
{
	EXPECT_TRUE(refused_with(HEAD LINK_B
				 "[link other]\npeer = dev-c\npeer-address = 203.0.113.9\n"
				 "local-address = 198.51.100.1\nlocal = 192.0.2.0/24\n"
				 "remote = 192.0.2.192/26\n",
				 "test.conf:9: link 'other' covers traffic that link 'branch-b' (line 3)"));
}

TEST(disjoint_links_are_fine)
{
	struct skap_daemon_config cfg;
	char *errors;

	ASSERT_EQ(0, parse(HEAD LINK_B "[link other]\npeer = dev-c\npeer-address = 203.0.113.9\n"
				       "local-address = 198.51.100.1\nlocal = 192.0.2.0/25\n"
				       "remote = 198.18.0.0/15\n",
			   &cfg, &errors, NULL))
		TH_LOG("%s", errors);
	free(errors);
	EXPECT_EQ(2, cfg.n_links);
	skap_config_free(&cfg);
}

TEST(hostile_bytes)
{
	struct skap_daemon_config cfg;
	struct skap_config_diag diag;
	char *big;
	static const char nul[] = HEAD "ca = /a\0b\n";

	EXPECT_TRUE(refused_with(HEAD "ca = /etc/\x01x\n", "test.conf:3: line contains a control character"));
	ASSERT_EQ(-EINVAL, skap_config_parse("t", nul, sizeof(nul) - 1, &cfg, &diag));
	ASSERT_EQ(1, diag.n);
	EXPECT_STREQ("t:3: line contains a NUL byte", diag.msgs[0]);
	skap_config_diag_free(&diag);

	big = malloc(SKAP_CONFIG_LINE_MAX + 64);
	ASSERT_NE(NULL, big);
	strcpy(big, HEAD "ca = /");
	memset(big + strlen(big), 'a', SKAP_CONFIG_LINE_MAX);
	strcpy(big + strlen(HEAD "ca = /") + SKAP_CONFIG_LINE_MAX, "\n");
	EXPECT_TRUE(refused_with(big, "test.conf:3: line longer than 1024 characters"));
	free(big);
}

TEST(error_flood_is_bounded)
{
	size_t len = 100000 * 4;
	char *text = malloc(len + 1);
	struct skap_daemon_config cfg;
	struct skap_config_diag diag;

	ASSERT_NE(NULL, text);
	for (size_t i = 0; i < len; i += 4)
		memcpy(text + i, "x=\n\n", 4);
	ASSERT_EQ(-EINVAL, skap_config_parse("t", text, len, &cfg, &diag));
	EXPECT_EQ(100, diag.n);
	EXPECT_NE(NULL, strstr(diag.msgs[diag.n - 1], "too many errors"));
	skap_config_diag_free(&diag);
	free(text);
}

TEST(load_from_files)
{
	char path[] = "/tmp/skap-config-XXXXXX";
	struct skap_daemon_config cfg;
	struct skap_config_diag diag;
	int fd = mkstemp(path);
	FILE *f;

	ASSERT_LE(0, fd);
	f = fdopen(fd, "w");
	fputs(HEAD LINK_B, f);
	fclose(f);
	ASSERT_EQ(0, skap_config_load(path, &cfg, &diag));
	EXPECT_EQ(1, cfg.n_links);
	skap_config_free(&cfg);

	/* Larger than the limit: refused without parsing. */
	f = fopen(path, "w");
	for (int i = 0; i < SKAP_CONFIG_FILE_MAX / 16 + 1; i++)
		fputs("# padding......\n", f);
	fclose(f);
	EXPECT_EQ(-EFBIG, skap_config_load(path, &cfg, &diag));
	ASSERT_EQ(1, diag.n);
	EXPECT_NE(NULL, strstr(diag.msgs[0], "larger than"));
	skap_config_diag_free(&diag);
	unlink(path);

	EXPECT_EQ(-ENOENT, skap_config_load(path, &cfg, &diag));
	ASSERT_EQ(1, diag.n);
	EXPECT_NE(NULL, strstr(diag.msgs[0], "cannot open"));
	skap_config_diag_free(&diag);

	EXPECT_EQ(-EINVAL, skap_config_load("/tmp", &cfg, &diag));
	ASSERT_EQ(1, diag.n);
	EXPECT_STREQ("/tmp: not a regular file", diag.msgs[0]);
	skap_config_diag_free(&diag);
}

TEST(prefix_overlap)
{
	struct skap_prefix a, b;

	a = (struct skap_prefix){ .family = AF_INET, .len = 24 };
	b = (struct skap_prefix){ .family = AF_INET, .len = 25 };
	inet_pton(AF_INET, "192.0.2.0", a.addr);
	inet_pton(AF_INET, "192.0.2.128", b.addr);
	EXPECT_TRUE(skap_prefix_overlaps(&a, &b));
	a.len = 25;
	EXPECT_FALSE(skap_prefix_overlaps(&a, &b));
	a.len = 0;
	EXPECT_TRUE(skap_prefix_overlaps(&a, &b));
	a.family = AF_INET6;
	EXPECT_FALSE(skap_prefix_overlaps(&a, &b));
}

TEST_HARNESS_MAIN
