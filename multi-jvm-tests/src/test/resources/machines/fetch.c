/*
 * fetch: a tiny HTTP/1.0 GET that resolves the host by NAME, for pods of the multi-machine
 * tests (busybox-static's wget crashes on name lookup). Built static with musl-gcc, whose
 * resolver reads the pod's /etc/resolv.conf: nameserver, search list and ndots, so
 * "backend" resolves as a pod in Kubernetes resolves it.
 *
 *   fetch [-v] [-t SECONDS] http://HOST[:PORT][/PATH]
 *
 * Prints the response body on stdout; exits 0 on a 2xx answer, 1 on any other status, 2 when
 * the name does not resolve, 3 when no address accepts the connection, 4 on a bad URL or a
 * broken answer. -v says on stderr which address answered and the status line.
 */
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <arpa/inet.h>
#include <unistd.h>

static void on_alarm(int sig) {
  (void) sig;
  static const char msg[] = "fetch: timed out\n";
  write(2, msg, sizeof msg - 1);
  _exit(5);
}

int main(int argc, char **argv) {
  int verbose = 0, seconds = 10, opt;
  while ((opt = getopt(argc, argv, "vt:")) != -1) {
    if (opt == 'v') verbose = 1;
    else if (opt == 't') seconds = atoi(optarg);
    else { fprintf(stderr, "usage: fetch [-v] [-t SECONDS] http://HOST[:PORT][/PATH]\n"); return 4; }
  }
  if (optind >= argc || strncmp(argv[optind], "http://", 7) != 0) {
    fprintf(stderr, "usage: fetch [-v] [-t SECONDS] http://HOST[:PORT][/PATH]\n");
    return 4;
  }
  signal(SIGALRM, on_alarm);
  alarm(seconds > 0 ? seconds : 10);

  char host[256], port[16] = "80";
  const char *rest = argv[optind] + 7;
  const char *path = strchr(rest, '/');
  size_t hostlen = path ? (size_t) (path - rest) : strlen(rest);
  if (!path) path = "/";
  if (hostlen == 0 || hostlen >= sizeof host) { fprintf(stderr, "fetch: bad host\n"); return 4; }
  memcpy(host, rest, hostlen);
  host[hostlen] = 0;
  char *colon = strrchr(host, ':');
  if (colon) {
    snprintf(port, sizeof port, "%s", colon + 1);
    *colon = 0;
  }

  struct addrinfo hints = {0}, *res, *ai;
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  int rc = getaddrinfo(host, port, &hints, &res);
  if (rc != 0) {
    fprintf(stderr, "fetch: %s: %s\n", host, gai_strerror(rc));
    return 2;
  }
  int fd = -1;
  char addr[INET_ADDRSTRLEN] = "?";
  for (ai = res; ai; ai = ai->ai_next) {
    fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd < 0) continue;
    inet_ntop(AF_INET, &((struct sockaddr_in *) ai->ai_addr)->sin_addr, addr, sizeof addr);
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) break;
    close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  if (fd < 0) {
    fprintf(stderr, "fetch: cannot connect to %s:%s (%s)\n", host, port, addr);
    return 3;
  }

  char request[1024];
  int n = snprintf(request, sizeof request,
      "GET %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: steuermann-fetch\r\nConnection: close\r\n\r\n", path, host);
  if (n <= 0 || n >= (int) sizeof request || write(fd, request, n) != n) {
    fprintf(stderr, "fetch: cannot send the request\n");
    return 4;
  }

  /* read everything (bounded), then split head and body */
  size_t cap = 1 << 20, len = 0;
  char *buf = malloc(cap + 1);
  ssize_t got;
  while (len < cap && (got = read(fd, buf + len, cap - len)) > 0) len += (size_t) got;
  close(fd);
  buf[len] = 0;
  char *body = strstr(buf, "\r\n\r\n");
  if (strncmp(buf, "HTTP/", 5) != 0 || !body) {
    fprintf(stderr, "fetch: no HTTP answer from %s:%s\n", addr, port);
    return 4;
  }
  body += 4;
  int status = atoi(strchr(buf, ' ') ? strchr(buf, ' ') + 1 : "0");
  if (verbose) {
    char *eol = strstr(buf, "\r\n");
    fprintf(stderr, "fetch: %s:%s answered %.*s\n", addr, port, (int) (eol - buf), buf);
  }
  fwrite(body, 1, len - (size_t) (body - buf), stdout);
  fflush(stdout);
  return status >= 200 && status < 300 ? 0 : 1;
}
