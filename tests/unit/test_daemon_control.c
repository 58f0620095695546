// SPDX-License-Identifier: MIT
/*
 * Unit tests for the aes67d control socket (src/daemon/control.c, commands.c), in process: the
 * server runs on a temp path; the test connects as a client and checks the socket's mode (0600),
 * good and bad requests, unknown commands, oversize input (error, then the connection closes),
 * the client limit, stream.add/remove/list changing the saved configuration atomically, and
 * (when run as root) that a client of another uid is refused and counted (SO_PEERCRED).
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "config.h"
#include "daemon.h"

static char dir[64], sock_path[96], cfg_path[128];
static struct aes67d d;

static int connect_client(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		if (fd >= 0) {
			close(fd);
		}
		return -1;
	}
	return fd;
}

/* Reads one line (without '\n') within 2 s; returns its length, 0 on EOF, -1 on timeout. */
static int read_line(int fd, char *buf, size_t bytes)
{
	size_t n = 0;

	while (n + 1 < bytes) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t r;

		if (poll(&p, 1, 2000) <= 0) {
			return -1;
		}
		r = read(fd, buf + n, 1);
		if (r <= 0) {
			break;
		}
		if (buf[n] == '\n') {
			break;
		}
		n++;
	}
	buf[n] = '\0';
	return (int)n;
}

static void request(int fd, const char *req, char *resp, size_t bytes)
{
	assert_int_equal(write(fd, req, strlen(req)), (ssize_t)strlen(req));
	assert_true(read_line(fd, resp, bytes) > 0);
}

