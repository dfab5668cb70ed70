package io.steuermann.node.proxy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.ActorRefFactory;
import org.apache.pekko.stream.ActorMaterializer;
import org.apache.pekko.stream.ActorMaterializerSettings;
import org.apache.pekko.stream.Materializer;

/**
 * The materializer the proxy's connections run on: the system's stream settings with the
 * proxy's own TCP write settings ({@code steuermann.proxy.tcp}). The system-wide default
 * coalesces small writes by waiting a round trip to the connection actor first, which costs a
 * forwarded request/response that round trip in each direction; the proxy writes at once.
 * Only the IO settings differ, so the rest of the system (the API server) keeps its own.
 */
final class ProxyMaterializer {
  private ProxyMaterializer() {}

  /** A materializer whose streams stop with {@code owner} (the proxy's actor context). */
  @SuppressWarnings("deprecation") // IO settings can only be chosen per materializer through these settings
  static Materializer create(ActorRefFactory owner, Config systemConfig, Config proxyTcp) {
    Config materializer = ConfigFactory.parseString(
            "io.tcp.write-buffer-size = " + proxyTcp.getBytes("write-buffer-size") + "\n"
                + "io.tcp.coalesce-writes = " + proxyTcp.getInt("coalesce-writes") + "\n")
        .withFallback(systemConfig.getConfig("pekko.stream.materializer"));
    return ActorMaterializer.create(ActorMaterializerSettings.create(materializer), owner, "service-proxy-streams");
  }
}
