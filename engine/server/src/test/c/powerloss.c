/*
 * powerloss.c: an LD_PRELOAD shim that records, for every file under one directory, what a power failure could
 * take away, so a test can "cut the power" after kill -9 (PowerLoss.java replays the journal backwards).
 *
 * Environment:
 *   POWERLOSS_ROOT     absolute directory whose files are tracked (after realpath); nothing else is touched
 *   POWERLOSS_JOURNAL  file the journal is appended to (binary records, see below)
 *   POWERLOSS_SHADOW   directory on the same filesystem for hard links that keep unlinked/replaced inodes alive
 *   POWERLOSS_FSYNC_DELAY_US  optional: extra microseconds every tracked fsync/fdatasync takes (a real disk's latency)
 *
 * Model (the journal is written before each change is made, by the thread making it, with one write() per record
 * under a mutex, so it survives kill -9 in the page cache and is totally ordered):
 *   W  a write to a tracked inode: offset, length, the file's size before, and the bytes it overwrites (pre-image)
 *   T  a size change (ftruncate, O_TRUNC, fallocate that grows): old and new size, pre-image of the cut bytes
 *   S  a sync began (fsync/fdatasync on a tracked file or directory): inode, sequence number of this record
 *   F  that sync returned successfully: inode, the sequence number of its S record
 *   O  a tracked file was opened (its inode and path: for diagnostics)
 *   C  a file or directory was created; R a rename (with a shadow link of a replaced target); U an unlink or rmdir
 *      (with a shadow link of the file); L a hard link
 * Everything a record describes is durable iff a sync of its inode (data: W, T) or any sync at all (namespace:
 * C, R, U, L: an ordered metadata journal such as ext4's or XFS's commits all earlier namespace changes on any
 * fsync) began after it and returned. A sync that began but did not return makes nothing durable.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define MAX_FD 65536

static char root[PATH_MAX];
static size_t root_len;
static char shadow_dir[PATH_MAX];
static int journal_fd = -1;
static long fsync_delay_us;
static uint64_t seq;
static uint64_t shadow_seq;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static __thread int in_shim; /* our own libc calls must not be tracked */

/* per fd: tracked regular file or directory, its inode, a read-only fd for pre-images */
struct fdinfo {
  int tracked;
  dev_t dev;
  ino_t ino;
  int rfd;
};
static struct fdinfo fds[MAX_FD];

static ssize_t (*real_write)(int, const void *, size_t);
static ssize_t (*real_pwrite)(int, const void *, size_t, off_t);
static ssize_t (*real_writev)(int, const struct iovec *, int);
static ssize_t (*real_pwritev)(int, const struct iovec *, int, off_t);
static ssize_t (*real_pwritev2)(int, const struct iovec *, int, off_t, int);
static int (*real_fsync)(int);
static int (*real_fdatasync)(int);
static int (*real_open)(const char *, int, ...);
static int (*real_openat)(int, const char *, int, ...);
static int (*real_close)(int);
static int (*real_rename)(const char *, const char *);
static int (*real_renameat)(int, const char *, int, const char *);
static int (*real_renameat2)(int, const char *, int, const char *, unsigned int);
static int (*real_unlink)(const char *);
static int (*real_unlinkat)(int, const char *, int);
static int (*real_rmdir)(const char *);
static int (*real_link)(const char *, const char *);
static int (*real_linkat)(int, const char *, int, const char *, int);
static int (*real_mkdir)(const char *, mode_t);
static int (*real_mkdirat)(int, const char *, mode_t);
static int (*real_ftruncate)(int, off_t);
static int (*real_truncate)(const char *, off_t);
static int (*real_fallocate)(int, int, off_t, off_t);
static int (*real_posix_fallocate)(int, off_t, off_t);
static ssize_t (*real_sendfile)(int, int, off_t *, size_t);
static ssize_t (*real_copy_file_range)(int, off_t *, int, off_t *, size_t, unsigned int);
static int (*real_dup2)(int, int);
static int (*real_dup3)(int, int, int);

static uint64_t counts[8]; /* writes, syncs, creates, renames, unlinks, links, truncates, untracked-kind calls */

#define RESOLVE(name) real_##name = dlsym(RTLD_NEXT, #name)

