/*
 * H2 (and PROC): a FAULT_FLAG_TRIED retry re-reads a FUSE page holding mmap_read_lock,
 * a writer queues, and the server needs the faulting process's mmap_read_lock.
 *
 *   T1  reads one byte of a MAP_PRIVATE mapping of /mnt/f/f (read fault, READ R1)
 *   W   -e diommap: mmap()s the file through a FOPEN_DIRECT_IO open; fuse_file_mmap()
 *       runs invalidate_inode_pages2() under mmap_write_lock, waits for the folio under
 *       read and evicts it right after T1's first pass unlocked it, while T1's retry
 *       queues on mmap_lock behind W (deterministic eviction). -e none: no eviction.
 *   W2  -w 1: when the server sees the re-read R2 (or, without eviction, R1's reply),
 *       -W mprotect: mprotect() of an unrelated anon page: mmap_write_lock queues
 *       behind T1; -W collapse: madvise(MADV_COLLAPSE) of another anon range
 *       (collapse_huge_page's plain mmap_write_lock); -W stack: the main thread (M)
 *       touches 1 MiB below its stack (expand_stack upgrades to mmap_write_lock).
 *   S   -s inproc: a server thread; answers R2 after -d ms with writev() whose data
 *       iovec is a never-touched anon page: GUP in fuse_copy_fill needs mmap_read_lock.
 *       -s proc: a daemon process that reads /proc/<caller>/cmdline before answering
 *       each READ (access_remote_vm takes the caller's mmap_read_lock); -s proc-quiet:
 *       the same daemon without the /proc read (control).
 */
#include "fl.h"
#include <errno.h>
#include <stdint.h>
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25 /* glibc 2.36 lacks it; uapi since 6.1 */
#endif
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/uio.h>
#include <unistd.h>

static struct {
	const char *evict, *server, *how;
	char *thp; /* 2 MiB-aligned anon range populated with small pages (collapse) */
	int writer, delay_ms, secs;
	char *map, *other, *cold;
	int fd_map, fd_dio;
	int nread[FILE_SIZE / PG];
	int pipe_w[2], pipe_w2[2], pipe_go[2];
	volatile int quit_w2;
	volatile pid_t tid_w;
} g;

/* the daemon (proc) reads the caller's cmdline: access_remote_vm on its mm */
static void read_cmdline(uint32_t pid)
{
	char path[64], b[256];
	snprintf(path, sizeof path, "/proc/%u/cmdline", pid);
	fl_log("S", "reading %s ...", path);
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, b, sizeof b);
	if (fd >= 0)
		close(fd);
	fl_log("S", "read %s -> %zd", path, n);
}

/* answer R2 from a cold anon page: writev -> fuse_copy_fill -> GUP */
static void reply_cold(uint64_t unique, size_t len)
{
	struct fuse_out_header oh = { .unique = unique, .error = 0 };
	if (len > PG)
		len = PG;
	oh.len = sizeof oh + len;
	struct iovec iov[2] = { { &oh, sizeof oh }, { g.cold, len } };
	fl_log("S", "writev(/dev/fuse) reply for R2 from cold page %p (GUP) ...", g.cold);
	ssize_t r = writev(fuse_fd, iov, 2);
	fl_log("S", "writev returned %zd", r);
}

