package io.steuermann.http.protobuf;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.kubernetes.client.proto.Runtime.TypeMeta;
import io.kubernetes.client.proto.Runtime.Unknown;
import java.util.Arrays;

/**
 * The frame around every Kubernetes protobuf body: the four bytes {@code k8s\0}, then a
 * {@code runtime.Unknown} naming the type and holding the serialized message in {@code raw}.
 */
public record Envelope(String apiVersion, String kind, ByteString raw) {
  static final byte[] MAGIC = {'k', '8', 's', 0};

  public byte[] toBytes() {
    Unknown unknown = Unknown.newBuilder()
        .setTypeMeta(TypeMeta.newBuilder().setApiVersion(apiVersion).setKind(kind))
        .setRaw(raw)
        // Go writes both even when empty; empty means "raw is protobuf, not compressed"
        .setContentEncoding("")
        .setContentType("")
        .build();
    byte[] out = new byte[MAGIC.length + unknown.getSerializedSize()];
    System.arraycopy(MAGIC, 0, out, 0, MAGIC.length);
    System.arraycopy(unknown.toByteArray(), 0, out, MAGIC.length, unknown.getSerializedSize());
    return out;
  }

  /** Reads an envelope; a wrong prefix, a cut-off or an unnamed body is a {@link ConversionException}. */
  public static Envelope parse(byte[] bytes) {
    if (bytes.length < MAGIC.length || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      throw new ConversionException(
          "the protobuf body does not start with the Kubernetes prefix \"k8s\\x00\"");
    }
    Unknown unknown;
    try {
      unknown = Unknown.parseFrom(ByteString.copyFrom(bytes, MAGIC.length, bytes.length - MAGIC.length));
    } catch (InvalidProtocolBufferException e) {
      throw new ConversionException("the protobuf envelope is truncated or corrupt: " + e.getMessage());
    }
    if (!unknown.getContentEncoding().isEmpty()) {
      throw new ConversionException("unsupported protobuf content encoding \"" + unknown.getContentEncoding() + "\"");
    }
    if (!unknown.getContentType().isEmpty() && !unknown.getContentType().equals(KubernetesProtobuf.MEDIA_TYPE)) {
      throw new ConversionException("unsupported content type of the embedded object \"" + unknown.getContentType() + "\"");
    }
    String kind = unknown.getTypeMeta().getKind();
    if (kind.isEmpty()) {
      throw new ConversionException("the protobuf envelope names no kind (typeMeta.kind is empty)");
    }
    return new Envelope(unknown.getTypeMeta().getApiVersion(), kind, unknown.getRaw());
  }
}
