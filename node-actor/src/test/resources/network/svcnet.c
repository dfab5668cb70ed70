/*
 * Test and benchmark endpoints for the Service data path (IptablesSyncTest, bin/bench-service-path).
 *   svcnet name PORT NAME          TCP: answer each connection with NAME and close; UDP: answer each datagram with NAME
 *   svcnet echo PORT               TCP echo, one process per connection (64-byte request/response)
 *   svcnet sink PORT               TCP: read and discard, one process per connection (bulk)
 *   svcnet get HOST PORT           TCP: print what the server sends
 *   svcnet udpget HOST PORT [SRC]  UDP: send one datagram (from port SRC), print the answer (1 s timeout, exit 1 without one)
 *   svcnet rr HOST PORT N          N 64-byte request/responses on one connection: prints "p50_us p99_us"
 *   svcnet bulk HOST PORT SECONDS  writes for SECONDS, until the server has read it all: prints "MiB/s"
 * Static (gcc -static), numeric addresses only: it runs in bare network namespaces.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what) { perror(what); exit(2); }

static struct sockaddr_in addr(const char *host, int port) {
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  if (inet_pton(AF_INET, host, &a.sin_addr) != 1) { fprintf(stderr, "bad address %s\n", host); exit(2); }
  return a;
}

static int listener(int type, int port) {
  int s = socket(AF_INET, type, 0), one = 1;
  if (s < 0) die("socket");
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = addr("0.0.0.0", port);
  if (bind(s, (struct sockaddr *)&a, sizeof a) < 0) die("bind");
  if (type == SOCK_STREAM && listen(s, 1024) < 0) die("listen");
  return s;
}

static int connected(const char *host, int port) {
  int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  struct sockaddr_in a = addr(host, port);
  if (connect(s, (struct sockaddr *)&a, sizeof a) < 0) die("connect");
  setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return s;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* mode 0 echo, 1 sink */
static void serve(int port, int mode) {
  int s = listener(SOCK_STREAM, port);
  signal(SIGCHLD, SIG_IGN);
  static char buf[1 << 17];
  for (;;) {
    int c = accept(s, NULL, NULL), one = 1;
    if (c < 0) continue;
    if (fork() == 0) {
      setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      ssize_t n;
      while ((n = read(c, buf, sizeof buf)) > 0) {
        if (mode == 0 && write(c, buf, n) != n) break;
      }
      _exit(0);
    }
    close(c);
  }
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IONBF, 0);
  if (argc >= 4 && !strcmp(argv[1], "name")) {
    int port = atoi(argv[2]);
    const char *name = argv[3];
    int u = listener(SOCK_DGRAM, port), t = listener(SOCK_STREAM, port);
    if (fork() == 0) {
      char b[512];
      struct sockaddr_in from;
      for (;;) {
        socklen_t len = sizeof from;
        if (recvfrom(u, b, sizeof b, 0, (struct sockaddr *)&from, &len) >= 0)
          sendto(u, name, strlen(name), 0, (struct sockaddr *)&from, len);
      }
    }
    for (;;) {
      int c = accept(t, NULL, NULL);
      if (c < 0) continue;
      if (write(c, name, strlen(name)) < 0) {}
      close(c);
    }
  }
  if (argc >= 3 && !strcmp(argv[1], "echo")) serve(atoi(argv[2]), 0);
  if (argc >= 3 && !strcmp(argv[1], "sink")) serve(atoi(argv[2]), 1);
  if (argc >= 4 && !strcmp(argv[1], "get")) {
    int s = connected(argv[2], atoi(argv[3]));
    char b[512];
    ssize_t n;
    while ((n = read(s, b, sizeof b)) > 0) fwrite(b, 1, n, stdout);
    return 0;
  }
  if (argc >= 4 && !strcmp(argv[1], "udpget")) {
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct timeval tv = {1, 0};
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (argc >= 5) {
      int one = 1;
      setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      struct sockaddr_in src = addr("0.0.0.0", atoi(argv[4]));
      if (bind(s, (struct sockaddr *)&src, sizeof src) < 0) die("bind");
    }
    struct sockaddr_in a = addr(argv[2], atoi(argv[3]));
    if (connect(s, (struct sockaddr *)&a, sizeof a) < 0) die("connect");
    if (send(s, "?", 1, 0) < 0) die("send");
    char b[512];
    ssize_t n = recv(s, b, sizeof b, 0);
    if (n < 0) return 1;
    fwrite(b, 1, n, stdout);
    return 0;
  }
  if (argc >= 5 && !strcmp(argv[1], "rr")) {
    int s = connected(argv[2], atoi(argv[3])), n = atoi(argv[4]);
    double *lat = malloc(sizeof(double) * n);
    char b[64];
    memset(b, 'x', sizeof b);
    for (int i = 0; i < n; i++) {
      double t0 = now();
      if (write(s, b, 64) != 64) die("write");
      int got = 0;
      while (got < 64) {
        ssize_t r = read(s, b + got, 64 - got);
        if (r <= 0) die("read");
        got += r;
      }
      lat[i] = (now() - t0) * 1e6;
    }
    qsort(lat, n, sizeof(double), cmp);
    printf("%.1f %.1f\n", lat[n / 2], lat[(int)(n * 0.99)]);
    return 0;
  }
  if (argc >= 5 && !strcmp(argv[1], "bulk")) {
    int s = connected(argv[2], atoi(argv[3]));
    double seconds = atof(argv[4]), t0 = now();
    static char b[1 << 17];
    long long sent = 0;
    while (now() - t0 < seconds) {
      ssize_t w = write(s, b, sizeof b);
      if (w <= 0) die("write");
      sent += w;
    }
    shutdown(s, SHUT_WR);
    while (read(s, b, sizeof b) > 0) {} /* the server closes once it has read everything */
    printf("%.0f\n", sent / (now() - t0) / (1 << 20));
    return 0;
  }
  fprintf(stderr, "usage: see the comment at the top of svcnet.c\n");
  return 2;
}
