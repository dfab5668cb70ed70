/*
 * A UDP echo for the Service tests (busybox has no UDP server): udpecho PORT NAME answers every
 * datagram with "NAME:" followed by the datagram, to the address it came from. Built statically
 * by the test (gcc -static) into an image with busybox; exits on SIGTERM, as a pod should.
 */
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void bye(int signal) {
  (void) signal;
  _exit(0);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: udpecho PORT [NAME]\n");
    return 2;
  }
  signal(SIGTERM, bye);
  const char *name = argc > 2 ? argv[2] : "";
  size_t prefix = strlen(name);
  if (prefix > 255) {
    prefix = 255;
  }
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in address;
  memset(&address, 0, sizeof address);
  address.sin_family = AF_INET;
  address.sin_port = htons((unsigned short) atoi(argv[1]));
  address.sin_addr.s_addr = htonl(INADDR_ANY);
  if (s < 0 || bind(s, (struct sockaddr *) &address, sizeof address) < 0) {
    perror("udpecho");
    return 1;
  }
  static char in[65536];
  static char out[65536 + 256];
  memcpy(out, name, prefix);
  out[prefix] = ':';
  for (;;) {
    struct sockaddr_in from;
    socklen_t length = sizeof from;
    ssize_t n = recvfrom(s, in, sizeof in - prefix - 1, 0, (struct sockaddr *) &from, &length);
    if (n < 0) {
      continue;
    }
    memcpy(out + prefix + 1, in, (size_t) n);
    sendto(s, out, prefix + 1 + (size_t) n, 0, (struct sockaddr *) &from, length);
  }
}
