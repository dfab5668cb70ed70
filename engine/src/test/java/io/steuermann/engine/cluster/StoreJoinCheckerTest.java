package io.steuermann.engine.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import org.apache.pekko.cluster.Invalid;
import org.apache.pekko.cluster.Valid$;
import org.junit.jupiter.api.Test;

class StoreJoinCheckerTest {
  private static Config store(String kind, String url) {
    return ConfigFactory.parseString("steuermann.store.kind = " + kind + "\nsteuermann.store.postgres.url = \"" + url + "\"");
  }

  private static final String DB = "jdbc:postgresql://127.0.0.1:5432/steuermann";

  @Test
  void membersOnTheSamePostgresDatabaseMayJoin() {
    assertEquals(Valid$.MODULE$, new StoreJoinChecker().check(store("postgres", DB), store("postgres", DB)));
  }

  @Test
  void anH2MemberNeitherJoinsNorIsJoined() {
    List<String> joining = StoreJoinChecker.problems(store("h2", DB), store("postgres", DB));
    List<String> joined = StoreJoinChecker.problems(store("postgres", DB), store("h2", DB));
    assertEquals(1, joining.size());
    assertEquals(1, joined.size());
    assertTrue(joining.get(0).contains("--store postgres"), joining.get(0));
    assertTrue(new StoreJoinChecker().check(store("h2", DB), store("h2", DB)) instanceof Invalid);
  }

  @Test
  void membersOnDifferentDatabasesAreRefused() {
    List<String> problems = StoreJoinChecker.problems(store("postgres", DB), store("postgres", DB + "2"));
    assertEquals(1, problems.size());
    assertTrue(problems.get(0).contains("share one PostgreSQL database"), problems.get(0));
  }

  @Test
  void theCheckerAsksForTheStoreKeysOnly() {
    assertEquals(List.of(StoreJoinChecker.KIND, StoreJoinChecker.URL),
        scala.jdk.javaapi.CollectionConverters.asJava(new StoreJoinChecker().requiredKeys()));
  }
}
