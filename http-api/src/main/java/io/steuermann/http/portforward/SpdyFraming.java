package io.steuermann.http.portforward;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.spdy.DefaultSpdyPingFrame;
import io.netty.handler.codec.spdy.DefaultSpdyRstStreamFrame;
import io.netty.handler.codec.spdy.DefaultSpdySynReplyFrame;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyFrame;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdyFrameEncoder;
import io.netty.handler.codec.spdy.SpdyStreamStatus;
import io.netty.handler.codec.spdy.SpdyVersion;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.util.ByteString;

/**
 * SPDY/3.1 frames of one session to and from bytes, with Netty's codec (frame layout and the
 * zlib-compressed header blocks, whose compression state spans the whole session). Not
 * thread-safe: one session's frames are read and its control frames written by one stage at a
 * time. Data frames carry no compressed state, so {@link #data} may be called from anywhere.
 */
final class SpdyFraming {
  /** Stateless for data frames (only header blocks carry the session's zlib state). */
  private static final SpdyFrameEncoder DATA = new SpdyFrameEncoder(SpdyVersion.SPDY_3_1);

  /** Netty's frame codec driven by hand: bytes in, frames out, and back. */
  private final EmbeddedChannel codec = new EmbeddedChannel(new SpdyFrameCodec(SpdyVersion.SPDY_3_1));

  /** Frames in a slice of the client's byte stream (a frame may span slices). Throws on a broken stream. */
  List<Frame> read(ByteString bytes) {
    codec.writeInbound(Unpooled.wrappedBuffer(bytes.toArrayUnsafe()));
    codec.checkException();
    List<Frame> frames = new ArrayList<>();
    for (Object o = codec.readInbound(); o != null; o = codec.readInbound()) {
      try {
        frames.add(Frame.of((SpdyFrame) o));
      } finally {
        ReferenceCountUtil.release(o);
      }
    }
    return frames;
  }

  /**
   * The answer to a client's new stream. A header block always holds at least one header: Go's
   * SPDY reader (kubectl's) refuses an empty block, which is what Netty writes for no headers.
   */
  ByteString reply(int streamId) {
    DefaultSpdySynReplyFrame reply = new DefaultSpdySynReplyFrame(streamId);
    reply.headers().set(":status", "200");
    return write(reply);
  }

  ByteString reset(int streamId) {
    return write(new DefaultSpdyRstStreamFrame(streamId, SpdyStreamStatus.CANCEL));
  }

  ByteString ping(int id) {
    return write(new DefaultSpdyPingFrame(id));
  }

  private ByteString write(SpdyFrame frame) {
    codec.writeOutbound(frame);
    codec.checkException();
    ByteString out = ByteString.emptyByteString();
    for (Object o = codec.readOutbound(); o != null; o = codec.readOutbound()) {
      ByteBuf buf = (ByteBuf) o;
      try {
        out = out.concat(bytes(buf));
      } finally {
        buf.release();
      }
    }
    return out;
  }

  /** Bytes on a stream; {@code last} half-closes it (an empty frame with FIN is a bare close). */
  static ByteString data(int streamId, ByteString bytes, boolean last) {
    ByteBuf frame = DATA.encodeDataFrame(UnpooledByteBufAllocator.DEFAULT, streamId, last,
        Unpooled.wrappedBuffer(bytes.toArrayUnsafe()));
    try {
      return bytes(frame);
    } finally {
      frame.release();
    }
  }

  void close() {
    codec.finishAndReleaseAll();
  }

  private static ByteString bytes(ByteBuf buf) {
    byte[] copy = new byte[buf.readableBytes()];
    buf.readBytes(copy);
    return ByteString.fromArrayUnsafe(copy);
  }

  /** What the session acts on, copied out of Netty's reference-counted frames. */
  sealed interface Frame {
    static Frame of(SpdyFrame frame) {
      if (frame instanceof io.netty.handler.codec.spdy.SpdySynStreamFrame syn) {
        java.util.Map<String, String> headers = new java.util.HashMap<>();
        for (var entry : syn.headers()) {
          headers.putIfAbsent(entry.getKey().toString().toLowerCase(java.util.Locale.ROOT), entry.getValue().toString());
        }
        return new NewStream(syn.streamId(), java.util.Map.copyOf(headers), syn.isLast(), syn.isInvalid());
      }
      if (frame instanceof SpdyDataFrame data) {
        return new Data(data.streamId(), bytes(data.content()), data.isLast());
      }
      if (frame instanceof io.netty.handler.codec.spdy.SpdyRstStreamFrame rst) {
        return new Reset(rst.streamId());
      }
      if (frame instanceof io.netty.handler.codec.spdy.SpdyPingFrame ping) {
        return new Ping(ping.id());
      }
      if (frame instanceof io.netty.handler.codec.spdy.SpdyGoAwayFrame) {
        return new GoAway();
      }
      // SETTINGS, WINDOW_UPDATE, HEADERS: kubectl's SPDY (spdystream) does no flow control either
      return new Ignored(frame.getClass().getSimpleName());
    }
  }

  record NewStream(int id, java.util.Map<String, String> headers, boolean last, boolean invalid) implements Frame {}

  record Data(int streamId, ByteString bytes, boolean last) implements Frame {}

  record Reset(int streamId) implements Frame {}

  record Ping(int id) implements Frame {}

  record GoAway() implements Frame {}

  record Ignored(String type) implements Frame {}
}
