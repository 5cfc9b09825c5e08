package io.aiondb.server.config;

/** A configuration value or name is wrong. The message names the setting and what is expected. */
public class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }
}
