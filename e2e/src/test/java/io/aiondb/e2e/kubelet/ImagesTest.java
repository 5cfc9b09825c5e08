package io.aiondb.e2e.kubelet;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class ImagesTest {
  private static final Path REPO = Path.of(System.getProperty("aion.repo.root", "..")).toAbsolutePath().normalize();

  @Test
  void everyTagOfTheEngineImageRunsTheLocalBuild() {
    Images images = Images.engine(Path.of("/tree/engine/server/target"));
    var image = images.resolve("ghcr.io/aiondb/aion-server:0.1.0").orElseThrow();
    assertThat(image.entrypoint()).isEqualTo(Images.ENGINE_ENTRYPOINT);
    assertThat(image.files()).containsEntry("/app", Path.of("/tree/engine/server/target"));
    assertThat(image.isJava()).isTrue();
    assertThat(images.resolve("ghcr.io/aiondb/aion-server")).isPresent();
    assertThat(images.resolve("ghcr.io/aiondb/aion-operator:0.1.0")).isEmpty();
    assertThat(images.resolve("registry.local:5000/aion-server:0.1.0")).isEmpty();
  }

  @Test
  void laterRulesWinForTheirTags() {
    Images images = Images.engine(Path.of("/new")).add("ghcr.io/aiondb/aion-server:0.0.9=/old");
    assertThat(images.resolve("ghcr.io/aiondb/aion-server:0.0.9").orElseThrow().files().get("/app")).isEqualTo(Path.of("/old"));
    assertThat(images.resolve("ghcr.io/aiondb/aion-server:0.1.0").orElseThrow().files().get("/app")).isEqualTo(Path.of("/new"));
  }

  @Test
  void splitsRegistryPortsFromTags() {
    assertThat(Images.split("localhost:5000/aion-server")).containsExactly("localhost:5000/aion-server", null);
    assertThat(Images.split("localhost:5000/aion-server:1.2")).containsExactly("localhost:5000/aion-server", "1.2");
  }

  /** The harness runs what the engine image would: its entry point is the one images/pom.xml builds. */
  @Test
  void theEngineEntrypointIsTheImagesEntrypoint() throws Exception {
    var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(REPO.resolve("images/pom.xml").toFile());
    NodeList entrypoints = doc.getElementsByTagName("entrypoint");
    List<String> args = new ArrayList<>();
    for (int i = 0; i < entrypoints.getLength(); i++) {
      NodeList a = ((Element) entrypoints.item(i)).getElementsByTagName("arg");
      if (a.getLength() == 0) continue;
      for (int j = 0; j < a.getLength(); j++) args.add(a.item(j).getTextContent().trim());
    }
    assertThat(args).isEqualTo(Images.ENGINE_ENTRYPOINT);
    NodeList workdirs = doc.getElementsByTagName("workingDirectory");
    assertThat(workdirs.item(0).getTextContent().trim()).isEqualTo(Images.ENGINE_WORKDIR);
  }
}
