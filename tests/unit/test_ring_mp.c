// SPDX-License-Identifier: MIT
/*
 * Two-process test of the ring through a real memfd, as the daemon and the ALSA plugin use it:
 * the test (standing in for the daemon) creates and lays out the region; a forked child maps the
 * same memfd again at its own address (the layout is position independent), validates it, takes
 * playback ownership and writes a counting pattern by absolute position; the parent reads every
 * frame back by position, verifies it and publishes its read position for flow control. The
 * core itself never creates or maps memory; only this test does.
 */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "aes67/error.h"
#include "aes67/ring.h"

#define CHANNELS 4u
#define CAPACITY 1024u
#define TOTAL_FRAMES 200000u
#define BASE_POS (48000ull * 1700000000ull)
/* Bound on spins while waiting for the other side, so a bug fails instead of hanging. */
#define SPIN_LIMIT 200000000u

/* Never zero, distinct per (position, channel), 24-bit left-justified. */
static int32_t pattern(uint64_t pos, uint32_t ch)
{
	uint32_t v = (uint32_t)(pos * 2654435761u) ^ (ch * 40503u);

	return (int32_t)(((v & 0xffffffu) | 1u) << 8);
}

/* The child: an application writing playback through its own mapping. Exit code = verdict. */
static int child_writer(int fd, size_t bytes)
{
	struct aes67_ring ring;
	int32_t buf[97 * CHANNELS];
	const char *why = NULL;
	uint64_t pos = BASE_POS;
	uint32_t chunk = 1;
	void *mem = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (mem == MAP_FAILED) {
		return 10;
	}
	if (aes67_ring_attach(mem, bytes, &ring, &why) != 0) {
		return 11;
	}
	if (aes67_ring_owner_acquire(&ring, (uint64_t)getpid()) != 0) {
		return 12;
	}
	while (pos < BASE_POS + TOTAL_FRAMES) {
		uint32_t n = chunk;
		uint32_t spins = 0;

		if (n > BASE_POS + TOTAL_FRAMES - pos) {
			n = (uint32_t)(BASE_POS + TOTAL_FRAMES - pos);
		}
		/* Flow control: never overwrite what the reader has not consumed. */
		while (pos + n - aes67_ring_read_pos(&ring.play) > CAPACITY) {
			if (++spins > SPIN_LIMIT) {
				return 13;
			}
			sched_yield();
		}
		for (uint32_t i = 0; i < n; i++) {
			for (uint32_t c = 0; c < CHANNELS; c++) {
				buf[i * CHANNELS + c] = pattern(pos + i, c);
			}
		}
		if (aes67_ring_write(&ring.play, pos, buf, n) != (int)n) {
			return 14;
		}
		pos += n;
		chunk = chunk % 97 + 1; /* 1..97 frames: every alignment against the wrap */
	}
	if (aes67_ring_owner_release(&ring, (uint64_t)getpid()) != 0) {
		return 15;
	}
	munmap(mem, bytes);
	return 0;
}

static void test_two_processes_memfd(void **state)
{
	static const struct aes67_ring_geometry geo = {48000, CHANNELS, CHANNELS, CAPACITY,
						       AES67_RING_FORMAT_S32};
	struct aes67_ring_layout l;
	struct aes67_ring ring;
	struct aes67_ring_read_stats st;
	int32_t buf[64 * CHANNELS];
	const char *why = NULL;
	uint64_t rp = BASE_POS;
	uint64_t spins = 0;
	int saw_busy = 0;
	int status = -1;
	size_t bytes;
	void *mem;
	pid_t pid;
	int fd;

	(void)state;
	assert_int_equal(aes67_ring_layout(&geo, &l), 0);
	bytes = (size_t)l.total_bytes;
	fd = memfd_create("aes67-ring-test", MFD_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)bytes), 0);
	mem = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(mem != MAP_FAILED);
	assert_int_equal(aes67_ring_init(mem, bytes, &geo, 77), 0);
	assert_int_equal(aes67_ring_attach(mem, bytes, &ring, &why), 0);
	aes67_ring_set_read_pos(&ring.play, BASE_POS);

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		_exit(child_writer(fd, bytes));
	}

	while (rp < BASE_POS + TOTAL_FRAMES) {
		uint64_t wp = aes67_ring_write_pos(&ring.play);
		uint32_t n;

		if (wp <= rp) {
			assert_true(++spins < SPIN_LIMIT);
			sched_yield();
			continue;
		}
		if (!saw_busy) {
			/* The child owns playback now: a second writer is refused. */
			assert_int_equal(aes67_ring_owner_acquire(&ring, 1), -EBUSY);
			saw_busy = 1;
		}
		n = wp - rp > 64 ? 64 : (uint32_t)(wp - rp);
		assert_int_equal(aes67_ring_read(&ring.play, rp, buf, n, &st), (int)n);
		assert_int_equal(st.valid_frames, n);
		for (uint32_t i = 0; i < n; i++) {
			for (uint32_t c = 0; c < CHANNELS; c++) {
				if (buf[i * CHANNELS + c] != pattern(rp + i, c)) {
					fail_msg("frame %llu channel %u wrong",
						 (unsigned long long)(rp + i - BASE_POS), c);
				}
			}
		}
		rp += n;
		aes67_ring_set_read_pos(&ring.play, rp);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(aes67_ring_write_pos(&ring.play), BASE_POS + TOTAL_FRAMES);
	/* The child released ownership on its way out. */
	assert_int_equal(aes67_ring_owner_acquire(&ring, 1), 0);
	munmap(mem, bytes);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_processes_memfd),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