static int h2_read(struct fuse_in_header *ih, struct fuse_read_in *in)
{
	int pg = in->offset / PG;
	int n = ++g.nread[pg];
	int proc = !strncmp(g.server, "proc", 4), reads = !strcmp(g.server, "proc");
	fl_log("S", "READ #%d of page %d (pid %u)", n, pg, ih->pid);
	if (reads && n == 1)
		read_cmdline(ih->pid); /* before W holds mmap_write_lock */
	if (n == 1 && pg == 0 && !strcmp(g.evict, "diommap")) {
		msleep(200); /* T1 first in the folio's wait queue */
		fl_log("S", "R1: waking W (mmap of the FOPEN_DIRECT_IO fd)");
		sig_post(g.pipe_w);
		wait_d("S", "W (invalidate_inode_pages2, on the folio)", &g.tid_w, 2000);
	}
	if (n >= 2 && pg == 0) {
		fl_log("S", "R2: page 0 read again: the TRIED retry (holding mmap_read_lock)");
		if (g.writer) {
			fl_log("S", "R2: waking W2 (mprotect of an unrelated page)");
			sig_post(g.pipe_w2);
		}
		msleep(g.delay_ms);
		if (proc) {
			if (reads)
				read_cmdline(ih->pid);
			return 0;
		}
		reply_cold(ih->unique, in->size);
		return 1;
	}
	if (n == 1 && pg == 0 && !strcmp(g.evict, "none") && g.writer) {
		fl_log("S", "R1 (no eviction): waking W2 anyway");
		sig_post(g.pipe_w2);
		msleep(g.delay_ms);
	}
	return 0;
}

static uint32_t h2_open_flags(uint32_t flags)
{
	return (flags & O_NONBLOCK) ? FOPEN_DIRECT_IO : FOPEN_KEEP_CACHE;
}

static const struct fuse_hooks hooks = { .read = h2_read, .open_flags = h2_open_flags };

static void *faulter(void *arg)
{
	(void)arg;
	thread_begin("fl-T1", NULL, g.pipe_go);
	fl_log("T1", "read fault on map+0 (%p) ...", g.map);
	volatile char c = *(volatile char *)g.map;
	fl_log("T1", "fault done, byte='%c'", c);
	/* -W stack: M waits for R2, which a design that keeps the retry under the VMA
	 * lock (or never drops it) does not send; the fault's end releases M instead */
	if (!strcmp(g.how, "stack"))
		sig_post(g.pipe_w2);
	return NULL;
}

static void *evictor(void *arg)
{
	(void)arg;
	thread_begin("fl-W", &g.tid_w, g.pipe_w);
	if (g.quit_w2)
		return NULL;
	fl_log("W", "mmap(MAP_PRIVATE, FOPEN_DIRECT_IO fd) ...");
	void *p = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, g.fd_dio, 0);
	fl_log("W", "mmap returned %p", p);
	return NULL;
}

static void *writer(void *arg)
{
	(void)arg;
	thread_begin("fl-W2", NULL, g.pipe_w2);
	if (g.quit_w2)
		return NULL;
	msleep(50);
	if (!strcmp(g.how, "collapse")) {
		fl_log("W2", "madvise(MADV_COLLAPSE) -> collapse_huge_page: mmap_write_lock ...");
		int r = madvise(g.thp, 2 << 20, MADV_COLLAPSE);
		fl_log("W2", "madvise returned %d (%s)", r, r ? strerror(errno) : "ok");
		return NULL;
	}
	fl_log("W2", "mprotect(other) -> mmap_write_lock ...");
	int r = mprotect(g.other, PG, PROT_READ);
	fl_log("W2", "mprotect returned %d", r);
	return NULL;
}

/* the main thread touches 1 MiB below its stack: expand_stack needs mmap_write_lock */
static __attribute__((noinline)) void grow_stack(void)
{
	volatile char big[1 << 20];
	big[0] = 1;
	fl_log("M", "stack grown (%p)", (void *)&big[0]);
}

