"""What every stage shares, written once: the Problem type (problems), safe YAML reading
(safe_yaml), languages and interface words (i18n), the build stamp (stamp) and stopping a build
cleanly on Ctrl-C or SIGTERM (stop)."""
