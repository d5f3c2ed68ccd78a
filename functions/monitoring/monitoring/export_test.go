package monitoring

// PlatformTargets are the platform's targets with the defaults, for the
// docs' scrape table.
func PlatformTargets() []Target { return platformTargets(Defaults()) }
