package io.steuermann.engine.controllers.logic;

import static io.steuermann.engine.controllers.logic.TestObjects.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PodTemplateHashTest {
  static final String TEMPLATE =
      "{'metadata':{'labels':{'app':'web'}},'spec':{'containers':[{'name':'web','image':'nginx:1.25'}]}}";

  @Test
  void safeEncodeMapsEachDigitIntoTheVowelFreeAlphabet() {
    assertEquals("456789bcdf", PodTemplateHash.safeEncode("0123456789"));
  }

  @Test
  void goldenValues() {
    // FNV-1a 32 of the canonical JSON is 1568151163; with collisionCount 1 (8 LE bytes) 1930177466.
    assertEquals("59bd5955b7", PodTemplateHash.compute(json(TEMPLATE)));
    assertEquals("5f745cc8bb", PodTemplateHash.compute(json(TEMPLATE), 1));
  }

  @Test
  void independentOfKeyOrder() {
    String reordered = "{'spec':{'containers':[{'image':'nginx:1.25','name':'web'}]},'metadata':{'labels':{'app':'web'}}}";
    assertEquals(PodTemplateHash.compute(json(TEMPLATE)), PodTemplateHash.compute(json(reordered)));
  }

  @Test
  void changesWithTheTemplateAndTheCollisionCount() {
    String other = TEMPLATE.replace("1.25", "1.26");
    assertNotEquals(PodTemplateHash.compute(json(TEMPLATE)), PodTemplateHash.compute(json(other)));
    assertNotEquals(PodTemplateHash.compute(json(TEMPLATE), 1), PodTemplateHash.compute(json(TEMPLATE), 2));
    assertNotEquals(PodTemplateHash.compute(json(TEMPLATE)), PodTemplateHash.compute(json(TEMPLATE), 0),
        "a collision count of 0 is still mixed in, as in Kubernetes");
  }

  @Test
  void isAValidLabelValue() {
    String h = PodTemplateHash.compute(json(TEMPLATE), 7);
    assertTrue(h.matches("[bcdfghjklmnpqrstvwxz2456789]{1,10}"), h);
  }
}
