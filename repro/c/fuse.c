/* A raw /dev/fuse server: one file /mnt/f/f of FILE_SIZE bytes, per-case hooks. */
#include "fl.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

int fuse_fd = -1;
char *fuse_obuf;
static char *rbuf;

void fuse_reply(uint64_t unique, int err, const void *data, size_t len)
{
	struct fuse_out_header *oh = (void *)fuse_obuf;
	oh->unique = unique;
	oh->error = err;
	oh->len = sizeof *oh + (err ? 0 : len);
	if (!err && len && data != fuse_obuf + sizeof *oh)
		memcpy(fuse_obuf + sizeof *oh, data, len);
	if (write(fuse_fd, fuse_obuf, oh->len) < 0 && errno != ENOENT)
		fl_log("S", "reply write: %s", strerror(errno));
}

void fuse_fill_data(char *dst, uint64_t off, size_t len)
{
	for (size_t i = 0; i < len; i++)
		dst[i] = 'A' + ((off + i) / PG) % 26;
}

static void fill_attr(struct fuse_attr *a, uint64_t ino)
{
	memset(a, 0, sizeof *a);
	a->ino = ino;
	if (ino == 1) {
		a->mode = S_IFDIR | 0755;
		a->nlink = 2;
	} else {
		a->mode = S_IFREG | 0666;
		a->nlink = 1;
		a->size = FILE_SIZE;
		a->blocks = FILE_SIZE / 512;
	}
	a->blksize = PG;
}

static void default_read(struct fuse_in_header *ih, struct fuse_read_in *in)
{
	size_t len = in->size;
	if (in->offset + len > FILE_SIZE)
		len = in->offset >= FILE_SIZE ? 0 : FILE_SIZE - in->offset;
	fuse_fill_data(fuse_obuf + sizeof(struct fuse_out_header), in->offset, len);
	fuse_reply(ih->unique, 0, fuse_obuf + sizeof(struct fuse_out_header), len);
}

int fuse_serve_one(const struct fuse_hooks *h, char *buf, size_t len)
{
	ssize_t n = read(fuse_fd, buf, len);
	if (n < 0) {
		if (errno == EINTR || errno == ENOENT || errno == EAGAIN)
			return 0;
		fl_log("S", "read /dev/fuse: %s", strerror(errno));
		return -1;
	}
	struct fuse_in_header *ih = (void *)buf;
	void *in = ih + 1;
	switch (ih->opcode) {
	case FUSE_INIT: {
		struct fuse_init_in *ii = in;
		struct fuse_init_out o;
		memset(&o, 0, sizeof o);
		o.major = FUSE_KERNEL_VERSION;
		o.minor = ii->minor < FUSE_KERNEL_MINOR_VERSION ? ii->minor : FUSE_KERNEL_MINOR_VERSION;
		o.max_readahead = PG; /* every READ is exactly one page */
		o.flags = (ii->flags & FUSE_ASYNC_READ) | (ii->flags & h->init_flags);
		o.max_background = 16;
		o.congestion_threshold = 12;
		o.max_write = 65536;
		o.time_gran = 1;
		fl_log("S", "INIT kernel %u.%u flags=%#x; reply flags=%#x", ii->major, ii->minor, ii->flags, o.flags);
		fuse_reply(ih->unique, 0, &o, sizeof o);
		break;
	}
	case FUSE_LOOKUP: {
		struct fuse_entry_out e;
		if (ih->nodeid != 1 || strcmp((char *)in, FNAME)) {
			fuse_reply(ih->unique, -ENOENT, NULL, 0);
			break;
		}
		memset(&e, 0, sizeof e);
		e.nodeid = FILE_INO;
		e.generation = 1;
		e.entry_valid = e.attr_valid = 3600;
		fill_attr(&e.attr, FILE_INO);
		fuse_reply(ih->unique, 0, &e, sizeof e);
		break;
	}
	case FUSE_GETATTR:
	case FUSE_SETATTR: {
		struct fuse_attr_out a;
		memset(&a, 0, sizeof a);
		a.attr_valid = 3600;
		fill_attr(&a.attr, ih->nodeid);
		fuse_reply(ih->unique, 0, &a, sizeof a);
		break;
	}
	case FUSE_OPEN:
	case FUSE_OPENDIR: {
		struct fuse_open_in *oi = in;
		struct fuse_open_out o;
		memset(&o, 0, sizeof o);
		o.fh = 1;
		if (ih->opcode == FUSE_OPEN)
			o.open_flags = h->open_flags ? h->open_flags(oi->flags) : FOPEN_KEEP_CACHE;
		fuse_reply(ih->unique, 0, &o, sizeof o);
		break;
	}
	case FUSE_READ:
		if (!h->read || !h->read(ih, in))
			default_read(ih, in);
		break;
	case FUSE_WRITE: {
		struct fuse_write_in *wi = in;
		struct fuse_write_out o = { .size = wi->size };
		if (h->write)
			h->write(ih, wi);
		fuse_reply(ih->unique, 0, &o, sizeof o);
		break;
	}
	case FUSE_FLUSH: /* -ENOSYS sets fc->no_flush: exit never waits on FLUSH */
		fuse_reply(ih->unique, -ENOSYS, NULL, 0);
		break;
	case FUSE_RELEASE:
	case FUSE_RELEASEDIR:
	case FUSE_FSYNC:
		fuse_reply(ih->unique, 0, NULL, 0);
		break;
	case FUSE_FORGET:
	case FUSE_BATCH_FORGET:
	case FUSE_INTERRUPT:
		break;
	default:
		fuse_reply(ih->unique, -ENOSYS, NULL, 0);
		break;
	}
	return 0;
}

