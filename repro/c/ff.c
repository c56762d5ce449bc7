/*
 * FF (H1, sketch): fork while the in-process FUSE server's READ is pending and the
 * server's reply buffer faults.
 *
 *   T1  reads one byte of a mapping of /mnt/f/f: filemap_fault misses, READ R1.
 *       Today (and v2) the first pass drops its VMA lock for the I/O; with the lock
 *       held across I/O (P3, hold-io) T1 keeps F's VMA read lock until R1 is answered.
 *       -m private: MAP_PRIVATE PROT_READ (Barry's fork predicate skips it, the
 *       reviewers' is_cow_mapping locks it); -m private-rw: MAP_PRIVATE PROT_WRITE
 *       (both lock it); -m shared: MAP_SHARED (both skip it). -f kernel: T1
 *       write()s the byte to a pipe instead, a kernel-mode fault (lock_mmap first).
 *   W   when the server sees R1: fork(): dup_mmap takes mmap_write_lock, then
 *       vma_start_write_killable on every parent VMA in address order.
 *   S   -s cold: 300 ms after waking W, answers R1 with writev() from a never-touched
 *       anon page: fuse_copy_fill's GUP needs mmap_read_lock, queued behind fork;
 *       -s warm (control): from its pre-faulted buffer (gup_fast, no mmap_lock).
 * Expected: cold + lock held across I/O + fork locks F: HANG (T1 folio, W in
 * __vma_start_write, S in GUP's mmap_read_lock); anything else completes.
 */
#include "fl.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

static struct {
	const char *map_how, *server, *origin;
	int secs, nread;
	char *map, *cold;
	int fd;
	int pipe_w[2];
	volatile int quit;
	volatile pid_t tid_w, tid_m;
} g;

static int ff_read(struct fuse_in_header *ih, struct fuse_read_in *in)
{
	int n = ++g.nread;
	fl_log("S", "READ #%d off=%llu (pid %u)", n, (unsigned long long)in->offset, ih->pid);
	if (n != 1)
		return 0;
	fl_log("S", "R1: waking W (fork)");
	sig_post(g.pipe_w);
	wait_d("S", "W (fork, in dup_mmap at or past F)", &g.tid_w, 2000);
	if (strcmp(g.server, "cold"))
		return 0; /* default reply from the pre-faulted buffer */
	struct fuse_out_header oh = { .unique = ih->unique, .error = 0 };
	size_t len = in->size > PG ? PG : in->size;
	oh.len = sizeof oh + len;
	struct iovec iov[2] = { { &oh, sizeof oh }, { g.cold, len } };
	fl_log("S", "writev(/dev/fuse) reply for R1 from cold page %p (GUP) ...", g.cold);
	ssize_t r = writev(fuse_fd, iov, 2);
	fl_log("S", "writev returned %zd", r);
	return 1;
}

static const struct fuse_hooks hooks = { .read = ff_read };

static void *faulter(void *arg)
{
	(void)arg;
	thread_begin("fl-T1", NULL, NULL);
	msleep(300);
	/* M must already sleep when the fork can start: once dup_mmap has passed the
	 * heap and the text, a syscall of M's (glibc's cancellation points write the
	 * TCB, which a static binary keeps in the heap) or a first touch of a text page
	 * faults, and the fault waits for the fork: an actor the model does not have
	 * (CI: M in lock_mm_and_find_vma, and pthread_join's in __gup_longterm_locked) */
	wait_wchan("T1", "M (its join)", &g.tid_m, "pipe_read", 5000);
	if (!strcmp(g.origin, "kernel")) {
		/* write() copies from the mapping: copy_from_user faults in kernel mode,
		 * and x86 do_user_addr_fault goes straight to lock_mmap */
		int p[2];
		if (pipe(p))
			die("pipe");
		fl_log("T1", "write(pipe, map+0 (%p), 1): kernel-mode fault ...", g.map);
		ssize_t n = write(p[1], g.map, 1);
		char c = 0;
		if (n == 1 && read(p[0], &c, 1) != 1)
			c = '?';
		fl_log("T1", "fault done (write returned %zd), byte='%c'", n, c);
		close(p[0]);
		close(p[1]);
		return NULL;
	}
	fl_log("T1", "read fault on map+0 (%p) ...", g.map);
	volatile char c = *(volatile char *)g.map;
	fl_log("T1", "fault done, byte='%c'", c);
	return NULL;
}

static void *forker(void *arg)
{
	(void)arg;
	thread_begin("fl-W", &g.tid_w, g.pipe_w);
	if (g.quit)
		return NULL;
	fl_log("W", "fork() -> dup_mmap: mmap_write_lock, vma_start_write each VMA ...");
	pid_t c = fork();
	if (c == 0)
		_exit(0);
	if (c > 0)
		waitpid(c, NULL, 0);
	fl_log("W", "fork returned %d", c);
	return NULL;
}

static int test(void *arg)
{
	(void)arg;
	struct fl_thread t1, tw;
	set_role("fl-M");
	g.tid_m = gettid();
	if (pipe(g.pipe_w))
		die("pipe");
	fuse_prepare_buffers();
	g.cold = map_guarded(64); /* never faulted */
	fuse_start(fuse_server_thread, (void *)&hooks);
	int shared = !strcmp(g.map_how, "shared"), rw = strcmp(g.map_how, "private");
	g.fd = open(MNT "/" FNAME, shared ? O_RDWR : O_RDONLY);
	if (g.fd < 0)
		die("open fuse file");
	g.map = mmap(NULL, FILE_SIZE, PROT_READ | (rw ? PROT_WRITE : 0),
		     shared ? MAP_SHARED : MAP_PRIVATE, g.fd, 0);
	if (g.map == MAP_FAILED)
		die("mmap fuse file");
	fl_spawn(&tw, forker, NULL);
	fl_spawn(&t1, faulter, NULL);
	fl_log("M", "setup done: map=%s server=%s; T1 starts once M sleeps", g.map_how, g.server);
	fl_join(&t1);
	g.quit = 1;
	sig_post(g.pipe_w);
	fl_join(&tw);
	fl_log("M", "all threads finished; reads: %d", g.nread);
	watchdog_done();
	munmap(g.map, FILE_SIZE);
	close(g.fd);
	umount2(MNT, MNT_DETACH);
	return 0;
}

int case_ff(int argc, char **argv)
{
	int opt;
	g.map_how = "private";
	g.server = "cold";
	g.origin = "user";
	g.secs = 12;
	while ((opt = getopt(argc, argv, "m:s:f:T:")) != -1) {
		switch (opt) {
		case 'm': g.map_how = optarg; break;
		case 's': g.server = optarg; break;
		case 'f': g.origin = optarg; break;
		case 'T': g.secs = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: fltest ff [-m private|private-rw|shared] [-s cold|warm] [-f user|kernel] [-T secs]\n");
			return 2;
		}
	}
	return watchdog(test, NULL, g.secs);
}