static char *map_thp_range(void)
{
	char *p = mmap(NULL, 4 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("mmap thp");
	p = (char *)(((uintptr_t)p + (2 << 20) - 1) & ~(uintptr_t)((2 << 20) - 1));
	/* THP "madvise": faults here get small pages and khugepaged leaves the range
	 * alone (MADV_HUGEPAGE would wake it to collapse the range before the test does);
	 * MADV_COLLAPSE does not need VM_HUGEPAGE */
	int fd = open("/sys/kernel/mm/transparent_hugepage/enabled", O_WRONLY);
	if (fd >= 0) {
		if (write(fd, "madvise", 7) < 0) {}
		close(fd);
	}
	memset(p, 1, 2 << 20);
	return p;
}

static int test(void *arg)
{
	(void)arg;
	pthread_t ts;
	struct fl_thread t1, tw, tw2;
	pid_t daemon = 0;
	set_role("fl-M");
	if (pipe(g.pipe_w) || pipe(g.pipe_w2) || pipe(g.pipe_go))
		die("pipe");
	fuse_prepare_buffers();
	g.other = map_guarded(1);
	memset(g.other, 0, PG);
	g.cold = map_guarded(64); /* fresh VMA, never faulted, no anon_vma */
	if (!strcmp(g.how, "collapse"))
		g.thp = map_thp_range();
	fuse_mount();
	if (!strncmp(g.server, "proc", 4)) {
		daemon = fork();
		if (daemon == 0) {
			fuse_role = "fl-D";
			fuse_server_thread((void *)&hooks);
			_exit(0);
		}
		close(fuse_fd); /* only the daemon holds /dev/fuse */
	} else {
		pthread_create(&ts, NULL, fuse_server_thread, (void *)&hooks);
	}
	fuse_disable_flush();
	g.fd_map = open(MNT "/" FNAME, O_RDONLY);
	if (g.fd_map < 0)
		die("open fuse file");
	g.map = mmap(NULL, FILE_SIZE, PROT_READ, MAP_PRIVATE, g.fd_map, 0);
	if (g.map == MAP_FAILED)
		die("mmap fuse file");
	g.fd_dio = open(MNT "/" FNAME, O_RDONLY | O_NONBLOCK);
	if (g.fd_dio < 0)
		die("open dio");
	fl_spawn(&tw, evictor, NULL);
	fl_spawn(&t1, faulter, NULL);
	int stack = !strcmp(g.how, "stack"); /* M is the writer, there is no W2 */
	if (!stack)
		fl_spawn(&tw2, writer, NULL);
	msleep(300);
	fl_log("M", "setup done: evict=%s writer=%d server=%s delay=%d", g.evict, g.writer, g.server, g.delay_ms);
	sig_post(g.pipe_go);
	if (!strcmp(g.how, "stack") && g.writer) {
		sig_wait(g.pipe_w2); /* the server saw R2, or T1's fault ended */
		msleep(50);
		fl_log("M", "touching 1 MiB below the stack -> expand_stack: mmap_write_lock ...");
		grow_stack();
	}
	fl_join(&t1);
	g.quit_w2 = 1; /* release W and W2 if they were never woken */
	sig_post(g.pipe_w);
	fl_join(&tw);
	if (!stack) {
		sig_post(g.pipe_w2);
		fl_join(&tw2);
	}
	fl_log("M", "all threads finished; reads of page 0: %d", g.nread[0]);
	watchdog_done();
	munmap(g.map, FILE_SIZE);
	close(g.fd_map);
	close(g.fd_dio);
	umount2(MNT, MNT_DETACH);
	if (daemon)
		kill(daemon, SIGKILL);
	return 0;
}

int case_h2(int argc, char **argv)
{
	int opt;
	g.evict = "diommap";
	g.server = "inproc";
	g.writer = 1;
	g.how = "mprotect";
	g.delay_ms = 1000;
	g.secs = 12;
	while ((opt = getopt(argc, argv, "e:w:W:s:d:T:")) != -1) {
		switch (opt) {
		case 'W': g.how = optarg; break;
		case 'e': g.evict = optarg; break;
		case 'w': g.writer = atoi(optarg); break;
		case 's': g.server = optarg; break;
		case 'd': g.delay_ms = atoi(optarg); break;
		case 'T': g.secs = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: fltest h2 [-e diommap|none] [-w 0|1] [-W mprotect|collapse|stack] [-s inproc|proc|proc-quiet] [-d ms] [-T secs]\n");
			return 2;
		}
	}
	return watchdog(test, NULL, g.secs);
}