static int setup(void **state)
{
	struct aes67d_control_params p = {0};
	char err[AES67D_ERR_BYTES];

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/aes67d-ctltest-XXXXXX");
	if (mkdtemp(dir) == NULL) {
		return -1;
	}
	snprintf(sock_path, sizeof(sock_path), "%s/ctl.sock", dir);
	snprintf(cfg_path, sizeof(cfg_path), "%s/aes67d.json", dir);
	if (aes67d_config_load(&d.config, AES67_TEST_DATA_DIR "/config/good_minimal.json", err,
			       sizeof(err)) < 0) {
		return -1;
	}
	d.config_path = cfg_path;
	d.pid = getpid();
	p.path = sock_path;
	p.max_request_bytes = 1024;
	p.max_clients = 3;
	if (aes67d_control_create(&d.control, &p) < 0 ||
	    aes67d_commands_register(d.control, &d) < 0 || aes67d_control_start(d.control) < 0) {
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	aes67d_control_destroy(d.control);
	unlink(cfg_path);
	rmdir(dir);
	return 0;
}

static void test_socket_mode(void **state)
{
	struct stat st;
	struct aes67d_control *second = NULL;
	struct aes67d_control_params p = {.path = sock_path};

	(void)state;
	assert_int_equal(lstat(sock_path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
	/* A live socket is never taken over by a second server. */
	assert_int_equal(aes67d_control_create(&second, &p), -EADDRINUSE);
}

static void test_basic_commands(void **state)
{
	char resp[4096];
	int fd = connect_client();

	(void)state;
	assert_true(fd >= 0);
	request(fd, "{\"cmd\":\"ping\",\"id\":7}\n", resp, sizeof(resp));
	assert_string_equal(resp, "{\"ok\":true,\"id\":7,\"pong\":true}");
	request(fd, "{\"cmd\":\"version\"}\n", resp, sizeof(resp));
	assert_string_equal(resp, "{\"ok\":true,\"version\":\"0.1.0\",\"protocol\":1}");
	request(fd, "{\"cmd\":\"status\"}\n", resp, sizeof(resp));
	assert_non_null(strstr(resp, "\"ok\":true"));
	assert_non_null(strstr(resp, "\"interface\":\"veth0\""));
	assert_non_null(strstr(resp, "\"rx_streams\":1"));
	/* Two requests in one write are answered in order. */
	request(fd, "{\"cmd\":\"ping\",\"id\":1}\n{\"cmd\":\"ping\",\"id\":2}\n", resp,
		sizeof(resp));
	assert_string_equal(resp, "{\"ok\":true,\"id\":1,\"pong\":true}");
	assert_true(read_line(fd, resp, sizeof(resp)) > 0);
	assert_string_equal(resp, "{\"ok\":true,\"id\":2,\"pong\":true}");
	request(fd, "{\"cmd\":\"help\"}\n", resp, sizeof(resp));
	assert_non_null(strstr(resp, "\"stream.add\""));
	close(fd);
}

static void test_bad_requests(void **state)
{
	char resp[4096];
	int fd = connect_client();

	(void)state;
	assert_true(fd >= 0);
	request(fd, "{\"cmd\":\n", resp, sizeof(resp));
	assert_non_null(strstr(resp, "{\"ok\":false,\"error\":\"bad JSON at column"));
	request(fd, "[1,2]\n", resp, sizeof(resp));
	assert_string_equal(resp, "{\"ok\":false,\"error\":\"a request is an object with a "
				  "\\\"cmd\\\" string member\"}");
	request(fd, "{\"cmd\":42}\n", resp, sizeof(resp));
	assert_non_null(strstr(resp, "\"ok\":false"));
	request(fd, "{\"cmd\":\"frobnicate\"}\n", resp, sizeof(resp));
	assert_string_equal(resp, "{\"ok\":false,\"error\":\"unknown command \\\"frobnicate\\\" "
				  "(\\\"help\\\" lists them)\"}");
	/* Still usable after errors. */
	request(fd, "{\"cmd\":\"ping\"}\n", resp, sizeof(resp));
	assert_string_equal(resp, "{\"ok\":true,\"pong\":true}");
	close(fd);
}

static void test_oversize(void **state)
{
	static char big[5000];
	char resp[512];
	int fd = connect_client();

	(void)state;
	assert_true(fd >= 0);
	memset(big, 'x', sizeof(big));
	assert_int_equal(write(fd, big, sizeof(big)), (ssize_t)sizeof(big));
	assert_true(read_line(fd, resp, sizeof(resp)) > 0);
	assert_string_equal(resp,
			    "{\"ok\":false,\"error\":\"request longer than 1024 bytes; closing\"}");
	assert_int_equal(read_line(fd, resp, sizeof(resp)), 0); /* closed by the server */
	close(fd);
}

static void test_client_limit(void **state)
{
	int fds[4];
	char resp[512];

	(void)state;
	for (int i = 0; i < 3; i++) {
		fds[i] = connect_client();
		assert_true(fds[i] >= 0);
		request(fds[i], "{\"cmd\":\"ping\"}\n", resp, sizeof(resp));
	}
	fds[3] = connect_client();
	assert_true(fds[3] >= 0);
	assert_true(read_line(fds[3], resp, sizeof(resp)) > 0);
	assert_string_equal(resp, "{\"ok\":false,\"error\":\"too many clients\"}");
	for (int i = 0; i < 4; i++) {
		close(fds[i]);
	}
	usleep(50000); /* let the server notice the hang-ups before the next test */
}

static void test_streams(void **state)
{
	char resp[8192], err[AES67D_ERR_BYTES];
	struct aes67d_config saved;
	int fd = connect_client();

	(void)state;
	assert_true(fd >= 0);
	request(fd, "{\"cmd\":\"stream.list\"}\n", resp, sizeof(resp));
	assert_non_null(strstr(resp, "\"tx\":[]"));
	assert_non_null(strstr(resp, "\"name\":\"r\""));
	/* Device "d" has no playback channels, so a tx stream cannot attach: refused. */
	request(fd,
		"{\"cmd\":\"stream.add\",\"direction\":\"tx\",\"stream\":{\"name\":\"t\","
		"\"destination\":\"239.69.9.9\",\"port\":5004,\"encoding\":\"L24\",\"rate\":48000,"
		"\"channels\":2,\"ptime_us\":1000}}\n",
		resp, sizeof(resp));
	assert_non_null(strstr(resp, "device \\\"d\\\" has 0 playback channels"));
	assert_int_equal(access(cfg_path, F_OK), -1); /* nothing saved */
	/* A bad field names its path. */
	request(fd,
		"{\"cmd\":\"stream.add\",\"direction\":\"rx\",\"stream\":{\"name\":\"r2\","
		"\"source\":{\"address\":\"239.69.9.9\",\"port\":5004,\"encoding\":\"L24\","
		"\"rate\":48000,\"channels\":65}}}\n",
		resp, sizeof(resp));
	assert_non_null(strstr(resp, "stream.source.channels: 65 is above the maximum of 64"));
	request(fd, "{\"cmd\":\"stream.add\",\"direction\":\"up\"}\n", resp, sizeof(resp));
	assert_non_null(strstr(resp, "direction: must be"));
	/* A good one is saved. */
	request(fd,
		"{\"cmd\":\"stream.add\",\"direction\":\"rx\",\"stream\":{\"name\":\"r2\","
		"\"sdp\":\"v=0\\r\\n\",\"link_offset_frames\":96}}\n",
		resp, sizeof(resp));
	assert_string_equal(resp, "{\"ok\":true,\"name\":\"r2\"}");
	assert_int_equal(aes67d_config_load(&saved, cfg_path, err, sizeof(err)), 0);
	assert_int_equal(saved.n_rx, 2);
	assert_string_equal(saved.rx[1].name, "r2");
	assert_int_equal(saved.rx[1].link_offset_frames, 96);
	/* Same name again: refused. */
	request(fd,
		"{\"cmd\":\"stream.add\",\"direction\":\"rx\",\"stream\":{\"name\":\"r2\","
		"\"sdp\":\"v=0\"}}\n",
		resp, sizeof(resp));
	assert_non_null(strstr(resp, "already used"));
	request(fd, "{\"cmd\":\"stream.remove\",\"direction\":\"rx\",\"name\":\"r\"}\n", resp,
		sizeof(resp));
	assert_string_equal(resp, "{\"ok\":true}");
	request(fd, "{\"cmd\":\"stream.remove\",\"direction\":\"rx\",\"name\":\"r\"}\n", resp,
		sizeof(resp));
	assert_string_equal(resp,
			    "{\"ok\":false,\"error\":\"name: no rx stream named \\\"r\\\"\"}");
	assert_int_equal(aes67d_config_load(&saved, cfg_path, err, sizeof(err)), 0);
	assert_int_equal(saved.n_rx, 1);
	assert_string_equal(saved.rx[0].name, "r2");
	close(fd);
}

static void test_foreign_uid_refused(void **state)
{
	char resp[512];
	int pipefd[2], wst;
	pid_t pid;

	(void)state;
	if (geteuid() != 0) {
		skip();
	}
	/* Open the file mode up so the kernel lets uid 65534 connect; SO_PEERCRED must still
	 * refuse it. */
	assert_int_equal(chmod(sock_path, 0666), 0);
	assert_int_equal(chmod(dir, 0711), 0);
	assert_int_equal(pipe(pipefd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd;
		ssize_t n;

		close(pipefd[0]);
		if (setgid(65534) != 0 || setuid(65534) != 0) {
			_exit(2);
		}
		fd = connect_client();
		if (fd < 0) {
			_exit(3);
		}
		n = read_line(fd, resp, sizeof(resp));
		if (n > 0 && write(pipefd[1], resp, (size_t)n) != n) {
			_exit(4);
		}
		_exit(0);
	}
	close(pipefd[1]);
	assert_int_equal(waitpid(pid, &wst, 0), pid);
	assert_int_equal(WEXITSTATUS(wst), 0);
	ssize_t n = read(pipefd[0], resp, sizeof(resp) - 1);
	close(pipefd[0]);
	assert_true(n > 0);
	resp[n] = '\0';
	assert_non_null(strstr(resp, "permission denied"));
	assert_int_equal(aes67d_control_refused(d.control), 1);
	assert_int_equal(chmod(sock_path, 0600), 0);
	assert_int_equal(chmod(dir, 0700), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_socket_mode),	    cmocka_unit_test(test_basic_commands),
		cmocka_unit_test(test_bad_requests),	    cmocka_unit_test(test_oversize),
		cmocka_unit_test(test_client_limit),	    cmocka_unit_test(test_streams),
		cmocka_unit_test(test_foreign_uid_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
