/// Loads `keyward.yaml` and `connectors/*.yaml` into validated core types.
enum ConfigurationModule {}