__attribute__((constructor)) static void init(void) {
  RESOLVE(write); RESOLVE(pwrite); RESOLVE(writev); RESOLVE(pwritev); RESOLVE(pwritev2);
  RESOLVE(fsync); RESOLVE(fdatasync); RESOLVE(open); RESOLVE(openat); RESOLVE(close);
  RESOLVE(rename); RESOLVE(renameat); RESOLVE(renameat2); RESOLVE(unlink); RESOLVE(unlinkat); RESOLVE(rmdir);
  RESOLVE(link); RESOLVE(linkat); RESOLVE(mkdir); RESOLVE(mkdirat); RESOLVE(ftruncate); RESOLVE(truncate);
  RESOLVE(fallocate); RESOLVE(posix_fallocate); RESOLVE(sendfile); RESOLVE(copy_file_range); RESOLVE(dup2);
  RESOLVE(dup3);
  for (int i = 0; i < MAX_FD; i++) fds[i].rfd = -1;
  const char *r = getenv("POWERLOSS_ROOT");
  const char *j = getenv("POWERLOSS_JOURNAL");
  const char *s = getenv("POWERLOSS_SHADOW");
  const char *d = getenv("POWERLOSS_FSYNC_DELAY_US");
  if (!r || !j || !s) return;
  if (d) fsync_delay_us = atol(d);
  in_shim = 1;
  real_mkdir(r, 0755);
  real_mkdir(s, 0755);
  if (!realpath(r, root) || !realpath(s, shadow_dir)) {
    fprintf(stderr, "powerloss: cannot resolve %s or %s\n", r, s);
    abort();
  }
  root_len = strlen(root);
  journal_fd = real_open(j, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (journal_fd < 0) {
    fprintf(stderr, "powerloss: cannot open journal %s: %s\n", j, strerror(errno));
    abort();
  }
  in_shim = 0;
}

static int active(void) { return journal_fd >= 0 && !in_shim; }

static int under_root(const char *abs) {
  return strncmp(abs, root, root_len) == 0 && (abs[root_len] == '/' || abs[root_len] == 0);
}

/* ---- journal ---- */

struct buf {
  char *p;
  size_t len, cap;
};

static void put(struct buf *b, const void *data, size_t n) {
  if (b->len + n > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n) cap *= 2;
    b->p = realloc(b->p, cap);
    if (!b->p) abort();
    b->cap = cap;
  }
  memcpy(b->p + b->len, data, n);
  b->len += n;
}
static void put64(struct buf *b, uint64_t v) { put(b, &v, 8); }
static void putstr(struct buf *b, const char *s) {
  uint32_t n = s ? (uint32_t)strlen(s) : 0;
  put(b, &n, 4);
  if (n) put(b, s, n);
}

/* Appends one record: type, length of the rest, sequence number, then the body. Caller holds mu. Returns seq. */
static uint64_t emit(char type, struct buf *body) {
  uint64_t my = ++seq;
  struct buf rec = {0};
  put(&rec, &type, 1);
  put64(&rec, body ? body->len : 0);
  put64(&rec, my);
  if (body && body->len) put(&rec, body->p, body->len);
  size_t off = 0;
  while (off < rec.len) {
    ssize_t n = real_write(journal_fd, rec.p + off, rec.len - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      fprintf(stderr, "powerloss: journal write failed: %s\n", strerror(errno));
      abort();
    }
    off += (size_t)n;
  }
  free(rec.p);
  return my;
}

/* ---- fd table ---- */

static void track_fd(int fd) {
  if (fd < 0 || fd >= MAX_FD) return;
  char link[64], path[PATH_MAX];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, path, sizeof path - 1);
  if (n <= 0) return;
  path[n] = 0;
  if (!under_root(path)) return;
  struct stat st;
  if (fstat(fd, &st) != 0) return;
  if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) return;
  pthread_mutex_lock(&mu);
  if (fds[fd].rfd >= 0) real_close(fds[fd].rfd);
  fds[fd].tracked = 1;
  fds[fd].dev = st.st_dev;
  fds[fd].ino = st.st_ino;
  fds[fd].rfd = S_ISREG(st.st_mode) ? real_open(link, O_RDONLY | O_CLOEXEC) : -1;
  if (S_ISREG(st.st_mode)) { /* O: which path an inode was opened by (for diagnostics only) */
    struct buf b = {0};
    put64(&b, st.st_dev);
    put64(&b, st.st_ino);
    putstr(&b, path);
    emit('O', &b);
    free(b.p);
  }
  pthread_mutex_unlock(&mu);
}

