package io.steuermann.engine.encryption;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import io.steuermann.engine.objects.ObjectEvent;
import io.steuermann.engine.objects.ObjectState;
import java.io.IOException;
import java.io.NotSerializableException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.serialization.SerializerWithStringManifest;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;

/**
 * Serializes the journal's object events and snapshots: as Jackson CBOR, the same bytes as the
 * {@code jackson-cbor} serializer, and for a Secret those bytes sealed with AES-256-GCM under
 * the active key of {@link EncryptionKeys}. A sealed row's manifest is
 * {@code sealed:<key name>:<CBOR manifest>}; its payload the 12-byte nonce and the ciphertext
 * with its tag, the manifest bound in as associated data (a payload moved to a row of another
 * class or key does not open).
 *
 * <p>Rows written before this serializer existed keep their {@code jackson-cbor} serializer id
 * and are read by it as before.
 */
public final class ObjectSerializer extends SerializerWithStringManifest {
  /** The prefix of a sealed row's manifest. */
  public static final String SEALED = "sealed:";
  /** Its serializer id in the journal's rows (Pekko reserves 0 to 40). */
  public static final int IDENTIFIER = 7301;

  /** What the rows' manifests name: a fixed table, so no other class is ever instantiated. */
  private static final Map<String, Class<?>> CLASSES = Map.of(
      ObjectEvent.Created.class.getName(), ObjectEvent.Created.class,
      ObjectEvent.Updated.class.getName(), ObjectEvent.Updated.class,
      ObjectEvent.Deleted.class.getName(), ObjectEvent.Deleted.class,
      ObjectState.class.getName(), ObjectState.class);
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final ExtendedActorSystem system;
  private final EncryptionKeys keys;
  private final SecureRandom random = new SecureRandom();
  private volatile ObjectMapper mapper;

  public ObjectSerializer(ExtendedActorSystem system) {
    this.system = system;
    this.keys = EncryptionKeys.loadOrCreate(keyFile(system.settings().config()));
  }

  /**
   * The configuration with jackson-cbor allowed to read the rows written before this
   * serializer existed (serializer id 33); set here rather than in reference.conf, where the
   * order of the libraries' files decides whether an addition to the list survives.
   */
  public static Config configure(Config config) {
    String key = "pekko.serialization.jackson.allowed-class-prefix";
    List<String> allowed = new ArrayList<>(config.getStringList(key));
    for (Class<?> c : List.of(ObjectEvent.class, ObjectState.class)) {
      if (!allowed.contains(c.getName())) {
        allowed.add(c.getName());
      }
    }
    return config.withValue(key, ConfigValueFactory.fromIterable(allowed));
  }

  /** {@code steuermann.encryption.key-file}, or {@code encryption-keys} in the data directory. */
  public static Path keyFile(Config config) {
    String configured = config.getString("steuermann.encryption.key-file");
    return configured.isBlank()
        ? Path.of(config.getString("steuermann.store.data-dir")).resolve("encryption-keys")
        : Path.of(configured);
  }

  /** The keys this process seals and opens with. */
  public EncryptionKeys keys() {
    return keys;
  }

  @Override
  public int identifier() {
    return IDENTIFIER;
  }

  @Override
  public String manifest(Object o) {
    String inner = o.getClass().getName();
    return isSecret(o) ? SEALED + keys.active() + ":" + inner : inner;
  }

  @Override
  public byte[] toBinary(Object o) {
    byte[] plain;
    try {
      plain = mapper().writeValueAsBytes(o);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot serialize " + o.getClass().getName(), e);
    }
    if (!isSecret(o)) {
      return plain;
    }
    String manifest = manifest(o);
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher cipher = cipher(Cipher.ENCRYPT_MODE, keys.activeKey(), nonce, manifest);
      ByteBuffer out = ByteBuffer.allocate(NONCE_BYTES + cipher.getOutputSize(plain.length));
      out.put(nonce);
      cipher.doFinal(ByteBuffer.wrap(plain), out);
      return out.array();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot seal a Secret with key " + keys.active(), e);
    }
  }

  @Override
  public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
    if (!manifest.startsWith(SEALED)) {
      return deserialize(bytes, manifest);
    }
    int end = manifest.indexOf(':', SEALED.length());
    if (end < 0) {
      throw new NotSerializableException("malformed sealed manifest " + manifest);
    }
    String name = manifest.substring(SEALED.length(), end);
    SecretKey key = keys.key(name).orElseThrow(() -> new NotSerializableException(
        "a Secret sealed with key " + name + ", which " + keys.file() + " does not hold (it has "
            + keys.names() + "); every member needs the same encryption key file"));
    try {
      Cipher cipher = cipher(Cipher.DECRYPT_MODE, key, Arrays.copyOf(bytes, NONCE_BYTES), manifest);
      byte[] plain = cipher.doFinal(bytes, NONCE_BYTES, bytes.length - NONCE_BYTES);
      return deserialize(plain, manifest.substring(end + 1));
    } catch (GeneralSecurityException e) {
      throw new NotSerializableException("a Secret sealed with key " + name + " does not open: " + e);
    }
  }

  private Object deserialize(byte[] bytes, String manifest) throws NotSerializableException {
    Class<?> type = CLASSES.get(manifest);
    if (type == null) {
      throw new NotSerializableException("not an object event or state: " + manifest);
    }
    try {
      return mapper().readValue(bytes, type);
    } catch (IOException e) {
      NotSerializableException failure = new NotSerializableException(manifest + ": " + e.getMessage());
      failure.initCause(e);
      throw failure;
    }
  }

  private static Cipher cipher(int mode, SecretKey key, byte[] nonce, String manifest)
      throws GeneralSecurityException {
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
    cipher.updateAAD(manifest.getBytes(StandardCharsets.UTF_8));
    return cipher;
  }

  private static boolean isSecret(Object o) {
    ObjectNode object = o instanceof ObjectEvent e ? e.object()
        : o instanceof ObjectState s ? s.object() : null;
    if (object == null) {
      return false;
    }
    JsonNode kind = object.get("kind");
    return kind != null && "Secret".equals(kind.asText());
  }

  /**
   * jackson-cbor's own mapper (same modules and settings, so the same bytes as that
   * serializer), looked up at first use: serializers are made while extensions are starting.
   */
  private ObjectMapper mapper() {
    ObjectMapper m = mapper;
    if (m == null) {
      m = JacksonObjectMapperProvider.get(system).getOrCreate("jackson-cbor", Optional.of(new CBORFactory()));
      mapper = m;
    }
    return m;
  }
}
