package io.steuermann.engine.encryption;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The keys Secrets are encrypted with at rest, read from one file: a line per key,
 * {@code name:base64 of 32 random bytes}, the first line the key new writes use, the others
 * kept to read what they sealed. The role of Kubernetes' EncryptionConfiguration with one
 * {@code aesgcm} provider; every member of a cluster on a shared database must be given the
 * same file.
 *
 * <p>The file is made at first start (mode 0600, created exclusively so that two processes
 * starting at once on one directory end with one key). Rotation: {@link #rotate} puts a new key
 * first; old rows stay readable with the old key until they are sealed again
 * (docs/architecture.md, "Secrets at rest").
 */
public final class EncryptionKeys {
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
  private static final int KEY_BYTES = 32;

  private final Path file;
  private final Map<String, SecretKey> byName;
  private final String active;

  private EncryptionKeys(Path file, Map<String, SecretKey> byName, String active) {
    this.file = file;
    this.byName = byName;
    this.active = active;
  }

  /** Reads the key file, making it with one new key when it does not exist. */
  public static EncryptionKeys loadOrCreate(Path file) {
    if (!Files.exists(file)) {
      try {
        write(file, List.of(newKeyLine()), false);
      } catch (FileAlreadyExistsException raced) {
        // another process made it first: use its key
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create the encryption key file " + file, e);
      }
    }
    return load(file);
  }

  /** Reads an existing key file. */
  public static EncryptionKeys load(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the encryption key file " + file, e);
    }
    Map<String, SecretKey> keys = new LinkedHashMap<>();
    int number = 0;
    for (String raw : lines) {
      number++;
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int colon = line.indexOf(':');
      String name = colon < 0 ? "" : line.substring(0, colon);
      if (!NAME.matcher(name).matches()) {
        throw new IllegalArgumentException(file + " line " + number
            + ": expected name:base64-key with a name of lower-case letters, digits and '-'");
      }
      byte[] key;
      try {
        key = Base64.getDecoder().decode(line.substring(colon + 1));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(file + " line " + number + ": the key of " + name + " is not base64");
      }
      if (key.length != KEY_BYTES) {
        throw new IllegalArgumentException(file + " line " + number + ": the key of " + name + " has "
            + key.length + " bytes, AES-256-GCM needs " + KEY_BYTES);
      }
      if (keys.putIfAbsent(name, new SecretKeySpec(key, "AES")) != null) {
        throw new IllegalArgumentException(file + " line " + number + ": a second key named " + name);
      }
    }
    if (keys.isEmpty()) {
      throw new IllegalArgumentException(file + " holds no key");
    }
    return new EncryptionKeys(file, Collections.unmodifiableMap(keys), keys.keySet().iterator().next());
  }

  /**
   * Puts a new key first in the file (written to a temporary file and renamed over it, so a
   * crash leaves the old or the new file, never half of one); answers the new key's name.
   */
  public static String rotate(Path file) {
    if (!Files.exists(file)) {
      throw new IllegalArgumentException("there is no key file at " + file
          + " (Steuermann makes one at its first start; --data-dir or --encryption-key-file name it)");
    }
    List<String> lines;
    try {
      lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the encryption key file " + file, e);
    }
    load(file);
    String line = newKeyLine();
    lines.add(0, line);
    try {
      write(file, lines, true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the encryption key file " + file, e);
    }
    return line.substring(0, line.indexOf(':'));
  }

  /** The name of the key new writes are sealed with. */
  public String active() {
    return active;
  }

  public SecretKey activeKey() {
    return byName.get(active);
  }

  public Optional<SecretKey> key(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  public List<String> names() {
    return List.copyOf(byName.keySet());
  }

  public Path file() {
    return file;
  }

  private static String newKeyLine() {
    SecureRandom random = new SecureRandom();
    byte[] key = new byte[KEY_BYTES];
    random.nextBytes(key);
    byte[] id = new byte[4];
    random.nextBytes(id);
    return "key-" + HexFormat.of().formatHex(id) + ":" + Base64.getEncoder().encodeToString(key);
  }

  private static void write(Path file, List<String> lines, boolean replace) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    String text = String.join("\n", lines) + "\n";
    Path temp = Files.createTempFile(dir, ".encryption-keys", ".tmp",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      Files.writeString(temp, text, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING,
          StandardOpenOption.SYNC);
      if (replace) {
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } else {
        // a hard link fails if the name exists: exclusive creation of a fully written file
        Files.createLink(file, temp);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }
}
