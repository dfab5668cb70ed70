package io.steuermann.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** One manifest file of the corpus: its objects' apiVersion/kind and the namespaces they name. */
record CorpusFile(String path, Path file, List<String> kinds, Set<String> namespaces, Set<String> ownNamespaces) {

  /** Reads {@code file}; every document must be an object with apiVersion and kind. */
  static CorpusFile read(Path root, Path file) {
    List<String> kinds = new ArrayList<>();
    Set<String> namespaces = new LinkedHashSet<>();
    Set<String> own = new LinkedHashSet<>();
    try {
      Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
      for (Object doc : yaml.loadAll(Files.readString(file))) {
        if (doc == null) {
          continue;
        }
        if (!(doc instanceof Map<?, ?> object) || !(object.get("apiVersion") instanceof String apiVersion)
            || !(object.get("kind") instanceof String kind)) {
          throw new IllegalArgumentException(file + ": a document without apiVersion and kind");
        }
        kinds.add(apiVersion + "/" + kind);
        Object metadata = object.get("metadata");
        if (metadata instanceof Map<?, ?> meta) {
          if (meta.get("namespace") instanceof String ns) {
            namespaces.add(ns);
          }
          if (apiVersion.equals("v1") && kind.equals("Namespace") && meta.get("name") instanceof String name) {
            own.add(name);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new CorpusFile(root.relativize(file).toString(), file, kinds, namespaces, own);
  }
}
