package io.steuermann.node.ingress;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Chooses the server certificate of each TLS handshake by the name the client asked for (SNI),
 * from the current routing table: one SSLContext serves every host, and a certificate added to
 * or removed from a Secret applies to the next handshake without rebinding the port.
 */
final class SniKeyManager extends X509ExtendedKeyManager {
  private final Supplier<IngressRoutes.Table> table;
  /** Entries by alias, as handed to the engine between choosing an alias and reading its key. */
  private final Map<String, TlsCertificates.KeyEntry> chosen = new ConcurrentHashMap<>();

  SniKeyManager(Supplier<IngressRoutes.Table> table) {
    this.table = table;
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    Optional<TlsCertificates.KeyEntry> entry = table.get().certificate(serverName(engine.getHandshakeSession()));
    if (entry.isEmpty() || !keyType.equalsIgnoreCase(entry.get().key().getAlgorithm())) {
      return null;
    }
    if (chosen.size() > 1024) {
      chosen.clear(); // certificates replaced many times over: forget the old ones
    }
    chosen.put(entry.get().alias(), entry.get());
    return entry.get().alias();
  }

  private static String serverName(SSLSession session) {
    if (session instanceof ExtendedSSLSession extended) {
      for (SNIServerName name : extended.getRequestedServerNames()) {
        if (name instanceof SNIHostName host) {
          return host.getAsciiName();
        }
      }
    }
    return null;
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    TlsCertificates.KeyEntry entry = chosen.get(alias);
    return entry == null ? null : entry.chain().clone();
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    TlsCertificates.KeyEntry entry = chosen.get(alias);
    return entry == null ? null : entry.key();
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return null; // served through SSLEngine only
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return null;
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return null;
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    return null;
  }
}
