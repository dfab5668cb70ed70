package io.steuermann.node.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Json;
import io.steuermann.engine.network.ClusterNetwork;
import io.steuermann.engine.network.Ipv4Cidr;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** The index and its answers: what CoreDNS's kubernetes plugin answers, and the DNS rules around it. */
class DnsAnswersTest {
  static final ClusterNetwork NETWORK = new ClusterNetwork(Ipv4Cidr.parse("10.244.0.0/16"), 24,
      Ipv4Cidr.parse("10.96.0.0/12"), "cluster.local", "10.96.0.10");

  static ObjectNode json(String text) {
    try {
      return (ObjectNode) Json.parse(text);
    } catch (IOException e) {
      throw new IllegalArgumentException(e);
    }
  }

  static ObjectNode service(String ns, String name, String spec) {
    return json("""
        {"kind":"Service","metadata":{"name":"%s","namespace":"%s"},"spec":%s}""".formatted(name, ns, spec));
  }

  static ObjectNode pod(String ns, String name, String ip, String phase, boolean hostNetwork) {
    return json("""
        {"kind":"Pod","metadata":{"name":"%s","namespace":"%s"},"spec":{"hostNetwork":%s},
         "status":{"phase":"%s","podIP":"%s"}}""".formatted(name, ns, hostNetwork, phase, ip));
  }

  /** A small cluster with one of everything. */
  static DnsIndex index() {
    List<ObjectNode> services = List.of(
        service("shop", "web", """
            {"clusterIP":"10.96.0.20","ports":[{"name":"http","port":80,"protocol":"TCP"},{"port":8080},
              {"name":"dns","port":53,"protocol":"UDP"}]}"""),
        service("shop", "db", """
            {"clusterIP":"None","ports":[{"name":"pg","port":5432}]}"""),
        service("shop", "empty", """
            {"clusterIP":"None"}"""),
        service("shop", "pending", "{}"),
        service("shop", "ext", """
            {"type":"ExternalName","externalName":"db.example.org"}"""),
        service("shop", "alias", """
            {"type":"ExternalName","externalName":"web.shop.svc.cluster.local"}"""),
        service("shop", "bad_name!", """
            {"clusterIP":"10.96.0.99"}"""));
    Map<String, ObjectNode> endpoints = new HashMap<>();
    endpoints.put("shop/db", json("""
        {"kind":"Endpoints","metadata":{"name":"db","namespace":"shop"},"subsets":[
          {"addresses":[{"ip":"10.244.1.5","hostname":"db-0"},{"ip":"10.244.2.7"}],
           "notReadyAddresses":[{"ip":"10.244.3.9","hostname":"db-2"}],
           "ports":[{"name":"pg","port":5432,"protocol":"TCP"}]}]}"""));
    List<ObjectNode> pods = List.of(
        pod("shop", "db-0", "10.244.1.5", "Running", false),
        pod("shop", "a", "10.244.1.6", "Running", false),
        pod("shop", "done", "10.244.1.7", "Succeeded", false),
        pod("kube-system", "host", "192.0.2.2", "Running", true));
    return DnsIndex.build(NETWORK, Duration.ofSeconds(5), Duration.ofSeconds(30), services, endpoints, pods);
  }

  static final DnsIndex INDEX = index();

  static Message query(String name, int type) {
    try {
      return Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
    } catch (IOException e) {
      throw new IllegalArgumentException(e);
    }
  }

  static Message ask(String name, int type) {
    return ask(query(name, type), false);
  }

