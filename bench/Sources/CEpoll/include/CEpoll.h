// epoll for pmd-bench's `--client epoll` (Swift's Glibc module does not export <sys/epoll.h>).
#pragma once
#include <sys/epoll.h>