const char *fuse_role = "fl-S";

void *fuse_server_thread(void *hooks)
{
	set_role(fuse_role);
	touch_stack();
	while (fuse_serve_one(hooks, rbuf, RBUF_SZ) == 0) {}
	return NULL;
}

/* pre-faulted server buffers: only the cases' cold pages may fault */
void fuse_prepare_buffers(void)
{
	rbuf = mmap(NULL, RBUF_SZ, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	fuse_obuf = mmap(NULL, RBUF_SZ, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (rbuf == MAP_FAILED || fuse_obuf == MAP_FAILED)
		die("mmap buffers");
	memset(rbuf, 0, RBUF_SZ);
	memset(fuse_obuf, 0, RBUF_SZ);
}

void fuse_mount(void)
{
	char opts[256];
	fuse_fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (fuse_fd < 0)
		die("open /dev/fuse");
	mkdir(MNT, 0755);
	snprintf(opts, sizeof opts, "fd=%d,rootmode=40000,user_id=0,group_id=0,allow_other", fuse_fd);
	if (mount("flfs", MNT, "fuse", MS_NOSUID | MS_NODEV, opts))
		die("mount fuse");
}

void fuse_disable_flush(void)
{
	int fd = open(MNT "/" FNAME, O_RDONLY);
	if (fd < 0)
		die("open fuse file");
	close(fd); /* FLUSH -> -ENOSYS -> fc->no_flush */
}

void fuse_start(void *(*thread)(void *), void *arg)
{
	pthread_t t;
	fuse_mount();
	if (pthread_create(&t, NULL, thread, arg))
		die("pthread_create server");
	pthread_detach(t);
	fuse_disable_flush();
}

void *fuse_pausable_thread(void *arg)
{
	struct fuse_pausable *s = arg;
	set_role("fl-S");
	touch_stack();
	fcntl(fuse_fd, F_SETFL, O_NONBLOCK); /* poll, so a pause request is seen */
	for (;;) {
		if (s->pause_req) {
			s->paused = 1;
			sig_wait(s->resume);
			s->pause_req = 0;
			s->on_resume(s);
		}
		struct pollfd p = { .fd = fuse_fd, .events = POLLIN };
		if (poll(&p, 1, 100) <= 0)
			continue;
		if (fuse_serve_one(s->hooks, s->buf, RBUF_SZ))
			return NULL;
	}
}

static void resume_cold_or_warm(struct fuse_pausable *s)
{
	s->buf = s->resume_cold ? s->cold : s->warm;
	fl_log("S", "resumed: read(/dev/fuse) into the %s buffer %p ...", s->resume_cold ? "cold" : "warm", s->buf);
}

void fuse_pausable_cold_or_warm(struct fuse_pausable *s, const struct fuse_hooks *h, int cold)
{
	s->warm = mmap(NULL, RBUF_SZ, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (s->warm == MAP_FAILED)
		die("mmap warm buffer");
	memset(s->warm, 0, RBUF_SZ);
	s->cold = map_guarded(RBUF_SZ / PG + 1); /* mapped either way: same layout */
	s->resume_cold = cold;
	s->hooks = h;
	s->buf = s->warm;
	s->on_resume = resume_cold_or_warm;
}

void fuse_pause_writeback(struct fuse_pausable *s, int fd)
{
	s->pause_req = 1;
	while (!s->paused)
		msleep(20);
	fl_log("M", "server paused; sync_file_range(page 0, WRITE) ...");
	int r = sync_file_range(fd, 0, PG, SYNC_FILE_RANGE_WRITE);
	fl_log("M", "sync_file_range returned %d", r);
}
