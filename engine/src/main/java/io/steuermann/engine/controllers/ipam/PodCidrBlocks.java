package io.steuermann.engine.controllers.ipam;

import io.steuermann.engine.network.ClusterNetwork;
import io.steuermann.engine.network.Ipv4Cidr;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Which node blocks of the cluster CIDR are held, and by whom: the allocator's bitmap (as
 * kube-controller-manager's CIDR set). Block {@code i} is {@link ClusterNetwork#nodeBlock(long)}.
 */
final class PodCidrBlocks {
  private final ClusterNetwork network;
  private final BitSet used = new BitSet();
  private final Map<Integer, String> holders = new HashMap<>();
  private final Map<String, Integer> byNode = new HashMap<>();

  PodCidrBlocks(ClusterNetwork network) {
    if (network.nodeBlocks() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("too many node blocks: " + network.nodeBlocks());
    }
    this.network = network;
  }

  /** The block index of {@code cidr} when it is exactly one node block of the cluster CIDR. */
  Optional<Integer> index(String cidr) {
    Ipv4Cidr block;
    try {
      block = Ipv4Cidr.parse(cidr);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    if (block.prefixLength() != network.nodeMaskSize() || !network.clusterCidr().overlaps(block)) {
      return Optional.empty(); // a block of the user's own outside our range: not ours to track
    }
    long offset = (block.network() - network.clusterCidr().network()) >>> (32 - network.nodeMaskSize());
    return Optional.of((int) offset);
  }

  Optional<Integer> lowestFree() {
    int free = used.nextClearBit(0);
    return free < network.nodeBlocks() ? Optional.of(free) : Optional.empty();
  }

  void hold(int block, String node) {
    releaseHeldBy(node);
    used.set(block);
    holders.put(block, node);
    byNode.put(node, block);
  }

  String holder(int block) {
    return holders.get(block);
  }

  void releaseHeldBy(String node) {
    Integer block = byNode.remove(node);
    if (block != null) {
      used.clear(block);
      holders.remove(block);
    }
  }

  void clear() {
    used.clear();
    holders.clear();
    byNode.clear();
  }
}
