package io.steuermann.node.probe;

import java.net.Socket;
import java.net.http.HttpClient;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The HTTPS client of a process's probes, made on first use: one client (one selector thread)
 * serves every HTTPS httpGet probe of every node in the process, and a process whose pods
 * have none makes none. (Plain HTTP probes use {@link PlainHttpGet}: a fresh connection each.)
 *
 * <p>HTTPS probes do not verify the certificate nor the host name, as Kubernetes' kubelet
 * ({@code InsecureSkipVerify}): a probe asks whether the server answers, not who it is.
 */
public final class ProbeClients {
  private HttpClient http;

  /** The shared client: HTTP/1.1, no redirects followed (a 3xx answer is a success). */
  public synchronized HttpClient http() {
    if (http == null) {
      http = HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .followRedirects(HttpClient.Redirect.NEVER)
          .connectTimeout(Duration.ofSeconds(10))
          .sslContext(insecureTls())
          .build();
    }
    return http;
  }

  private static SSLContext insecureTls() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {new TrustAnything()}, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no TLS in this JVM", e);
    }
  }

  /** An extended trust manager, so that the JDK's host name check (which lives in it) is skipped too. */
  private static final class TrustAnything extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) { }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) { }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) { }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) { }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) { }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) { }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
