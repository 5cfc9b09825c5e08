package io.aiondb.server;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The engine's version, as built. */
public final class Version {
  public static final String VALUE = load();

  private Version() {}

  private static String load() {
    try (InputStream in = Version.class.getResourceAsStream("/aion-version.properties")) {
      Properties p = new Properties();
      if (in != null) p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