static void untrack_fd(int fd) {
  if (fd < 0 || fd >= MAX_FD) return;
  pthread_mutex_lock(&mu);
  if (fds[fd].rfd >= 0) real_close(fds[fd].rfd);
  fds[fd].rfd = -1;
  fds[fd].tracked = 0;
  pthread_mutex_unlock(&mu);
}

/*
 * Whether fd is a tracked file now. An entry could go stale if its fd were closed by a call the shim does not see
 * (closedir and fclose close inside glibc; both are wrapped below, and this check covers anything else): the fd must
 * still be the same inode.
 */
static int tracked(int fd) {
  if (!active() || fd < 0 || fd >= MAX_FD || !fds[fd].tracked) return 0;
  struct stat st;
  if (fstat(fd, &st) == 0 && st.st_dev == fds[fd].dev && st.st_ino == fds[fd].ino) return 1;
  untrack_fd(fd);
  return 0;
}

/* ---- data ---- */

/* Records a write of len bytes at off (off < 0: at the current position, or the end with O_APPEND). Caller: tracked. */
static void before_write(int fd, off_t off, size_t len) {
  in_shim = 1;
  if (off < 0) {
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0 && (fl & O_APPEND)) {
      struct stat st;
      off = fstat(fd, &st) == 0 ? st.st_size : 0;
    } else {
      off = lseek(fd, 0, SEEK_CUR);
    }
  }
  pthread_mutex_lock(&mu);
  struct stat st;
  uint64_t size = fstat(fd, &st) == 0 ? (uint64_t)st.st_size : 0;
  uint64_t prelen = 0;
  if ((uint64_t)off < size) prelen = size - (uint64_t)off < len ? size - (uint64_t)off : len;
  struct buf b = {0};
  put64(&b, fds[fd].dev);
  put64(&b, fds[fd].ino);
  put64(&b, (uint64_t)off);
  put64(&b, len);
  put64(&b, size);
  put64(&b, prelen);
  if (prelen) {
    char *pre = malloc(prelen);
    ssize_t got = fds[fd].rfd >= 0 ? pread(fds[fd].rfd, pre, prelen, off) : -1;
    if (got != (ssize_t)prelen) {
      fprintf(stderr, "powerloss: cannot read the pre-image of fd %d (%s)\n", fd, strerror(errno));
      abort();
    }
    put(&b, pre, prelen);
    free(pre);
  }
  emit('W', &b);
  counts[0]++;
  free(b.p);
  pthread_mutex_unlock(&mu);
  in_shim = 0;
}

/* Records a size change to newsize with the pre-image of bytes cut off. Caller: tracked. */
static void before_resize(int fd, uint64_t newsize) {
  in_shim = 1;
  pthread_mutex_lock(&mu);
  struct stat st;
  uint64_t size = fstat(fd, &st) == 0 ? (uint64_t)st.st_size : 0;
  if (size != newsize) {
    uint64_t prelen = newsize < size ? size - newsize : 0;
    struct buf b = {0};
    put64(&b, fds[fd].dev);
    put64(&b, fds[fd].ino);
    put64(&b, size);
    put64(&b, newsize);
    put64(&b, prelen);
    if (prelen) {
      char *pre = malloc(prelen);
      if (fds[fd].rfd < 0 || pread(fds[fd].rfd, pre, prelen, newsize) != (ssize_t)prelen) {
        fprintf(stderr, "powerloss: cannot read the truncated bytes of fd %d\n", fd);
        abort();
      }
      put(&b, pre, prelen);
      free(pre);
    }
    emit('T', &b);
    counts[6]++;
    free(b.p);
  }
  pthread_mutex_unlock(&mu);
  in_shim = 0;
}

ssize_t write(int fd, const void *buf, size_t n) {
  if (tracked(fd) && n) before_write(fd, -1, n);
  return real_write(fd, buf, n);
}
ssize_t pwrite(int fd, const void *buf, size_t n, off_t off) {
  if (tracked(fd) && n) before_write(fd, off, n);
  return real_pwrite(fd, buf, n, off);
}
ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off) __attribute__((alias("pwrite")));

