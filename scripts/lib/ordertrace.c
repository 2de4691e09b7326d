// ordertrace: the order in which a program first runs its functions, for the link's section order
// (scripts/order-file). Each function's first byte becomes int3 before the program starts; the
// first trap at a function records it and puts the byte back, so every function costs one trap
// and the program then runs at full speed.
//
//   ordertrace ENTRIES OUT -- PROGRAM ARGUMENT...
//
// ENTRIES: one "HEXADDRESS NAME" per line: the address of a function in PROGRAM's file (its first
// load segment, at file offset 0) and the name to write for it. OUT gets the names of the entries
// that ran, in the order they first ran, when PROGRAM ends (kill it: SIGKILL is fine). Threads
// are followed; a child process is not (nothing PROGRAM forks may run its own code before exec).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct {
  uint64_t address;
  char *name;
  unsigned char original;
  int ran;
} Entry;

static Entry *entries;
static size_t entryCount;

static int byAddress(const void *a, const void *b) {
  uint64_t x = ((const Entry *)a)->address, y = ((const Entry *)b)->address;
  return x < y ? -1 : x > y;
}

static Entry *entryAt(uint64_t address) {
  Entry key = {.address = address};
  return bsearch(&key, entries, entryCount, sizeof *entries, byAddress);
}

static void fail(const char *what) {
  fprintf(stderr, "ordertrace: %s: %s\n", what, strerror(errno));
  exit(2);
}

static void readEntries(const char *path) {
  FILE *in = fopen(path, "r");
  if (!in) fail(path);
  size_t capacity = 1 << 16;
  entries = calloc(capacity, sizeof *entries);
  char *line = NULL;
  size_t size = 0;
  while (getline(&line, &size, in) > 0) {
    char *name = strchr(line, ' ');
    if (!name) continue;
    *name++ = 0;
    name[strcspn(name, "\n")] = 0;
    if (entryCount == capacity) entries = realloc(entries, (capacity *= 2) * sizeof *entries);
    entries[entryCount++] = (Entry){.address = strtoull(line, NULL, 16), .name = strdup(name)};
  }
  free(line);
  fclose(in);
  qsort(entries, entryCount, sizeof *entries, byAddress);
}

// Where the kernel mapped the program's file offset 0 (a position-independent executable moves).
static uint64_t loadAddress(pid_t pid) {
  char path[64], executable[4096], line[8192];
  snprintf(path, sizeof path, "/proc/%d/exe", pid);
  ssize_t length = readlink(path, executable, sizeof executable - 1);
  if (length < 0) fail(path);
  executable[length] = 0;
  snprintf(path, sizeof path, "/proc/%d/maps", pid);
  FILE *maps = fopen(path, "r");
  if (!maps) fail(path);
  while (fgets(line, sizeof line, maps)) {
    unsigned long long start, end, offset;
    char permissions[8], file[4096] = "";
    if (sscanf(line, "%llx-%llx %7s %llx %*s %*s %4095s", &start, &end, permissions, &offset, file) >= 4 &&
        offset == 0 && strcmp(file, executable) == 0) {
      fclose(maps);
      return start;
    }
  }
  fprintf(stderr, "ordertrace: %s is not mapped in process %d\n", executable, pid);
  exit(2);
}

int main(int argc, char **argv) {
  if (argc < 5 || strcmp(argv[3], "--") != 0) {
    fprintf(stderr, "usage: ordertrace ENTRIES OUT -- PROGRAM ARGUMENT...\n");
    return 2;
  }
  readEntries(argv[1]);
  pid_t pid = fork();
  if (pid < 0) fail("fork");
  if (pid == 0) {
    ptrace(PTRACE_TRACEME, 0, 0, 0);
    execv(argv[4], argv + 4);
    fail(argv[4]);
  }
  int status;
  if (waitpid(pid, &status, 0) < 0 || !WIFSTOPPED(status)) fail("waiting for the program to start");

  uint64_t base = loadAddress(pid);
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/mem", pid);
  int memory = open(path, O_RDWR);
  if (memory < 0) fail(path);
  const unsigned char trap = 0xCC;
  for (size_t i = 0; i < entryCount; i++) {
    off_t at = (off_t)(base + entries[i].address);
    if (pread(memory, &entries[i].original, 1, at) != 1 || pwrite(memory, &trap, 1, at) != 1) fail("setting a trap");
  }
  ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACECLONE | PTRACE_O_EXITKILL);
  ptrace(PTRACE_CONT, pid, 0, 0);

  size_t *order = calloc(entryCount, sizeof *order), ran = 0;
  for (;;) {
    pid_t thread = waitpid(-1, &status, __WALL);
    if (thread < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (WIFEXITED(status) || WIFSIGNALED(status)) {
      if (thread == pid) break;
      continue;
    }
    if (!WIFSTOPPED(status)) continue;
    int signal = WSTOPSIG(status), deliver = 0;
    if (status >> 16) {  // a new thread (PTRACE_EVENT_CLONE): it starts traced
      ptrace(PTRACE_CONT, thread, 0, 0);
      continue;
    }
    if (signal == SIGTRAP) {
      struct user_regs_struct registers;
      ptrace(PTRACE_GETREGS, thread, 0, &registers);
      uint64_t at = registers.rip - 1;
      Entry *entry = at >= base ? entryAt(at - base) : NULL;
      if (entry) {
        // Two threads can trap at one entry before its byte is back: both go on from it.
        if (!entry->ran) {
          entry->ran = 1;
          order[ran++] = (size_t)(entry - entries);
          if (pwrite(memory, &entry->original, 1, (off_t)at) != 1) fail("removing a trap");
        }
        registers.rip = at;
        ptrace(PTRACE_SETREGS, thread, 0, &registers);
      } else {
        deliver = SIGTRAP;
      }
    } else if (signal != SIGSTOP) {  // a new thread's first stop is SIGSTOP; other signals are the program's
      deliver = signal;
    }
    ptrace(PTRACE_CONT, thread, 0, deliver);
  }

  FILE *out = fopen(argv[2], "w");
  if (!out) fail(argv[2]);
  for (size_t i = 0; i < ran; i++) fprintf(out, "%s\n", entries[order[i]].name);
  if (fclose(out) != 0) fail(argv[2]);
  fprintf(stderr, "ordertrace: %zu of %zu entries ran\n", ran, entryCount);
  return 0;
}
