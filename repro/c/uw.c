/*
 * UW: v2 5/5 (20260430040427.4672-6-baohua@kernel.org) waits for an uptodate folio's
 * lock holding mmap_read_lock, while the lock holder waits for FUSE writeback that the
 * same process's server must answer.
 *
 *   T1  dirties page 0 of MAP_SHARED mapping A (FUSE_WRITEBACK_CACHE); after
 *       sync_file_range queued the page's WRITE (PG_writeback until the server
 *       replies; the PTE write-protected by folio_clear_dirty_for_io), writes it
 *       again: do_wp_page -> fuse_page_mkwrite: folio_lock, folio_wait_writeback,
 *       uninterruptible, holding the folio lock (and its VMA lock).
 *   T2  write(pipe, B + 0, 1) where B is a second, never-touched MAP_SHARED mapping of
 *       the same file: copy_from_user faults in kernel mode, so x86
 *       do_user_addr_fault goes straight to lock_mmap (mmap_read_lock);
 *       filemap_map_pages skips the locked folio, filemap_fault finds it uptodate and
 *       locked: stock drops mmap_lock to wait (lock_folio_maybe_drop_mmap); v2 5/5
 *       cleared FAULT_FLAG_ALLOW_RETRY, so it waits killably holding mmap_read_lock.
 *   S   the server thread, resumed after both wait: -s mmap (default): mmap() of a
 *       buffer (vm_mmap_pgoff: mmap_write_lock_killable) before it reads the WRITE;
 *       -s none: reads it at once (control).
 */
#include "fl.h"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <unistd.h>

static struct {
	const char *server;
	int secs;
	char *a, *b, *rbuf;
	int fd;
	volatile pid_t tid_t1, tid_t2;
	int pipe_t1[2], pipe_t2[2];
	struct fuse_pausable srv;
} g;

static void uw_write(struct fuse_in_header *ih, struct fuse_write_in *in)
{
	fl_log("S", "WRITE off=%llu size=%u (pid %u): replying", (unsigned long long)in->offset, in->size, ih->pid);
}

static const struct fuse_hooks hooks = { .write = uw_write, .init_flags = FUSE_WRITEBACK_CACHE };

/* resumed: do what -s names before reading on */
static void uw_resume(struct fuse_pausable *srv)
{
	(void)srv;
	if (!strcmp(g.server, "mmap")) {
		fl_log("S", "resumed: mmap() of a 1 MiB buffer before reading the WRITE ...");
		void *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		fl_log("S", "mmap returned %p", p);
	} else
		fl_log("S", "resumed: reading the WRITE");
}

static void *mkwriter(void *arg)
{
	(void)arg;
	thread_begin("fl-T1", &g.tid_t1, NULL);
	fl_log("T1", "first write to A+0 (READ, dirty) ...");
	g.a[0] = 'x';
	fl_log("T1", "page 0 dirty");
	sig_wait(g.pipe_t1);
	fl_log("T1", "second write to A+0 (write-protected, under writeback): fuse_page_mkwrite ...");
	g.a[1] = 'y';
	fl_log("T1", "second write done");
	return NULL;
}

static void *reader(void *arg)
{
	(void)arg;
	thread_begin("fl-T2", NULL, NULL);
	int p[2];
	if (pipe(p))
		die("pipe");
	g.tid_t2 = gettid();
	sig_wait(g.pipe_t2);
	fl_log("T2", "write(pipe, B+0 (%p), 1): kernel-mode read fault on the locked folio ...", g.b);
	ssize_t n = write(p[1], g.b, 1);
	char c = 0;
	if (n == 1 && read(p[0], &c, 1) != 1)
		c = '?';
	fl_log("T2", "fault done (write returned %zd), byte='%c'", n, c);
	close(p[0]);
	close(p[1]);
	return NULL;
}

static int test(void *arg)
{
	(void)arg;
	struct fl_thread t1, t2;
	set_role("fl-M");
	if (pipe(g.pipe_t1) || pipe(g.pipe_t2) || pipe(g.srv.resume))
		die("pipe");
	fuse_prepare_buffers();
	g.rbuf = mmap(NULL, RBUF_SZ, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	memset(g.rbuf, 0, RBUF_SZ);
	g.srv.hooks = &hooks;
	g.srv.buf = g.rbuf;
	g.srv.on_resume = uw_resume;
	fuse_start(fuse_pausable_thread, &g.srv);
	g.fd = open(MNT "/" FNAME, O_RDWR);
	if (g.fd < 0)
		die("open fuse file");
	g.a = mmap(NULL, FILE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, g.fd, 0);
	g.b = mmap(NULL, FILE_SIZE, PROT_READ, MAP_SHARED, g.fd, 0);
	if (g.a == MAP_FAILED || g.b == MAP_FAILED)
		die("mmap fuse file");
	/* VM_RAND_READ: do_async_mmap_readahead returns before it could drop the lock */
	if (madvise(g.b, FILE_SIZE, MADV_RANDOM))
		die("madvise");
	fl_spawn(&t1, mkwriter, NULL);
	fl_spawn(&t2, reader, NULL);
	msleep(500); /* T1 dirtied page 0 */
	fuse_pause_writeback(&g.srv, g.fd);
	step("M", "T1 (fuse_page_mkwrite)", g.pipe_t1, &g.tid_t1, 5000);
	step("M", "T2 (filemap_fault, folio lock)", g.pipe_t2, &g.tid_t2, 5000);
	fl_log("M", "resuming the server (-s %s)", g.server);
	sig_post(g.srv.resume);
	fl_join(&t1);
	fl_join(&t2);
	fl_log("M", "all threads finished");
	watchdog_done();
	munmap(g.a, FILE_SIZE);
	munmap(g.b, FILE_SIZE);
	close(g.fd);
	umount2(MNT, MNT_DETACH);
	return 0;
}

int case_uw(int argc, char **argv)
{
	int opt;
	g.server = "mmap";
	g.secs = 12;
	while ((opt = getopt(argc, argv, "s:T:")) != -1) {
		switch (opt) {
		case 's': g.server = optarg; break;
		case 'T': g.secs = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: fltest uw [-s mmap|none] [-T secs]\n");
			return 2;
		}
	}
	if (strcmp(g.server, "mmap") && strcmp(g.server, "none")) {
		fprintf(stderr, "fltest uw: -s must be mmap or none\n");
		return 2;
	}
	return watchdog(test, NULL, g.secs);
}