static size_t iov_len(const struct iovec *iov, int cnt) {
  size_t t = 0;
  for (int i = 0; i < cnt; i++) t += iov[i].iov_len;
  return t;
}
ssize_t writev(int fd, const struct iovec *iov, int cnt) {
  if (tracked(fd)) before_write(fd, -1, iov_len(iov, cnt));
  return real_writev(fd, iov, cnt);
}
ssize_t pwritev(int fd, const struct iovec *iov, int cnt, off_t off) {
  if (tracked(fd)) before_write(fd, off, iov_len(iov, cnt));
  return real_pwritev(fd, iov, cnt, off);
}
ssize_t pwritev64(int fd, const struct iovec *iov, int cnt, off_t off) __attribute__((alias("pwritev")));
ssize_t pwritev2(int fd, const struct iovec *iov, int cnt, off_t off, int flags) {
  if (tracked(fd)) before_write(fd, off, iov_len(iov, cnt));
  return real_pwritev2(fd, iov, cnt, off, flags);
}
ssize_t pwritev64v2(int fd, const struct iovec *iov, int cnt, off_t off, int flags) __attribute__((alias("pwritev2")));

ssize_t sendfile(int out, int in, off_t *off, size_t n) {
  if (tracked(out) && n) before_write(out, -1, n);
  return real_sendfile(out, in, off, n);
}
ssize_t sendfile64(int out, int in, off_t *off, size_t n) __attribute__((alias("sendfile")));
ssize_t copy_file_range(int in, off_t *inoff, int out, off_t *outoff, size_t n, unsigned int flags) {
  if (tracked(out) && n) before_write(out, outoff ? *outoff : -1, n);
  return real_copy_file_range(in, inoff, out, outoff, n, flags);
}

int ftruncate(int fd, off_t len) {
  if (tracked(fd)) before_resize(fd, (uint64_t)len);
  return real_ftruncate(fd, len);
}
int ftruncate64(int fd, off_t len) __attribute__((alias("ftruncate")));

int fallocate(int fd, int mode, off_t off, off_t len) {
  if (tracked(fd) && !(mode & 0x01 /* FALLOC_FL_KEEP_SIZE */)) {
    struct stat st;
    if (fstat(fd, &st) == 0 && (uint64_t)(off + len) > (uint64_t)st.st_size) before_resize(fd, (uint64_t)(off + len));
  }
  return real_fallocate(fd, mode, off, len);
}
int fallocate64(int fd, int mode, off_t off, off_t len) __attribute__((alias("fallocate")));
int posix_fallocate(int fd, off_t off, off_t len) {
  if (tracked(fd)) {
    struct stat st;
    if (fstat(fd, &st) == 0 && (uint64_t)(off + len) > (uint64_t)st.st_size) before_resize(fd, (uint64_t)(off + len));
  }
  return real_posix_fallocate(fd, off, len);
}
int posix_fallocate64(int fd, off_t off, off_t len) __attribute__((alias("posix_fallocate")));

static int do_sync(int fd, int (*fn)(int)) {
  if (!tracked(fd)) return fn(fd);
  in_shim = 1;
  struct buf b = {0};
  put64(&b, fds[fd].dev);
  put64(&b, fds[fd].ino);
  pthread_mutex_lock(&mu);
  uint64_t begin = emit('S', &b);
  counts[1]++;
  pthread_mutex_unlock(&mu);
  in_shim = 0;
  if (fsync_delay_us > 0) {
    struct timespec ts = {fsync_delay_us / 1000000, (fsync_delay_us % 1000000) * 1000};
    nanosleep(&ts, NULL);
  }
  int rc = fn(fd);
  int saved = errno;
  if (rc == 0) {
    in_shim = 1;
    put64(&b, begin);
    pthread_mutex_lock(&mu);
    emit('F', &b);
    pthread_mutex_unlock(&mu);
    in_shim = 0;
  }
  free(b.p);
  errno = saved;
  return rc;
}
int fsync(int fd) { return do_sync(fd, real_fsync); }
int fdatasync(int fd) { return do_sync(fd, real_fdatasync); }

/* ---- namespace ---- */

