#ifndef CCGD_PROCESS_WATCH_H
#define CCGD_PROCESS_WATCH_H

#include <stdint.h>
#include <sys/types.h>

/// Process descriptors and epoll, which Swift's Glibc module does not export (pidfd_open needs
/// Linux 5.3). Each returns what the system call returns (-1 with errno set on failure).

/// A descriptor of process `pid` (pidfd_open): it stays that process's even once the pid is
/// reused, and becomes readable when the process exits.
int ccgd_pidfd_open(pid_t pid);

/// 1 when the process of `pidfd` has exited, 0 while it runs, -1 on error.
int ccgd_pidfd_exited(int pidfd);

/// A new epoll instance (close-on-exec).
int ccgd_epoll_create(void);

/// Watches `fd` for input (a pidfd: the process's exit); `token` comes back from ccgd_epoll_wait.
int ccgd_epoll_watch(int epoll, int fd, uint64_t token);

/// Stops watching `fd`.
int ccgd_epoll_forget(int epoll, int fd);

/// Waits up to `timeout_ms` (-1: for ever) and writes the tokens of ready descriptors; answers
/// how many (0 on timeout, -1 on error).
int ccgd_epoll_wait(int epoll, uint64_t *tokens, int capacity, int timeout_ms);

#endif
