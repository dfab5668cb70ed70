package io.steuermann.node.dns;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The answer to one query from one index snapshot. Pure: the servers (UDP, TCP) and the tests
 * call the same function.
 *
 * <p>Names of the cluster domain (and of the reverse zones of the service range and the
 * cluster CIDR) are answered authoritatively (AA): the records asked for; NOERROR with no
 * answer ("NODATA") when the name exists without that type (AAAA of a Service); NXDOMAIN when
 * it does not exist; both negative answers carry the zone's SOA in the authority section, whose
 * minimum tells resolvers how long to cache them (RFC 2308). Other names are forwarded when
 * forwarding is on, and REFUSED otherwise.
 */
public final class DnsAnswers {
  private DnsAnswers() {}

  /** What to do with a query. */
  public sealed interface Reply {}

  /** Send this message back. */
  public record Answer(Message message) implements Reply {}

  /** Send the query to the forwarders and their answer back. */
  public record Forward(Message query) implements Reply {}

  public static Reply reply(Message query, DnsIndex index, boolean forwarding, int advertisedPayload) {
    Header header = query.getHeader();
    if (header.getFlag(Flags.QR)) {
      return new Answer(error(query, Rcode.FORMERR, advertisedPayload));
    }
    if (header.getOpcode() != Opcode.QUERY) {
      return new Answer(error(query, Rcode.NOTIMP, advertisedPayload));
    }
    Record question = query.getQuestion();
    if (question == null || header.getCount(Section.QUESTION) != 1) {
      return new Answer(error(query, Rcode.FORMERR, advertisedPayload));
    }
    OPTRecord opt = query.getOPT();
    if (opt != null && opt.getVersion() > 0) {
      Message bad = error(query, Rcode.NOERROR, advertisedPayload);
      // BADVERS is an extended rcode: its upper bits travel in the OPT record
      bad.removeAllRecords(Section.ADDITIONAL);
      bad.addRecord(new OPTRecord(advertisedPayload, Rcode.BADVERS >>> 4, 0), Section.ADDITIONAL);
      return new Answer(bad);
    }
    Name qname = question.getName();
    int qtype = question.getType();
    int qclass = question.getDClass();
    DnsIndex.Lookup lookup = index.lookup(qname);
    if (lookup instanceof DnsIndex.NotOurs) {
      return forwarding ? new Forward(query) : new Answer(error(query, Rcode.REFUSED, advertisedPayload));
    }
    if (qclass != DClass.IN && qclass != DClass.ANY) {
      return new Answer(error(query, Rcode.REFUSED, advertisedPayload));
    }
    if (qtype == Type.AXFR || qtype == Type.IXFR) {
      return new Answer(error(query, Rcode.REFUSED, advertisedPayload)); // no zone transfers
    }
    Message response = respond(query, advertisedPayload);
    response.getHeader().setFlag(Flags.AA);
    if (forwarding) {
      response.getHeader().setFlag(Flags.RA);
    }
    if (lookup instanceof DnsIndex.Found found) {
      answerFound(response, index, qname, qtype, found.rrsets());
    } else if (lookup instanceof DnsIndex.NoSuchName) {
      response.getHeader().setRcode(Rcode.NXDOMAIN);
      negative(response, index, qname);
    } else {
      negative(response, index, qname); // an empty non-terminal: the name exists, without records
    }
    return new Answer(response);
  }

  private static void answerFound(Message response, DnsIndex index, Name qname, int qtype,
      Map<Integer, List<Record>> rrsets) {
    List<Record> answers = new ArrayList<>();
    List<Record> chased = new ArrayList<>();
    if (qtype == Type.ANY) {
      rrsets.values().forEach(answers::addAll);
    } else if (rrsets.containsKey(qtype)) {
      answers.addAll(rrsets.get(qtype));
    } else if (rrsets.containsKey(Type.CNAME)) {
      // an alias answers every type; a target of our own zone is followed once, as CoreDNS does
      CNAMERecord cname = (CNAMERecord) rrsets.get(Type.CNAME).get(0);
      answers.add(cname);
      if (index.lookup(cname.getTarget()) instanceof DnsIndex.Found target && target.rrsets().containsKey(qtype)) {
        chased.addAll(target.rrsets().get(qtype));
      }
    }
    if (answers.isEmpty()) {
      negative(response, index, qname);
      return;
    }
    // the owner as the client spelled it (resolvers that randomise case compare it)
    for (Record record : answers) {
      response.addRecord(record.withName(qname), Section.ANSWER);
    }
    chased.forEach(r -> response.addRecord(r, Section.ANSWER));
    for (Record record : answers) {
      Name glue = record instanceof SRVRecord srv ? srv.getTarget()
          : record instanceof NSRecord ns ? ns.getTarget() : null;
      if (glue != null && index.lookup(glue) instanceof DnsIndex.Found target) {
        target.rrsets().getOrDefault(Type.A, List.of()).forEach(a -> {
          if (!response.findRecord(a, Section.ADDITIONAL)) {
            response.addRecord(a, Section.ADDITIONAL);
          }
        });
      }
    }
  }

  private static void negative(Message response, DnsIndex index, Name qname) {
    Optional<SOARecord> soa = index.soaFor(qname);
    soa.ifPresent(s -> response.addRecord(s, Section.AUTHORITY));
  }

  /** A response with the query's id, question and RD, and an OPT record when the query had one. */
  private static Message respond(Message query, int advertisedPayload) {
    Message response = new Message(query.getHeader().getID());
    Header header = response.getHeader();
    header.setFlag(Flags.QR);
    if (query.getHeader().getFlag(Flags.RD)) {
      header.setFlag(Flags.RD);
    }
    if (query.getQuestion() != null) {
      response.addRecord(query.getQuestion(), Section.QUESTION);
    }
    if (query.getOPT() != null) {
      response.addRecord(new OPTRecord(advertisedPayload, 0, 0), Section.ADDITIONAL);
    }
    return response;
  }

  static Message error(Message query, int rcode, int advertisedPayload) {
    Message response = respond(query, advertisedPayload);
    response.getHeader().setOpcode(query.getHeader().getOpcode());
    response.getHeader().setRcode(rcode);
    return response;
  }

  /** A FORMERR for bytes that did not parse as a message but carry an id (RFC 1035 4.1.1). */
  public static byte[] formatError(byte[] request) {
    Header header = new Header(((request[0] & 0xff) << 8) | (request[1] & 0xff));
    header.setFlag(Flags.QR);
    header.setRcode(Rcode.FORMERR);
    Message message = new Message();
    message.setHeader(header);
    return message.toWire();
  }
}