/* Absolute path of (dirfd, path) without resolving the last component. Returns 0 if it cannot be made. */
static int abs_path(int dirfd, const char *path, char *out) {
  if (!path) return 0;
  char dir[PATH_MAX];
  if (path[0] == '/') {
    snprintf(dir, sizeof dir, "%s", path);
  } else if (dirfd == AT_FDCWD) {
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd)) return 0;
    snprintf(dir, sizeof dir, "%s/%s", cwd, path);
  } else {
    char link[64], d[PATH_MAX];
    snprintf(link, sizeof link, "/proc/self/fd/%d", dirfd);
    ssize_t n = readlink(link, d, sizeof d - 1);
    if (n <= 0) return 0;
    d[n] = 0;
    snprintf(dir, sizeof dir, "%s/%s", d, path);
  }
  /* resolve the parent directory, keep the last component */
  char *slash = strrchr(dir, '/');
  char parent[PATH_MAX], resolved[PATH_MAX];
  const char *leaf = slash + 1;
  if (slash == dir) snprintf(parent, sizeof parent, "/");
  else {
    size_t plen = (size_t)(slash - dir);
    memcpy(parent, dir, plen);
    parent[plen] = 0;
  }
  if (!realpath(parent, resolved)) return 0;
  if (strcmp(resolved, "/") == 0) snprintf(out, PATH_MAX, "/%s", leaf);
  else snprintf(out, PATH_MAX, "%s/%s", resolved, leaf);
  return 1;
}

static int exists(const char *abs) {
  struct stat st;
  return lstat(abs, &st) == 0;
}

/* Hard-links abs into the shadow directory (keeps the inode and its data for an undo); returns the shadow path. */
static int make_shadow(const char *abs, char *out) {
  struct stat st;
  if (lstat(abs, &st) != 0 || !S_ISREG(st.st_mode)) return 0;
  snprintf(out, PATH_MAX, "%s/%llu", shadow_dir, (unsigned long long)++shadow_seq);
  return real_link(abs, out) == 0;
}

static void emit_paths(char type, const char *a, const char *b, const char *c) {
  struct buf body = {0};
  putstr(&body, a);
  putstr(&body, b);
  putstr(&body, c);
  emit(type, &body);
  free(body.p);
}

