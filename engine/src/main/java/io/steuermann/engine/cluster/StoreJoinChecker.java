package io.steuermann.engine.cluster;

import com.typesafe.config.Config;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.cluster.ConfigValidation;
import org.apache.pekko.cluster.Invalid;
import org.apache.pekko.cluster.JoinConfigCompatChecker;
import org.apache.pekko.cluster.Valid$;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Refuses a join between members that do not share one journal: the embedded H2 store
 * belongs to one process, so a member on H2 neither joins nor lets others join; members on
 * PostgreSQL must name the same database. Pekko runs this on the member being joined (with
 * the joiner's values of {@link #requiredKeys()}) and on the joiner (with the cluster's); a
 * refused joiner shuts down (exit status 2 in the server, {@code IncompatibleConfigurationDetectedReason}).
 * Registered in {@code pekko.cluster.configuration-compatibility-check.checkers}.
 */
public final class StoreJoinChecker extends JoinConfigCompatChecker {
  static final String KIND = "steuermann.store.kind";
  static final String URL = "steuermann.store.postgres.url";

  @Override
  public scala.collection.immutable.Seq<String> requiredKeys() {
    return CollectionConverters.asScala(List.of(KIND, URL)).toList();
  }

  @Override
  public ConfigValidation check(Config toCheck, Config actualConfig) {
    List<String> errors = problems(toCheck, actualConfig);
    return errors.isEmpty()
        ? Valid$.MODULE$
        : new Invalid(CollectionConverters.asScala(errors).toList());
  }

  /** What keeps two members with these store settings from forming one cluster; empty if nothing. */
  static List<String> problems(Config joining, Config cluster) {
    List<String> errors = new ArrayList<>();
    String joiningKind = value(joining, KIND);
    String clusterKind = value(cluster, KIND);
    if (!"postgres".equals(clusterKind) || !"postgres".equals(joiningKind)) {
      errors.add("a Steuermann cluster of several members needs the PostgreSQL store on every member "
          + "(this member: " + KIND + " = " + clusterKind + ", the joining one: " + joiningKind
          + "); the embedded H2 store belongs to one process. Start every member with --store postgres "
          + "and the same --postgres-url");
    } else if (!value(joining, URL).equals(value(cluster, URL))) {
      errors.add("members of one Steuermann cluster must share one PostgreSQL database: this member uses "
          + value(cluster, URL) + ", the joining one " + value(joining, URL) + " (--postgres-url)");
    }
    return errors;
  }

  private static String value(Config config, String key) {
    return config.hasPath(key) ? config.getString(key) : "(unset)";
  }
}
