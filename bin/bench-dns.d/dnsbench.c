/*
 * The DNS load of bin/bench-dns, run inside a container (static, built with musl-gcc at bench
 * time). UDP, one socket, up to WINDOW queries outstanding; each answer is checked (hit:
 * NOERROR with an answer; nx: NXDOMAIN) and its latency recorded; a query unanswered after
 * 1 s counts as lost and is replaced.
 *   dnsbench SERVER PORT hit|nx NAMES SECONDS WINDOW
 * prints: mode window queries seconds qps p50_us p99_us lost wrong
 */
#include <arpa/inet.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000ull + t.tv_nsec;
}

static int build(unsigned char *buf, uint16_t id, const char *name) {
  unsigned char *p = buf;
  *p++ = id >> 8; *p++ = id & 0xff;
  *p++ = 0x01; *p++ = 0x00;                 /* RD */
  *p++ = 0; *p++ = 1; memset(p, 0, 6); p += 6; /* one question */
  const char *s = name;
  while (*s) {
    const char *dot = strchr(s, '.');
    size_t n = dot ? (size_t)(dot - s) : strlen(s);
    *p++ = (unsigned char)n; memcpy(p, s, n); p += n;
    s += n; if (*s == '.') s++;
  }
  *p++ = 0;
  *p++ = 0; *p++ = 1; *p++ = 0; *p++ = 1;  /* A, IN */
  return (int)(p - buf);
}

static int cmp(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  if (argc != 7) {
    fprintf(stderr, "usage: dnsbench SERVER PORT hit|nx NAMES SECONDS WINDOW\n");
    return 2;
  }
  int hit = strcmp(argv[3], "hit") == 0;
  int names = atoi(argv[4]), seconds = atoi(argv[5]), window = atoi(argv[6]);
  struct sockaddr_in server = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[2]))};
  inet_pton(AF_INET, argv[1], &server.sin_addr);
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0 || connect(fd, (struct sockaddr *)&server, sizeof server) < 0) {
    perror("socket");
    return 1;
  }
  static uint64_t sent[65536];
  static unsigned char out[512], in[4096];
  size_t cap = 20000000, count = 0;
  uint32_t *lat = malloc(cap * sizeof *lat);
  uint16_t next = 1;
  int outstanding = 0, k = 0;
  long lost = 0, wrong = 0;
  char name[256];
  uint64_t start = now_ns(), end = start + (uint64_t)seconds * 1000000000ull, last_sweep = start;
  while (now_ns() < end) {
    while (outstanding < window) {
      snprintf(name, sizeof name, hit ? "svc-%d.bench.svc.cluster.local" : "nope-%d.bench.svc.cluster.local",
               k++ % names);
      int n = build(out, next, name);
      sent[next] = now_ns();
      if (send(fd, out, n, 0) == n) outstanding++; else sent[next] = 0;
      next++; if (next == 0) next = 1;
    }
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, 100) > 0) {
      ssize_t r = recv(fd, in, sizeof in, 0);
      if (r >= 12) {
        uint16_t id = (in[0] << 8) | in[1];
        uint64_t t = now_ns();
        if (sent[id]) {
          int rcode = in[3] & 0x0f, answers = (in[6] << 8) | in[7];
          if (hit ? (rcode != 0 || answers == 0) : rcode != 3) wrong++;
          if (count < cap) lat[count] = (uint32_t)((t - sent[id]) / 1000);
          count++;
          sent[id] = 0;
          outstanding--;
        }
      }
    }
    uint64_t t = now_ns();
    if (t - last_sweep > 200000000ull) { /* forget queries older than 1 s */
      for (int i = 0; i < 65536; i++) {
        if (sent[i] && t - sent[i] > 1000000000ull) { sent[i] = 0; outstanding--; lost++; }
      }
      last_sweep = t;
    }
  }
  double secs = (now_ns() - start) / 1e9;
  size_t m = count < cap ? count : cap;
  qsort(lat, m, sizeof *lat, cmp);
  printf("%s %d %zu %.1f %.0f %u %u %ld %ld\n", hit ? "hit" : "nx", window, count, secs, count / secs,
         m ? lat[m / 2] : 0, m ? lat[(size_t)(m * 0.99)] : 0, lost, wrong);
  return 0;
}