static int open_common(int dirfd, const char *path, int flags, mode_t mode, int at) {
  if (!active()) return at ? real_openat(dirfd, path, flags, mode) : real_open(path, flags, mode);
  in_shim = 1;
  char abs[PATH_MAX];
  int mine = abs_path(at ? dirfd : AT_FDCWD, path, abs) && under_root(abs);
  int created = mine && (flags & O_CREAT) && !exists(abs);
  int truncating = mine && (flags & O_TRUNC) && !created;
  if (created || truncating) pthread_mutex_lock(&mu);
  if (created) {
    emit_paths('C', abs, NULL, NULL);
    counts[2]++;
  }
  if (truncating) {
    /* O_TRUNC of an existing file: a size change to 0 with the whole file as pre-image */
    struct stat st;
    if (stat(abs, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
      int r = real_open(abs, O_RDONLY | O_CLOEXEC);
      struct buf b = {0};
      put64(&b, st.st_dev);
      put64(&b, st.st_ino);
      put64(&b, (uint64_t)st.st_size);
      put64(&b, 0);
      put64(&b, (uint64_t)st.st_size);
      char *pre = malloc((size_t)st.st_size);
      if (r < 0 || pread(r, pre, (size_t)st.st_size, 0) != st.st_size) abort();
      put(&b, pre, (size_t)st.st_size);
      emit('T', &b);
      free(pre);
      free(b.p);
      real_close(r);
    }
  }
  if (created || truncating) pthread_mutex_unlock(&mu);
  int fd = at ? real_openat(dirfd, path, flags, mode) : real_open(path, flags, mode);
  int saved = errno;
  if (fd >= 0 && mine) track_fd(fd);
  else if (fd >= 0) untrack_fd(fd);
  in_shim = 0;
  errno = saved;
  return fd;
}

int open(const char *path, int flags, ...) {
  mode_t mode = 0;
  if (flags & (O_CREAT | O_TMPFILE)) {
    va_list ap;
    va_start(ap, flags);
    mode = va_arg(ap, int);
    va_end(ap);
  }
  return open_common(AT_FDCWD, path, flags, mode, 0);
}
int open64(const char *path, int flags, ...) __attribute__((alias("open")));
int __open_2(const char *path, int flags) { return open_common(AT_FDCWD, path, flags, 0, 0); }
int __open64_2(const char *path, int flags) __attribute__((alias("__open_2")));
int openat(int dirfd, const char *path, int flags, ...) {
  mode_t mode = 0;
  if (flags & (O_CREAT | O_TMPFILE)) {
    va_list ap;
    va_start(ap, flags);
    mode = va_arg(ap, int);
    va_end(ap);
  }
  return open_common(dirfd, path, flags, mode, 1);
}
int openat64(int dirfd, const char *path, int flags, ...) __attribute__((alias("openat")));
int __openat_2(int dirfd, const char *path, int flags) { return open_common(dirfd, path, flags, 0, 1); }
int __openat64_2(int dirfd, const char *path, int flags) __attribute__((alias("__openat_2")));
int creat(const char *path, mode_t mode) { return open_common(AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode, 0); }
int creat64(const char *path, mode_t mode) __attribute__((alias("creat")));

int close(int fd) {
  if (fd >= 0 && fd < MAX_FD && fds[fd].tracked) untrack_fd(fd);
  return real_close(fd);
}

/* The JDK's directory streams open a directory, fdopendir() it, and closedir() closes that fd inside glibc. */
int closedir(DIR *d) {
  static int (*real_closedir)(DIR *);
  if (!real_closedir) real_closedir = dlsym(RTLD_NEXT, "closedir");
  int fd = dirfd(d);
  if (fd >= 0 && fd < MAX_FD && fds[fd].tracked) untrack_fd(fd);
  return real_closedir(d);
}
int fclose(FILE *f) {
  static int (*real_fclose)(FILE *);
  if (!real_fclose) real_fclose = dlsym(RTLD_NEXT, "fclose");
  int fd = f ? fileno(f) : -1;
  if (fd >= 0 && fd < MAX_FD && fds[fd].tracked) untrack_fd(fd);
  return real_fclose(f);
}

int dup2(int a, int b) {
  if (b >= 0 && b < MAX_FD && fds[b].tracked) untrack_fd(b);
  int r = real_dup2(a, b);
  if (r >= 0 && tracked(a)) track_fd(r);
  return r;
}
int dup3(int a, int b, int flags) {
  if (b >= 0 && b < MAX_FD && fds[b].tracked) untrack_fd(b);
  int r = real_dup3(a, b, flags);
  if (r >= 0 && tracked(a)) track_fd(r);
  return r;
}

static int rename_common(int olddirfd, const char *from, int newdirfd, const char *to, unsigned int flags, int kind) {
  char a[PATH_MAX], b[PATH_MAX], sh[PATH_MAX];
  int mine = 0;
  if (active()) {
    in_shim = 1;
    mine = abs_path(olddirfd, from, a) && abs_path(newdirfd, to, b) && (under_root(a) || under_root(b));
    in_shim = 0;
  }
  if (!mine) {
    if (kind == 0) return real_rename(from, to);
    if (kind == 1) return real_renameat(olddirfd, from, newdirfd, to);
    return real_renameat2(olddirfd, from, newdirfd, to, flags);
  }
  in_shim = 1;
  pthread_mutex_lock(&mu);
  int has_shadow = make_shadow(b, sh);
  emit_paths('R', a, b, has_shadow ? sh : NULL);
  counts[3]++;
  pthread_mutex_unlock(&mu);
  in_shim = 0;
  int r = kind == 0 ? real_rename(from, to)
      : kind == 1 ? real_renameat(olddirfd, from, newdirfd, to)
                  : real_renameat2(olddirfd, from, newdirfd, to, flags);
  return r;
}
int rename(const char *from, const char *to) { return rename_common(AT_FDCWD, from, AT_FDCWD, to, 0, 0); }
int renameat(int od, const char *from, int nd, const char *to) { return rename_common(od, from, nd, to, 0, 1); }
int renameat2(int od, const char *from, int nd, const char *to, unsigned int fl) { return rename_common(od, from, nd, to, fl, 2); }

static int unlink_common(int dirfd, const char *path, int flags, int kind) {
  char a[PATH_MAX], sh[PATH_MAX];
  int mine = 0;
  if (active()) {
    in_shim = 1;
    mine = abs_path(dirfd, path, a) && under_root(a) && exists(a);
    in_shim = 0;
  }
  if (mine) {
    in_shim = 1;
    pthread_mutex_lock(&mu);
    struct stat st;
    int dir = lstat(a, &st) == 0 && S_ISDIR(st.st_mode);
    int has_shadow = !dir && make_shadow(a, sh);
    emit_paths('U', a, has_shadow ? sh : NULL, dir ? "dir" : NULL);
    counts[4]++;
    pthread_mutex_unlock(&mu);
    in_shim = 0;
  }
  if (kind == 0) return real_unlink(path);
  if (kind == 1) return real_rmdir(path);
  return real_unlinkat(dirfd, path, flags);
}
int unlink(const char *path) { return unlink_common(AT_FDCWD, path, 0, 0); }
int rmdir(const char *path) { return unlink_common(AT_FDCWD, path, 0, 1); }
int unlinkat(int dirfd, const char *path, int flags) { return unlink_common(dirfd, path, flags, 2); }
/* java.io.File.delete() calls remove(), which glibc implements with internal unlink/rmdir calls no shim sees */
int remove(const char *path) {
  struct stat st;
  int dir = lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
  return unlink_common(AT_FDCWD, path, 0, dir ? 1 : 0);
}

static int link_common(int od, const char *from, int nd, const char *to, int flags, int kind) {
  char a[PATH_MAX], b[PATH_MAX];
  if (active()) {
    in_shim = 1;
    if (abs_path(od, from, a) && abs_path(nd, to, b) && under_root(b) && !exists(b)) {
      pthread_mutex_lock(&mu);
      emit_paths('L', a, b, NULL);
      counts[5]++;
      pthread_mutex_unlock(&mu);
    }
    in_shim = 0;
  }
  return kind == 0 ? real_link(from, to) : real_linkat(od, from, nd, to, flags);
}
int link(const char *from, const char *to) { return link_common(AT_FDCWD, from, AT_FDCWD, to, 0, 0); }
int linkat(int od, const char *from, int nd, const char *to, int fl) { return link_common(od, from, nd, to, fl, 1); }

static int mkdir_common(int dirfd, const char *path, mode_t mode, int kind) {
  char a[PATH_MAX];
  if (active()) {
    in_shim = 1;
    if (abs_path(dirfd, path, a) && under_root(a) && !exists(a)) {
      pthread_mutex_lock(&mu);
      emit_paths('C', a, NULL, "dir");
      counts[2]++;
      pthread_mutex_unlock(&mu);
    }
    in_shim = 0;
  }
  return kind == 0 ? real_mkdir(path, mode) : real_mkdirat(dirfd, path, mode);
}
int mkdir(const char *path, mode_t mode) { return mkdir_common(AT_FDCWD, path, mode, 0); }
int mkdirat(int dirfd, const char *path, mode_t mode) { return mkdir_common(dirfd, path, mode, 1); }

int truncate(const char *path, off_t len) {
  char a[PATH_MAX];
  if (active()) {
    in_shim = 1;
    int mine = abs_path(AT_FDCWD, path, a) && under_root(a);
    in_shim = 0;
    if (mine) {
      int fd = real_open(path, O_WRONLY | O_CLOEXEC);
      if (fd < 0) return -1;
      track_fd(fd);
      int r = ftruncate(fd, len);
      int saved = errno;
      close(fd);
      errno = saved;
      return r;
    }
  }
  return real_truncate(path, len);
}
int truncate64(const char *path, off_t len) __attribute__((alias("truncate")));

/* sync()/syncfs(): everything is durable. Recorded as a sync of inode 0 that the replayer treats as global. */
static void global_sync(void (*fn)(void), int (*fn2)(int), int fd) {
  struct buf b = {0};
  put64(&b, 0);
  put64(&b, 0);
  uint64_t begin = 0;
  if (journal_fd >= 0) {
    pthread_mutex_lock(&mu);
    begin = emit('S', &b);
    pthread_mutex_unlock(&mu);
  }
  if (fn) fn();
  else fn2(fd);
  if (journal_fd >= 0) {
    put64(&b, begin);
    pthread_mutex_lock(&mu);
    emit('F', &b);
    pthread_mutex_unlock(&mu);
  }
  free(b.p);
}
void sync(void) {
  void (*real_sync)(void) = dlsym(RTLD_NEXT, "sync");
  global_sync(real_sync, NULL, -1);
}
int syncfs(int fd) {
  int (*real_syncfs)(int) = dlsym(RTLD_NEXT, "syncfs");
  global_sync(NULL, real_syncfs, fd);
  return 0;
}

__attribute__((destructor)) static void fini(void) {
  if (journal_fd >= 0 && getenv("POWERLOSS_VERBOSE"))
    fprintf(stderr, "powerloss: %llu writes, %llu syncs, %llu creates, %llu renames, %llu unlinks, %llu links, %llu truncates\n",
        (unsigned long long)counts[0], (unsigned long long)counts[1], (unsigned long long)counts[2],
        (unsigned long long)counts[3], (unsigned long long)counts[4], (unsigned long long)counts[5],
        (unsigned long long)counts[6]);
}