  static Message ask(Message query, boolean forwarding) {
    DnsAnswers.Reply reply = DnsAnswers.reply(query, INDEX, forwarding, 1232);
    Message answer = assertInstanceOf(DnsAnswers.Answer.class, reply).message();
    try {
      return new Message(answer.toWire()); // what a client gets: it must survive the wire
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static List<String> rdata(Message m, int section) {
    List<String> out = new ArrayList<>();
    m.getSection(section).forEach(r -> out.add(Type.string(r.getType()) + " " + r.rdataToString()));
    return out;
  }

  static TreeSet<String> sorted(List<String> items) {
    return new TreeSet<>(items);
  }

  @Test
  void aServiceNameAnswersItsClusterIpAuthoritativelyWithTheTtl() {
    Message m = ask("web.shop.svc.cluster.local.", Type.A);
    assertEquals(Rcode.NOERROR, m.getRcode());
    assertTrue(m.getHeader().getFlag(Flags.AA));
    assertTrue(m.getHeader().getFlag(Flags.QR));
    assertTrue(m.getHeader().getFlag(Flags.RD), "RD is copied from the query");
    assertFalse(m.getHeader().getFlag(Flags.RA), "no recursion without forwarding");
    assertEquals(List.of("A 10.96.0.20"), rdata(m, Section.ANSWER));
    assertEquals(5, m.getSection(Section.ANSWER).get(0).getTTL());
  }

  @Test
  void namesAreCaseInsensitiveAndTheAnswerKeepsTheClientsSpelling() {
    Message m = ask("WeB.Shop.SVC.Cluster.Local.", Type.A);
    assertEquals(List.of("A 10.96.0.20"), rdata(m, Section.ANSWER));
    // byte for byte as asked (resolvers using 0x20 randomisation compare it)
    assertEquals("WeB.Shop.SVC.Cluster.Local.", m.getSection(Section.ANSWER).get(0).getName().toString());
  }

  @Test
  void anotherTypeOfAnExistingNameIsNoDataWithTheSoa() {
    Message m = ask("web.shop.svc.cluster.local.", Type.AAAA);
    assertEquals(Rcode.NOERROR, m.getRcode());
    assertTrue(m.getSection(Section.ANSWER).isEmpty());
    assertTrue(m.getHeader().getFlag(Flags.AA));
    SOARecord soa = (SOARecord) m.getSection(Section.AUTHORITY).get(0);
    assertEquals("cluster.local.", soa.getName().toString());
    assertEquals(30, soa.getMinimum(), "the negative TTL");
    assertEquals(30, soa.getTTL());
  }

  @Test
  void anUnknownNameIsNxdomainWithTheSoa() {
    for (String name : List.of("nope.shop.svc.cluster.local.", "web.other.svc.cluster.local.",
        "x.web.shop.svc.cluster.local.", "pending.shop.svc.cluster.local.", "empty.shop.svc.cluster.local.",
        "bad_name!.shop.svc.cluster.local.", "10-244-1-7.shop.pod.cluster.local.", "cluster.local.cluster.local.")) {
      Message m = ask(name, Type.A);
      assertEquals(Rcode.NXDOMAIN, m.getRcode(), name);
      assertTrue(m.getHeader().getFlag(Flags.AA), name);
      assertInstanceOf(SOARecord.class, m.getSection(Section.AUTHORITY).get(0), name);
    }
  }

  @Test
  void namesAboveRecordsExistWithoutRecords() {
    for (String name : List.of("shop.svc.cluster.local.", "svc.cluster.local.", "pod.cluster.local.",
        "shop.pod.cluster.local.", "_tcp.web.shop.svc.cluster.local.")) {
      Message m = ask(name, Type.A);
      assertEquals(Rcode.NOERROR, m.getRcode(), name);
      assertTrue(m.getSection(Section.ANSWER).isEmpty(), name);
      assertInstanceOf(SOARecord.class, m.getSection(Section.AUTHORITY).get(0), name);
    }
  }

  @Test
  void theZoneApexHasItsSoaAndNameServer() {
    assertEquals(1, ask("cluster.local.", Type.SOA).getSection(Section.ANSWER).size());
    Message ns = ask("cluster.local.", Type.NS);
    assertEquals(List.of("NS ns.dns.cluster.local."), rdata(ns, Section.ANSWER));
    assertEquals(List.of("A 10.96.0.10"), rdata(ns, Section.ADDITIONAL).subList(0, 1));
  }

  @Test
  void aHeadlessServiceAnswersItsReadyEndpointsAndNamesEach() {
    Message m = ask("db.shop.svc.cluster.local.", Type.A);
    assertEquals(sorted(List.of("A 10.244.1.5", "A 10.244.2.7")), sorted(rdata(m, Section.ANSWER)));
    assertEquals(List.of("A 10.244.1.5"), rdata(ask("db-0.db.shop.svc.cluster.local.", Type.A), Section.ANSWER));
    // an endpoint without a hostname is named by its address, as CoreDNS does
    assertEquals(List.of("A 10.244.2.7"), rdata(ask("10-244-2-7.db.shop.svc.cluster.local.", Type.A), Section.ANSWER));
    assertEquals(Rcode.NXDOMAIN, ask("db-2.db.shop.svc.cluster.local.", Type.A).getRcode(), "not ready");
  }

  @Test
  void srvOfANamedPortTargetsTheServiceOrEachHeadlessEndpoint() {
    Message web = ask("_http._tcp.web.shop.svc.cluster.local.", Type.SRV);
    assertEquals(List.of("SRV 0 100 80 web.shop.svc.cluster.local."), rdata(web, Section.ANSWER));
    assertEquals(List.of("A 10.96.0.20"), rdata(web, Section.ADDITIONAL).subList(0, 1));
    assertEquals(List.of("SRV 0 100 53 web.shop.svc.cluster.local."),
        rdata(ask("_dns._udp.web.shop.svc.cluster.local.", Type.SRV), Section.ANSWER));
    assertEquals(Rcode.NXDOMAIN, ask("_dns._tcp.web.shop.svc.cluster.local.", Type.SRV).getRcode());

    Message db = ask("_pg._tcp.db.shop.svc.cluster.local.", Type.SRV);
    assertEquals(sorted(List.of("SRV 0 50 5432 db-0.db.shop.svc.cluster.local.",
        "SRV 0 50 5432 10-244-2-7.db.shop.svc.cluster.local.")), sorted(rdata(db, Section.ANSWER)));
    assertEquals(sorted(List.of("A 10.244.1.5", "A 10.244.2.7")),
        sorted(rdata(db, Section.ADDITIONAL).stream().filter(s -> s.startsWith("A ")).toList()));
    assertEquals(SRVRecord.class, db.getSection(Section.ANSWER).get(0).getClass());
  }

  @Test
  void anExternalNameIsACnameForEveryType() {
    for (int type : new int[] {Type.A, Type.AAAA, Type.CNAME, Type.TXT}) {
      Message m = ask("ext.shop.svc.cluster.local.", type);
      assertEquals(Rcode.NOERROR, m.getRcode());
      assertEquals(List.of("CNAME db.example.org."), rdata(m, Section.ANSWER));
    }
    // an alias of our own zone is followed once
    assertEquals(List.of("CNAME web.shop.svc.cluster.local.", "A 10.96.0.20"),
        rdata(ask("alias.shop.svc.cluster.local.", Type.A), Section.ANSWER));
  }

  @Test
  void aPodNameAnswersWhenAPodOfThatNamespaceHoldsTheAddress() {
    assertEquals(List.of("A 10.244.1.6"), rdata(ask("10-244-1-6.shop.pod.cluster.local.", Type.A), Section.ANSWER));
    assertEquals(Rcode.NXDOMAIN, ask("10-244-1-6.other.pod.cluster.local.", Type.A).getRcode());
    assertEquals(Rcode.NXDOMAIN, ask("10-244-9-9.shop.pod.cluster.local.", Type.A).getRcode());
  }

  @Test
  void reverseLookupsNameServicesEndpointsAndPods() throws Exception {
    assertEquals(List.of("PTR web.shop.svc.cluster.local."),
        rdata(ask(ReverseMap.fromAddress("10.96.0.20").toString(), Type.PTR), Section.ANSWER));
    assertEquals(List.of("PTR db-0.db.shop.svc.cluster.local."),
        rdata(ask(ReverseMap.fromAddress("10.244.1.5").toString(), Type.PTR), Section.ANSWER));
    assertEquals(List.of("PTR 10-244-1-6.shop.pod.cluster.local."),
        rdata(ask(ReverseMap.fromAddress("10.244.1.6").toString(), Type.PTR), Section.ANSWER));
    Message unknown = ask(ReverseMap.fromAddress("10.96.0.77").toString(), Type.PTR);
    assertEquals(Rcode.NXDOMAIN, unknown.getRcode());
    assertEquals("10.in-addr.arpa.", unknown.getSection(Section.AUTHORITY).get(0).getName().toString());
    // a hostNetwork pod's address is its node's, and 10.1.2.3 is outside both ranges: not ours
    assertEquals(Rcode.REFUSED, ask(ReverseMap.fromAddress("192.0.2.2").toString(), Type.PTR).getRcode());
    assertEquals(Rcode.REFUSED, ask(ReverseMap.fromAddress("10.1.2.3").toString(), Type.PTR).getRcode());
  }

  @Test
  void namesOutsideTheClusterAreRefusedOrForwarded() {
    Message refused = ask("example.com.", Type.A);
    assertEquals(Rcode.REFUSED, refused.getRcode());
    assertFalse(refused.getHeader().getFlag(Flags.AA));
    assertEquals("example.com.", refused.getQuestion().getName().toString());
    assertEquals(Rcode.REFUSED, ask("local.", Type.A).getRcode());
    assertInstanceOf(DnsAnswers.Forward.class, DnsAnswers.reply(query("example.com.", Type.A), INDEX, true, 1232));
    Message withRa = ask(query("web.shop.svc.cluster.local.", Type.A), true);
    assertTrue(withRa.getHeader().getFlag(Flags.RA));
  }

  @Test
  void whatIsNotAPlainQueryIsRefusedOrNotImplemented() {
    Message notify = query("cluster.local.", Type.SOA);
    notify.getHeader().setOpcode(Opcode.NOTIFY);
    assertEquals(Rcode.NOTIMP, ask(notify, false).getRcode());
    assertEquals(Rcode.REFUSED, ask("cluster.local.", Type.AXFR).getRcode());
    Message chaos = new Message();
    try {
      chaos = Message.newQuery(Record.newRecord(Name.fromString("web.shop.svc.cluster.local."), Type.A, DClass.CH));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    assertEquals(Rcode.REFUSED, ask(chaos, false).getRcode());
    Message noQuestion = new Message();
    assertEquals(Rcode.FORMERR, ask(noQuestion, false).getRcode());
  }

  @Test
  void anyReturnsEveryRecordOfTheName() {
    assertEquals(List.of("A 10.96.0.20"), rdata(ask("web.shop.svc.cluster.local.", Type.ANY), Section.ANSWER));
  }

  @Test
  void ednsIsAnsweredWithOurPayloadSizeAndNewerVersionsWithBadvers() {
    Message q = query("web.shop.svc.cluster.local.", Type.A);
    q.addRecord(new OPTRecord(4096, 0, 0), Section.ADDITIONAL);
    Message m = ask(q, false);
    assertEquals(1232, m.getOPT().getPayloadSize());
    Message v1 = query("web.shop.svc.cluster.local.", Type.A);
    v1.addRecord(new OPTRecord(4096, 0, 1), Section.ADDITIONAL);
    assertEquals(Rcode.BADVERS, ask(v1, false).getRcode());
  }

  @Test
  void aBigAnswerIsTruncatedForUdpAndWholeForTcp() throws Exception {
    List<ObjectNode> services = List.of(service("big", "many", "{\"clusterIP\":\"None\"}"));
    StringBuilder addresses = new StringBuilder();
    for (int i = 1; i <= 100; i++) {
      addresses.append(i > 1 ? "," : "").append("{\"ip\":\"10.244.7.").append(i).append("\"}");
    }
    Map<String, ObjectNode> endpoints = Map.of("big/many", json("""
        {"kind":"Endpoints","metadata":{"name":"many","namespace":"big"},"subsets":[{"addresses":[%s]}]}"""
        .formatted(addresses)));
    DnsIndex big = DnsIndex.build(NETWORK, Duration.ofSeconds(5), Duration.ofSeconds(5), services, endpoints, List.of());
    Message answer = ((DnsAnswers.Answer) DnsAnswers.reply(query("many.big.svc.cluster.local.", Type.A), big, false, 1232))
        .message();
    Message udp = new Message(answer.toWire(512));
    assertTrue(udp.getHeader().getFlag(Flags.TC));
    assertTrue(udp.getSection(Section.ANSWER).size() < 100);
    Message tcp = new Message(answer.toWire(65535));
    assertFalse(tcp.getHeader().getFlag(Flags.TC));
    assertEquals(100, tcp.getSection(Section.ANSWER).size());
  }

  @Test
  void anUnparsableMessageGetsAFormatErrorWithItsId() throws Exception {
    byte[] garbage = {0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 5, 'a'};
    Message m = new Message(DnsAnswers.formatError(garbage));
    assertEquals(0x1234, m.getHeader().getID());
    assertEquals(Rcode.FORMERR, m.getRcode());
  }
}
